"""The API keeps the promises of its OpenAPI schema: schemathesis generates requests for every
operation (valid and invalid ones) and runs all its checks on each answer (no server error,
documented status, content type, headers and body; invalid data refused, valid data accepted
or refused as documented; authentication not ignored), for the four kinds of caller: anonymous,
an organiser (token), door staff (session cookie) and a scanner device (device token).

Short and reproducible: few examples per operation, derandomized; on SQLite only (the checks
are about the contract, not the database, and PostgreSQL runs would double the suite's time)."""

import io

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.test.utils import override_settings
from hypothesis import HealthCheck, Phase, settings
from PIL import Image
from schemathesis.config import SchemathesisConfig

from checkin.services import create_scanner_device
from events.models import Event, Session, SessionSpeaker
from organisations.models import Membership
from tests.factories import (
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
    api_key_for,
)
from tests.registrations.organiser_factories import RegistrationFactory, TicketTypeFactory

pytestmark = pytest.mark.skipif(
    "sqlite" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="the contract is checked once, on the default database (SQLite)",
)

# A refusal of data that looks valid (a full ticket type, an unknown event, an email already
# registered) is a documented answer of the operation, not a broken promise: "positive data"
# may get it. Every status must still be documented for its operation.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
            }
        }
    }
)


def plain_http_application():
    """The project's WSGI application, as config/wsgi.py builds it, with the test settings'
    plain HTTP: its middleware reads the settings once, when it is built, and this module loads
    the schema while pytest collects tests, before the test settings apply."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        return get_wsgi_application()


application = plain_http_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)


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


@pytest.fixture(params=["anonymous", "organiser", "door staff", "scanner device"])
def caller(request, demo_programme) -> dict:
    """The headers of one kind of caller, with something of theirs to see: a registration
    with a plus-one (who has no email), a door-staff member and a scanner device."""
    organisation = demo_programme.organisation
    ticket = TicketTypeFactory(event=demo_programme, capacity=100)
    guest = RegistrationFactory(ticket_type=ticket, first_name="Camille", last_name="Durand")
    RegistrationFactory(ticket_type=ticket, email="", companion_of=guest)
    if request.param == "organiser":
        user = MembershipFactory(organisation=organisation).user
        return {"Authorization": f"Token {api_key_for(user)}"}
    if request.param == "door staff":
        user = MembershipFactory(organisation=organisation, role=Membership.Role.DOOR_STAFF).user
        browser = Client()
        browser.force_login(user)
        return {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}
    if request.param == "scanner device":
        _device, token = create_scanner_device(event=demo_programme, name="Entrée nord")
        return {"Authorization": f"Device {token}"}
    return {}


@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_schema_for_every_kind_of_caller(case, caller):
    # Each example starts with fresh write counters: the checks send several requests per
    # example, and throttling (429, documented) would hide the answers they check.
    cache.clear()
    response = case.call_and_validate(headers=caller)

    if not caller and case.method.upper() not in ("GET", "HEAD", "OPTIONS"):
        # Anonymous: no write ever gets through. 404 only for a path that names nothing
        # (e.g. "/speakers/0.5/": "0" with an unknown ".5" format suffix).
        assert response.status_code in (401, 404), response.text
