"""Control characters (NEL, CSI…) and direction overrides (U+202A to U+202E, U+2066 to
U+2069) are refused wherever text comes in, with a message naming the character; the
left-to-right and right-to-left marks that Arabic and Hebrew names may need are kept; text
stored before the rule is cleaned by a data migration."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from checkin.models import ScannerDevice
from organisations.models import Membership
from registrations import csv_import
from registrations.models import Invitation, Registration
from speakers.models import Speaker
from tests.events.admin_forms import admin_form_data
from tests.factories import MembershipFactory, SpeakerFactory
from tests.registrations.attendee_steps import (
    colloquium_ticket,
    form_data,
    page_text,
    register_url,
)
from tests.registrations.organiser_factories import RegistrationFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # right-to-left override: "Durand" shows as "dnaruD"
NEL = "\x85"  # next line: a line break to some calendar and email readers
CSI = "\x9b"  # control sequence introducer: starts a terminal escape sequence
RLM = "\u200f"  # right-to-left mark: kept

DIRECTION_FR = "Les caractères qui inversent le sens du texte ne sont pas acceptés ici (U+{})."
CONTROL_FR = "Les retours à la ligne et les caractères de contrôle ne sont pas acceptés ici."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_name", f"{RLO}Durand", DIRECTION_FR.format("202E")),
        ("first_name", "Camille\u2066", DIRECTION_FR.format("2066")),
        ("organisation", f"CPAM{NEL}du Rhône", CONTROL_FR),
        ("job_title", f"{CSI}31mChargée de mission", CONTROL_FR),
    ],
)
def test_an_attendee_typing_an_invisible_control_character_is_told_and_nothing_is_saved(
    client, field, value, message
):
    ticket = colloquium_ticket()

    response = client.post(register_url(ticket.event), form_data(ticket, **{field: value}))

    assert response.status_code == 200
    assert message in page_text(response)
    assert not Registration.objects.exists()


def test_an_arabic_name_with_a_right_to_left_mark_is_registered_as_typed(client):
    ticket = colloquium_ticket()

    response = client.post(
        register_url(ticket.event),
        form_data(ticket, first_name=f"ليلى{RLM}", last_name="Haddad"),
    )

    assert response.status_code == 302
    assert Registration.objects.get().first_name == f"ليلى{RLM}"


def test_a_guest_list_line_with_a_direction_override_is_reported_and_the_others_invited():
    ticket = TicketTypeFactory(
        event__access="invitation", event__kind="ceremony", category="guest", is_public=False
    )
    content = (
        "Prénom;Nom;Courriel\n"
        "Renaud;Muselier;r.muselier@example.org\n"
        f"Eve;{RLO}Leroy;eve@example.org\n"
        f"Paul;Ro{NEL}ux;paul.roux@example.org\n"
    ).encode()

    report = csv_import.import_invitations_from_file(
        event=ticket.event,
        ticket_type=ticket,
        uploaded_file=SimpleUploadedFile("invites.csv", content, content_type="text/csv"),
        deadline=ticket.event.start - timedelta(days=5),
    )

    assert report.errors == [
        (
            3,
            "last_name: Les caractères qui inversent le sens du texte ne sont pas acceptés ici "
            "(U+202E).",
        ),
        (4, f"last_name: {CONTROL_FR}"),
    ]
    assert list(Invitation.objects.values_list("last_name", flat=True)) == ["Muselier"]


def test_an_organiser_naming_a_speaker_with_an_override_in_the_back_office_is_told(client):
    membership = MembershipFactory(role=Membership.Role.ORGANISER)
    client.force_login(membership.user)
    url = reverse("admin:speakers_speaker_add")
    data = admin_form_data(client.get(url))
    data.update(
        {
            "organisation": str(membership.organisation.pk),
            "name": f"{RLO}Camille Durand",
            "slug": "camille-durand",
            "bio_fr": f"Directrice.{NEL}Présidente.",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    page = page_text(response)
    assert DIRECTION_FR.format("202E") in page
    assert "Les caractères de contrôle ne sont pas acceptés ici (U+0085)." in page
    assert not Speaker.objects.exists()


def test_names_stored_before_the_rule_are_cleaned_by_the_data_migration():
    registration = RegistrationFactory(
        first_name=f"Jean{NEL}Marc",
        last_name=f"{RLO}Dupont",
        organisation=f"CPAM\tdu Rhône{CSI}",
        accessibility_needs=f"Fauteuil\n\troulant{RLO}",
    )
    arabic = RegistrationFactory(
        ticket_type=registration.ticket_type, first_name=f"ليلى{RLM}", last_name="Haddad"
    )
    speaker = SpeakerFactory(name="Camille\u2067 Durand", bio_fr=f"Ligne 1\r\nLigne 2{NEL}")

    for app_label, migration in [
        ("registrations", "0015_input_text_characters"),
        ("speakers", "0002_input_text_characters"),
    ]:
        module = importlib.import_module(f"{app_label}.migrations.{migration}")
        module.clean_stored_text(apps, None)

    registration.refresh_from_db()
    arabic.refresh_from_db()
    speaker.refresh_from_db()
    assert (
        registration.first_name,
        registration.last_name,
        registration.organisation,
        registration.accessibility_needs,
    ) == ("Jean Marc", "Dupont", "CPAM du Rhône", "Fauteuil\n\troulant")
    assert arabic.first_name == f"ليلى{RLM}"
    assert (speaker.name, speaker.bio_fr) == ("Camille Durand", "Ligne 1\r\nLigne 2")


def test_a_scanner_device_named_with_an_override_on_the_command_line_is_refused():
    event = colloquium_ticket().event

    with pytest.raises(CommandError) as refusal:
        call_command("create_scanner_device", "--event", event.slug, "--name", f"Entrée{RLO} nord")

    assert str(refusal.value) == (
        "Characters that reverse the direction of text are not allowed here (U+202E)."
    )
    assert not ScannerDevice.objects.exists()
