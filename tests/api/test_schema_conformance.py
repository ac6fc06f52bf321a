"""The API keeps the promises of its OpenAPI schema: schemathesis generates requests for every
operation (valid and invalid ones) and checks that none gives a server error or an answer the
schema does not describe. Anonymous writes must be refused as documented (401)."""

import io

import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test.utils import override_settings
from hypothesis import HealthCheck, Phase, settings
from PIL import Image
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from events.models import Event, Session
from speakers.models import SessionSpeaker
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def plain_http_application():
    """The project's WSGI application, as config/wsgi.py builds it, with the test settings'
    plain HTTP: its middleware reads the settings once, when it is built, and this module loads
    the schema while pytest collects tests, before the test settings apply."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        return get_wsgi_application()


application = plain_http_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _requests_keep_the_test_transaction():
    """Django closes the database connection at the end of each request it serves; inside a
    test that would throw away the test's transaction and its data. The test client avoids
    this by muting the signal; so do we, around the whole test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo_programme(db):
    """Something like the demo: a published colloquium with rooms, tracks, sessions and speakers
    (one with a published photo), a private session, a cancelled one, and a draft event."""
    organisation = OrganisationFactory(name="Chaire Protection sociale et territoires")
    colloquium = EventFactory(organisation=organisation, slug="protection-sociale")
    rooms = [RoomFactory(event=colloquium) for _ in range(2)]
    tracks = [TrackFactory(event=colloquium) for _ in range(2)]
    for number in range(6):
        session = SessionFactory(
            event=colloquium,
            room=rooms[number % 2],
            track=tracks[number % 2] if number % 3 else None,
            is_public=number != 4,
            status=Session.Status.CANCELLED if number == 5 else Session.Status.CONFIRMED,
            abstract_fr="Résumé." if number % 2 else "",
        )
        SessionSpeakerFactory(session=session, role=SessionSpeaker.Role.CHAIR)
    photographed = SpeakerFactory(organisation=organisation, photo_consent=True)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "JPEG")
    photographed.photo.save("portrait.jpg", ContentFile(buffer.getvalue()), save=False)
    photographed.photo_thumbnail.save("small.jpg", ContentFile(buffer.getvalue()), save=True)
    SessionSpeakerFactory(session=Session.objects.first(), speaker=photographed)
    EventFactory(organisation=organisation, status=Event.Status.DRAFT, venue=None)
    EventFactory(status=Event.Status.CANCELLED, subtitle_fr="Annulé")
    return colloquium


@schema.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, demo_programme):
    response = case.call_and_validate(checks=CHECKS)

    if case.method.upper() not in ("GET", "HEAD", "OPTIONS"):
        # Anonymous: no write ever gets through. 404 only for a path that names nothing
        # (e.g. "/speakers/0.5/": "0" with an unknown ".5" format suffix).
        assert response.status_code in (401, 404), response.text
