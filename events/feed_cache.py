"""Where the calendar feeds keep what lets them answer without the database: each feed's
validators (ETag and Last-Modified) and each built body, in Django's cache.

The cache must be shared by every worker (Redis through CACHE_URL in production): a cache of
one process would keep answering 304 from the other workers after a change. Validators are
kept with the generation they were read in, which every change of what a feed shows replaces
(events/signals.py, and the services that write without signals): a change forgets them all at
once, and a poll reads the generation and its feed's validators in one round trip. Bodies are
kept by their ETag, which names the data they show, and need no forgetting.
"""

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "feeds:generation"
# Entries no poll has asked for in a day make room for others.
ENTRY_SECONDS = 24 * 60 * 60


def cached_validators(address: str, *, scope: str = "") -> tuple[tuple, object | None]:
    """The current generations (the feeds', and `scope`'s if given: the generation of one
    attendee's agenda) and the validators kept for `address` in them (None if none)."""
    generation_keys = [GENERATION_KEY, *([scope_key(scope)] if scope else [])]
    key = validator_key(address)
    found = cache.get_many([*generation_keys, key])
    for generation_key in generation_keys:
        if generation_key not in found:
            cache.add(generation_key, uuid4().hex, timeout=None)
    if len(found) < len(generation_keys):
        return tuple(cache.get(generation_key) for generation_key in generation_keys), None
    generations = tuple(found[generation_key] for generation_key in generation_keys)
    kept = found.get(key)
    if kept is None or kept[0] != generations:
        return generations, None
    return generations, kept[1]


def keep_validators(address: str, generations: tuple, validators) -> None:
    cache.set(validator_key(address), (generations, validators), ENTRY_SECONDS)


def forget_feed_validators() -> None:
    """Every feed's validators are read again from the database at its next poll.

    Replaced now, for the rest of this transaction, and again once it commits: a poll between
    the two could have kept the stamp from before the commit under the first replacement."""
    _new_generation(GENERATION_KEY)
    transaction.on_commit(lambda: _new_generation(GENERATION_KEY))


def forget_scope_validators(scope: str) -> None:
    """Like forget_feed_validators, for the feeds of one `scope` only (an attendee's agenda:
    `agenda:<manage token>`)."""
    _new_generation(scope_key(scope))
    transaction.on_commit(lambda: _new_generation(scope_key(scope)))


def _new_generation(key: str) -> None:
    cache.set(key, uuid4().hex, timeout=None)


def scope_key(scope: str) -> str:
    return f"feeds:generation:{scope}"


def validator_key(address: str) -> str:
    return f"feeds:validator:{address}"


def body_key(etag: str) -> str:
    return f"feeds:body:{etag.strip(chr(34))}"
