"""No trace in the shared cache (issue 13): after a speaker's and an attendee's erasure, no key
or value of Redis — the calendar feeds' bodies and validators, the scanner devices, the rate
limits — holds their names, addresses, organisation or the speaker's slug, and the feeds serve
the anonymised programme.

The cache is Django's Redis backend, as in production (CACHE_URL), read back with the redis
client: every key under this test's own prefix is listed and its value unpickled. The server is
the one TEST_REDIS_URL names (CI sets it; the test fails if it cannot be reached) or, without it,
fakeredis' in-process server, so that `make test` needs no Redis. Its keys carry a prefix of
their own, so it neither reads nor clears another run's."""

import os
import pickle
import uuid

import fakeredis
import pytest
import redis
from django.test import override_settings
from rest_framework.test import APIClient

from checkin import services as checkin
from registrations import privacy
from registrations.models import Registration
from speakers import privacy as speaker_privacy
from speakers.models import Speaker
from tests.events.feed_fixtures import ATTENDEE_EMAIL, SPEAKER_EMAIL, dst_programme, feed_paths

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
ATTENDEE = {
    "first_name": "Séraphine",
    "last_name": "Quillembois",
    "organisation": "Atelier Zéphyrin",
}


@pytest.fixture
def redis_cache():
    prefix = f"no-trace-{uuid.uuid4().hex}"
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL or "redis://in-process:6379/13",
        "KEY_PREFIX": prefix,
    }
    if REDIS_URL:
        server = redis.Redis.from_url(REDIS_URL)
        server.ping()  # unreachable: the test fails here, loudly
    else:
        server = fakeredis.FakeRedis(host="in-process", port=6379, db=13)
        cache["OPTIONS"] = {"connection_class": fakeredis.FakeRedisConnection}
    caches = {"default": cache}
    with override_settings(CACHES=caches):
        try:
            yield server, prefix
        finally:
            for key in server.scan_iter(match=f"{prefix}:*"):
                server.delete(key)


def cached_texts(server, prefix) -> dict[str, str]:
    """Every key of the test's cache and its value as text: unpickled as Django's Redis cache
    stores it (an int as digits, anything else pickled), bytes decoded, iCalendar's folded
    lines joined again."""
    texts = {}
    for key in server.scan_iter(match=f"{prefix}:*"):
        raw = server.get(key)
        if raw is None:
            continue
        try:
            value = int(raw)
        except ValueError:
            value = pickle.loads(raw)  # noqa: S301 — what this test's own cache stored
        text = value.decode() if isinstance(value, bytes) else repr(value)
        texts[key.decode()] = text.replace("\r\n ", "")
    return texts


def traces(texts: dict[str, str], values) -> list[tuple[str, str]]:
    return [
        (key, value)
        for key, text in texts.items()
        for value in values
        if value.casefold() in f"{key} {text}".casefold()
    ]


def test_after_erasures_no_cached_key_or_value_names_the_speaker_or_the_attendee(
    client, redis_cache
):
    server, prefix = redis_cache
    programme = dst_programme()
    Registration.objects.filter(pk=programme.registration.pk).update(**ATTENDEE)
    programme.registration.refresh_from_db()
    speaker = programme.speaker
    # Hers alone (the session's chair works at Sciences Po Lyon too).
    Speaker.objects.filter(pk=speaker.pk).update(affiliation="Laboratoire Xénophile")
    speaker.refresh_from_db()
    # Every feed, in both languages, with and without an alarm: bodies and validators kept.
    paths = feed_paths(programme)
    etags = {label: client.get(path)["ETag"] for label, path in paths.items()}
    # A scanner device (kept for the check-in) and rate limits (the lost-link page).
    _device, token = checkin.create_scanner_device(event=programme.event, name="Entrée nord")
    door = APIClient()
    door.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    door.post(
        "/api/v1/checkin/",
        {"token": programme.registration.badge_token, "nonce": uuid.uuid4().hex},
        format="json",
    )
    client.post("/my-links/", {"email": ATTENDEE_EMAIL})
    values = [
        speaker.name,
        speaker.slug,
        SPEAKER_EMAIL,
        speaker.affiliation,
        *ATTENDEE.values(),
        ATTENDEE_EMAIL,
    ]
    before = cached_texts(server, prefix)
    families = {key.split(":")[2] for key in before}  # <prefix>:<version>:<family>:…
    assert {"feeds", "checkin", "ratelimit"} <= families, families
    # The search is real: the feeds' bodies and validators name the speaker.
    assert {value for _key, value in traces(before, values)} >= {speaker.name, speaker.slug}

    speaker_privacy.erase_speaker(speaker=speaker, reason="demande écrite")
    privacy.erase_registration(registration=programme.registration, reason="demande écrite")

    assert traces(cached_texts(server, prefix), values) == []
    # The feeds are built again from the anonymised programme; a calendar asking with its old
    # ETag gets the new feed, not "not modified".
    event_path = paths["event fr"]
    again = client.get(event_path, HTTP_IF_NONE_MATCH=etags["event fr"])
    assert again.status_code == 200
    assert speaker.name not in again.content.decode()
    assert "Nom retiré" in again.content.decode().replace("\r\n ", "")
    assert client.get(paths["speaker fr"]).status_code == 404
    assert traces(cached_texts(server, prefix), values) == []
