"""Organisers run registrations and guest lists from the back office: their own, and nothing
of another organisation's."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from organisations.models import Membership
from registrations import services
from registrations.models import Invitation, OutgoingEmail, Registration
from tests.factories import InvitationFactory, MembershipFactory, TicketTypeFactory
from tests.registrations.organiser_factories import OutgoingEmailFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

REGISTRATIONS = reverse("admin:registrations_registration_changelist")
REGISTRATION_ADD = reverse("admin:registrations_registration_add")
INVITATIONS = reverse("admin:registrations_invitation_changelist")
INVITATION_IMPORT = reverse("admin:registrations_invitation_import")
GUEST_LIST_UPLOAD = reverse("admin:registrations_guestlistimport_add")
TICKET_TYPES = reverse("admin:registrations_tickettype_changelist")
EMAILS = reverse("admin:registrations_outgoingemail_changelist")


def _page(response) -> str:
    return html.unescape(response.content.decode())


def log_in(client, user):
    user.refresh_from_db()
    client.force_login(user)
    return client


@pytest.fixture
def lyon():
    """Sciences Po Lyon's colloquium: a full-rate ticket with two registrations."""
    ticket = TicketTypeFactory(
        event__title_fr="Protection sociale et territoires",
        event__organisation__name="Sciences Po Lyon",
        name_fr="Plein tarif",
        capacity=10,
    )
    RegistrationFactory(ticket_type=ticket, first_name="Camille", last_name="Durand")
    RegistrationFactory(
        ticket_type=ticket, first_name="Louis", last_name="Attente", status="waitlisted"
    )
    return ticket


@pytest.fixture
def paca():
    """FHF PACA's ceremony: a guest ticket, an invitation, an accepted guest, an email."""
    invitation = InvitationFactory(
        event__title_fr="Cérémonie des vœux",
        event__organisation__name="FHF PACA",
        first_name="Dominique",
        last_name="Invitée",
        ticket_type__name_fr="Invité FHF",
    )
    registration = RegistrationFactory(
        ticket_type=invitation.ticket_type,
        first_name="Sacha",
        last_name="Secret",
        email="sacha.secret@example.org",
    )
    OutgoingEmailFactory(registration=registration, last_error="SMTP 451 PACA")
    return invitation


@pytest.fixture
def lyon_organiser(client, lyon):
    membership = MembershipFactory(organisation=lyon.event.organisation)
    return log_in(client, membership.user)


@pytest.fixture
def paca_organiser(client, paca):
    membership = MembershipFactory(organisation=paca.event.organisation)
    return log_in(client, membership.user)


def _add_form(ticket, **changes):
    return {
        "event": str(ticket.event_id),
        "ticket_type": str(ticket.pk),
        "first_name": "Claire",
        "last_name": "Martin",
        "email": "Claire.Martin@example.org",
        "organisation": "Métropole de Lyon",
        "job_title": "",
        "institution": "",
        "mandate": "",
        "accessibility_needs": "",
        "language": "fr",
        "consent_processing": "on",
        "_save": "Enregistrer",
        **changes,
    }


# --- Scoping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "hidden"),
    [
        (REGISTRATIONS, "Secret"),
        (INVITATIONS, "Dominique"),
        (TICKET_TYPES, "Invité FHF"),
        (EMAILS, "sacha.secret@example.org"),
    ],
    ids=["registrations", "invitations", "ticket types", "emails"],
)
def test_an_organiser_sees_nothing_of_another_organisation(lyon_organiser, paca, url, hidden):
    response = lyon_organiser.get(url)

    assert response.status_code == 200
    assert hidden not in _page(response)
    assert "Cérémonie des vœux" not in _page(response)


def test_an_organiser_sees_their_own_registrations(lyon_organiser, paca):
    page = _page(lyon_organiser.get(REGISTRATIONS))

    assert "Durand" in page
    assert "Attente" in page
    assert "Protection sociale et territoires" in page


def test_another_organisations_registration_page_is_closed(lyon_organiser, paca):
    theirs = Registration.objects.get(last_name="Secret")

    response = lyon_organiser.get(
        reverse("admin:registrations_registration_change", args=[theirs.pk])
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_a_forged_cancel_of_another_organisations_registration_changes_nothing(
    lyon_organiser, paca
):
    theirs = Registration.objects.get(last_name="Secret")

    lyon_organiser.post(
        REGISTRATIONS,
        {"action": "cancel_registrations", "_selected_action": [str(theirs.pk)]},
    )

    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_a_forged_withdrawal_of_another_organisations_invitation_changes_nothing(
    lyon_organiser, paca
):
    lyon_organiser.post(
        INVITATIONS,
        {"action": "withdraw_invitations", "_selected_action": [str(paca.pk)]},
    )

    paca.refresh_from_db()
    assert paca.answer == "pending"


def test_a_forged_retry_of_another_organisations_email_sends_nothing(lyon_organiser, paca):
    email = OutgoingEmail.objects.get(last_error="SMTP 451 PACA")

    lyon_organiser.post(EMAILS, {"action": "retry_now", "_selected_action": [str(email.pk)]})

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 0)
    assert mail.outbox == []


def test_door_staff_see_no_registration(client, lyon):
    door = MembershipFactory(organisation=lyon.event.organisation, role=Membership.Role.DOOR_STAFF)
    log_in(client, door.user)

    assert client.get(REGISTRATIONS).status_code == 403
    assert client.get(INVITATION_IMPORT).status_code == 403


def test_the_manual_registration_form_offers_only_the_organisations_tickets(lyon_organiser, paca):
    page = _page(lyon_organiser.get(REGISTRATION_ADD))

    assert "Plein tarif" in page
    assert "Invité FHF" not in page


# --- Counts -------------------------------------------------------------------------------------


def _table_rows(page: str, marker: str) -> list[list[str]]:
    """The cells' text of each row of the first table after `marker`."""
    table = page[page.index(marker) :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for row in rows
    ]


def _fr(message: str) -> str:
    with translation.override("fr"):
        return gettext(message)


def test_the_list_of_an_event_shows_its_counts_per_ticket_type_and_status(lyon_organiser, lyon):
    student = TicketTypeFactory(event=lyon.event, name_fr="Étudiant", capacity=None, position=2)
    RegistrationFactory.create_batch(3, ticket_type=student)
    RegistrationFactory(ticket_type=student, status="cancelled")
    lyon.event.capacity = 120
    lyon.event.save()

    page = _page(lyon_organiser.get(REGISTRATIONS, {"event__id__exact": lyon.event_id}))

    rows = _table_rows(page, 'id="registration-counts-title"')
    with translation.override("fr"):
        statuses = [str(label) for _value, label in Registration.Status.choices]
    # Columns: ticket, seats taken / capacity, then pending payment, confirmed, waitlisted,
    # offered, cancelled, declined, expired.
    assert rows == [
        [_fr("ticket type"), _fr("seats taken / capacity"), *statuses],
        ["Plein tarif", "1 / 10", "0", "1", "1", "0", "0", "0", "0"],
        ["Étudiant", "3 / ∞", "0", "3", "0", "0", "1", "0", "0"],
        [_fr("Whole event"), "4 / 120", "0", "4", "1", "0", "1", "0", "0"],
    ]


def test_without_an_event_chosen_the_list_says_how_to_see_the_counts(lyon_organiser, lyon):
    page = _page(lyon_organiser.get(REGISTRATIONS))

    assert 'id="registration-counts-title"' not in page
    assert (
        _fr("Filter by event to see its registrations counted by ticket type and status.") in page
    )


def test_the_ticket_type_list_shows_seats_taken_and_counts_per_status(lyon_organiser, lyon):
    page = _page(lyon_organiser.get(TICKET_TYPES))

    with translation.override("fr"):
        confirmed, waitlisted = (
            str(Registration.Status.CONFIRMED.label),
            str(Registration.Status.WAITLISTED.label),
        )
    assert "1 / 10" in page
    assert f"{confirmed}: 1 · {waitlisted}: 1" in page


def test_the_registration_list_runs_the_same_number_of_queries_for_10_and_200(lyon_organiser, lyon):
    RegistrationFactory.create_batch(8, ticket_type=lyon)
    url = f"{REGISTRATIONS}?event__id__exact={lyon.event_id}"
    with CaptureQueriesContext(connection) as with_10:
        assert lyon_organiser.get(url).status_code == 200
    RegistrationFactory.create_batch(190, ticket_type=lyon)
    with CaptureQueriesContext(connection) as with_200:
        page = _page(lyon_organiser.get(url))

    assert f"200 {_fr('registrations')}" in page
    assert len(with_200) == len(with_10)


@pytest.mark.parametrize("url", [INVITATIONS, TICKET_TYPES, EMAILS])
def test_other_lists_run_the_same_number_of_queries_for_few_and_many_rows(
    lyon_organiser, lyon, url
):
    def add(count):
        for _ in range(count):
            registration = RegistrationFactory(ticket_type=TicketTypeFactory(event=lyon.event))
            InvitationFactory(event=lyon.event, ticket_type=registration.ticket_type)
            OutgoingEmailFactory(registration=registration)

    add(2)
    with CaptureQueriesContext(connection) as with_few:
        assert lyon_organiser.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as with_many:
        assert lyon_organiser.get(url).status_code == 200

    assert len(with_many) == len(with_few)


# --- Manual registration ------------------------------------------------------------------------


def test_an_organiser_registers_someone_by_hand(lyon_organiser, lyon):
    response = lyon_organiser.post(REGISTRATION_ADD, _add_form(lyon))

    assert response.status_code == 302
    registration = Registration.objects.get(last_name="Martin")
    assert (registration.status, registration.email, registration.organisation) == (
        "confirmed",
        "claire.martin@example.org",
        "Métropole de Lyon",
    )
    assert registration.consent_processing_at is not None
    assert list(registration.emails.values_list("kind", flat=True)) == ["confirmation"]


def test_a_registration_made_by_hand_is_logged_and_opens_its_own_page(lyon_organiser, lyon):
    """The add page hands over to register_attendee; the admin goes on with the object the
    service saved: its history, its message and its change page."""
    response = lyon_organiser.post(REGISTRATION_ADD, _add_form(lyon), follow=True)

    registration = Registration.objects.get(last_name="Martin")
    change_page = reverse("admin:registrations_registration_change", args=[registration.pk])
    assert response.redirect_chain[0][0] == REGISTRATIONS
    assert LogEntry.objects.get(action_flag=ADDITION).object_id == str(registration.pk)
    assert f'href="{change_page}"' in _page(response)


def test_a_registration_made_by_hand_on_a_full_event_joins_the_waiting_list(lyon_organiser, lyon):
    lyon.capacity = 1
    lyon.save()

    response = lyon_organiser.post(REGISTRATION_ADD, _add_form(lyon), follow=True)

    registration = Registration.objects.get(last_name="Martin")
    assert registration.status == Registration.Status.WAITLISTED
    assert _fr("No seat was left: %(name)s joins the waiting list.") % {
        "name": registration.full_name
    } in _page(response)


def test_registering_by_hand_an_email_already_registered_shows_the_error(lyon_organiser, lyon):
    existing = Registration.objects.get(last_name="Durand")

    response = lyon_organiser.post(REGISTRATION_ADD, _add_form(lyon, email=existing.email))

    assert response.status_code == 200
    with translation.override("fr"):
        expected = gettext(
            "This email address is already registered for this event: %(name)s (%(status)s)."
        ) % {"name": "Camille Durand", "status": Registration.Status.CONFIRMED.label}
    assert expected in _page(response)
    assert Registration.objects.count() == 2
    assert OutgoingEmail.objects.count() == 0  # the attendee's reminder was rolled back too


def test_registering_by_hand_when_sold_out_shows_the_error_and_saves_nothing(lyon_organiser, lyon):
    lyon.capacity = 1
    lyon.save()
    lyon.event.has_waiting_list = False
    lyon.event.save()

    response = lyon_organiser.post(REGISTRATION_ADD, _add_form(lyon))

    assert response.status_code == 200
    assert _fr("This ticket is sold out.") in _page(response)
    assert not Registration.objects.filter(last_name="Martin").exists()
    assert OutgoingEmail.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "Claire\nBcc: x@example.org"),
        ("last_name", "<script>alert(1)</script>"),
        ("organisation", '=HYPERLINK("http://evil.example")\x07'),
        ("consent_processing", ""),
        ("email", "claire@"),
    ],
)
def test_bad_details_on_the_manual_form_are_refused(lyon_organiser, lyon, field, value):
    data = _add_form(lyon, **{field: value})
    if not value:
        del data[field]

    response = lyon_organiser.post(REGISTRATION_ADD, data)

    assert response.status_code == 200
    assert "errorlist" in _page(response)
    assert Registration.objects.count() == 2


def test_the_manual_form_refuses_another_events_ticket(lyon_organiser, lyon):
    seminar = TicketTypeFactory(event__organisation=lyon.event.organisation, name_fr="Séminaire")

    response = lyon_organiser.post(REGISTRATION_ADD, _add_form(lyon, ticket_type=str(seminar.pk)))

    assert response.status_code == 200
    assert Registration.objects.count() == 2


def test_neither_the_change_page_nor_the_list_shows_the_attendees_link(lyon_organiser, lyon):
    # Organisers act through the back office's actions, never through the attendee's link.
    registration = Registration.objects.get(last_name="Durand")

    change = _page(
        lyon_organiser.get(
            reverse("admin:registrations_registration_change", args=[registration.pk])
        )
    )
    listing = _page(lyon_organiser.get(REGISTRATIONS))

    assert registration.full_name in change
    assert registration.manage_token not in change
    assert registration.manage_token not in listing


def test_fixing_a_name_on_the_change_page_goes_through_the_rules(lyon_organiser, lyon):
    registration = Registration.objects.get(last_name="Durand")
    url = reverse("admin:registrations_registration_change", args=[registration.pk])

    refused = lyon_organiser.post(url, {"first_name": "Camille\r\nX", "last_name": "Durand"})
    fixed = lyon_organiser.post(url, {"first_name": "Camille", "last_name": "Durand-Petit"})

    assert refused.status_code == 200
    assert fixed.status_code == 302
    registration.refresh_from_db()
    assert (registration.first_name, registration.last_name, registration.status) == (
        "Camille",
        "Durand-Petit",
        "confirmed",
    )


def test_registrations_cannot_be_deleted_only_cancelled(lyon_organiser, lyon):
    registration = Registration.objects.get(last_name="Durand")

    response = lyon_organiser.post(
        reverse("admin:registrations_registration_delete", args=[registration.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Registration.objects.filter(pk=registration.pk).exists()


# --- Cancelling ---------------------------------------------------------------------------------


def test_cancelling_from_the_list_offers_the_seat_to_the_waiting_list(lyon_organiser, lyon):
    lyon.capacity = 1
    lyon.save()
    holder = Registration.objects.get(last_name="Durand")
    waiting = Registration.objects.get(last_name="Attente")

    response = lyon_organiser.post(
        REGISTRATIONS,
        {"action": "cancel_registrations", "_selected_action": [str(holder.pk)]},
        follow=True,
    )

    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert (holder.status, waiting.status) == ("cancelled", "offered")
    assert waiting.offer_expires_at is not None
    with translation.override("fr"):
        message = ngettext(
            "%(count)d registration cancelled; freed seats were offered to the waiting list.",
            "%(count)d registrations cancelled; freed seats were offered to the waiting list.",
            1,
        ) % {"count": 1}
    assert message in _page(response)


# --- Export -------------------------------------------------------------------------------------


def test_the_csv_export_neutralises_formulas_and_opens_in_excel(lyon_organiser, lyon):
    trap = RegistrationFactory(
        ticket_type=lyon,
        first_name='=HYPERLINK("http://evil.example","Cliquez")',
        last_name="+33 6 12 34 56 78",
        organisation="@SUM(A1:A9)",
        job_title="-2+3",
    )

    response = lyon_organiser.post(
        REGISTRATIONS, {"action": "export_csv", "_selected_action": [str(trap.pk)]}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, row = rows
    assert header[:4] == [_fr("Last name"), _fr("First name"), _fr("Email"), _fr("Organisation")]
    values = dict(zip(header, row, strict=True))
    assert row[:5] == [
        "'+33 6 12 34 56 78",
        '\'=HYPERLINK("http://evil.example","Cliquez")',
        trap.email,
        "'@SUM(A1:A9)",
        "'-2+3",
    ]
    assert len(values) == len(header)


# --- Invitations --------------------------------------------------------------------------------


def test_the_guest_list_page_has_an_import_button(paca_organiser):
    page = _page(paca_organiser.get(INVITATIONS))

    assert INVITATION_IMPORT in page
    assert "Dominique" in page


def test_importing_a_guest_list_invites_the_good_lines_and_reports_the_bad(paca_organiser, paca):
    event = paca.event
    deadline = (event.start - timedelta(days=3)).astimezone(event.zone)
    content = (
        "\ufeffPrénom;Nom;Courriel;Organisation;Fonction;Accompagnants\r\n"
        "Hélène;Martin;helene.martin@example.org;CHU de Nice;Directrice;1\r\n"
        "Paul;Faux;pas-une-adresse;ARS PACA;;0\r\n"
        "Jeanne;Durand;jeanne.durand@example.org;AP-HM;;0\r\n"
    ).encode()

    response = paca_organiser.post(
        GUEST_LIST_UPLOAD,
        {
            "event": str(event.pk),
            "ticket_type": str(paca.ticket_type_id),
            "deadline_0": deadline.strftime("%d/%m/%Y"),
            "deadline_1": deadline.strftime("%H:%M"),
            "file": SimpleUploadedFile("invites.csv", content, content_type="text/csv"),
        },
    )

    assert response.status_code == 302
    assert Invitation.objects.filter(event=event).count() == 1  # nothing sent before confirming
    response = paca_organiser.post(response.url, {"send_at_0": "", "send_at_1": ""}, follow=True)
    page = _page(response)
    assert "2 invitations" in page
    assert "<td>3</td>" in page  # the bad line, by its number in the file
    assert set(Invitation.objects.filter(event=event).values_list("email", flat=True)) == {
        paca.email,
        "helene.martin@example.org",
        "jeanne.durand@example.org",
    }
    assert sorted(m.to[0] for m in mail.outbox) == [
        "helene.martin@example.org",
        "jeanne.durand@example.org",
    ]


def test_the_import_refuses_another_organisations_event(lyon_organiser, paca):
    response = lyon_organiser.post(
        GUEST_LIST_UPLOAD,
        {
            "event": str(paca.event_id),
            "ticket_type": str(paca.ticket_type_id),
            "deadline_0": "01/01/2099",
            "deadline_1": "12:00",
            "file": SimpleUploadedFile("invites.csv", b"nom;prenom;email\r\nA;B;a@b.org\r\n"),
        },
    )

    assert response.status_code == 200
    assert "errorlist" in _page(response)
    assert Invitation.objects.count() == 1


def test_a_file_that_cannot_be_read_is_refused_as_a_whole(paca_organiser, paca):
    response = paca_organiser.post(
        GUEST_LIST_UPLOAD,
        {
            "event": str(paca.event_id),
            "ticket_type": str(paca.ticket_type_id),
            "deadline_0": (paca.event.start - timedelta(days=3)).strftime("%d/%m/%Y"),
            "deadline_1": "12:00",
            "file": SimpleUploadedFile("invites.csv", b"colonne;autre\r\nx;y\r\n"),
        },
    )

    assert response.status_code == 200
    assert "errornote" in _page(response)
    assert Invitation.objects.count() == 1


def test_reminding_now_reaches_only_the_guests_who_have_not_answered(paca_organiser, paca):
    answered = InvitationFactory(event=paca.event, ticket_type=paca.ticket_type, answer="declined")

    paca_organiser.post(INVITATIONS, {"action": "send_reminders", "_selected_action": [paca.pk]})
    paca_organiser.post(INVITATIONS, {"action": "send_reminders", "_selected_action": [paca.pk]})

    paca.refresh_from_db()
    answered.refresh_from_db()
    assert (paca.reminders_sent, answered.reminders_sent) == (1, 0)
    assert OutgoingEmail.objects.filter(kind="reminder").count() == 1


def test_withdrawing_an_invitation_cancels_the_guests_seat(paca_organiser, paca):
    paca.plus_ones_allowed = 1
    paca.save()
    guest = services.accept_invitation(
        invitation=paca,
        attendee=services.AttendeeDetails(
            first_name="Dominique", last_name="Invitée", email=paca.email, consent_processing=True
        ),
        plus_ones=[("Alex", "Accompagnant")],
    )

    paca_organiser.post(
        INVITATIONS, {"action": "withdraw_invitations", "_selected_action": [paca.pk]}
    )

    paca.refresh_from_db()
    guest.refresh_from_db()
    assert paca.answer == "revoked"
    assert guest.status == "cancelled"
    assert guest.companions.get().status == "cancelled"


def test_invitations_cannot_be_deleted(paca_organiser, paca):
    url = reverse("admin:registrations_invitation_delete", args=[paca.pk])

    assert paca_organiser.post(url, {"post": "yes"}).status_code == 403
    assert Invitation.objects.filter(pk=paca.pk).exists()


# --- Outbox -------------------------------------------------------------------------------------


def test_the_outbox_shows_what_failed_and_retries_it(paca_organiser, paca):
    email = OutgoingEmail.objects.get(last_error="SMTP 451 PACA")
    OutgoingEmail.objects.filter(pk=email.pk).update(status="failed", attempts=15)

    page = _page(paca_organiser.get(EMAILS))
    paca_organiser.post(EMAILS, {"action": "retry_now", "_selected_action": [str(email.pk)]})

    assert "sacha.secret@example.org" in page
    assert "SMTP 451 PACA" in page
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 16)
    assert [m.to for m in mail.outbox] == [["sacha.secret@example.org"]]


def test_the_outbox_is_read_only(paca_organiser, paca):
    email = OutgoingEmail.objects.get()

    change = paca_organiser.get(
        reverse("admin:registrations_outgoingemail_change", args=[email.pk])
    )

    assert change.status_code == 200
    assert 'name="status"' not in _page(change)
    assert paca_organiser.get(reverse("admin:registrations_outgoingemail_add")).status_code == 403


# --- Event page ---------------------------------------------------------------------------------


def test_the_event_page_edits_its_ticket_types_and_registration_settings(lyon_organiser, lyon):
    page = _page(lyon_organiser.get(reverse("admin:events_event_change", args=[lyon.event_id])))

    assert 'name="ticket_types-0-name_fr"' in page
    assert 'name="ticket_types-0-name_en"' in page
    assert 'name="capacity"' in page
    assert 'name="has_waiting_list"' in page
    assert 'name="offer_validity_hours"' in page


def test_offers_expire_in_the_events_time(lyon):
    # The cancel action's offer lasts the event's offer validity (48 hours by default).
    holder = Registration.objects.get(last_name="Durand")
    lyon.capacity = 1
    lyon.save()

    services.cancel_registration(registration=holder)

    waiting = Registration.objects.get(last_name="Attente")
    assert waiting.offer_expires_at - timezone.now() > timedelta(hours=47)


def test_an_organiser_invites_one_guest_by_hand(paca_organiser, paca):
    deadline = (paca.event.start - timedelta(days=3)).astimezone(paca.event.zone)
    form = {
        "event": str(paca.event_id),
        "ticket_type": str(paca.ticket_type_id),
        "first_name": "Renaud",
        "last_name": "Muselier",
        "email": "Renaud@Example.org",
        "organisation": "Région Sud",
        "job_title": "Président",
        "plus_ones_allowed": "1",
        "language": "fr",
        "deadline_0": deadline.strftime("%d/%m/%Y"),
        "deadline_1": deadline.strftime("%H:%M"),
    }

    added = paca_organiser.post(reverse("admin:registrations_invitation_add"), form)
    again = paca_organiser.post(reverse("admin:registrations_invitation_add"), form)

    assert added.status_code == 302
    invitation = Invitation.objects.get(last_name="Muselier")
    assert LogEntry.objects.get(action_flag=ADDITION).object_id == str(invitation.pk)
    assert (invitation.email, invitation.plus_ones_allowed) == ("renaud@example.org", 1)
    assert [m.to for m in mail.outbox] == [["renaud@example.org"]]
    assert again.status_code == 200
    assert _fr("This guest is already invited to this event.") in _page(again)
    assert Invitation.objects.filter(last_name="Muselier").count() == 1


def test_a_guests_deadline_can_be_moved_but_not_past_the_ceremony(paca_organiser, paca):
    url = reverse("admin:registrations_invitation_change", args=[paca.pk])
    late = paca.event.start.astimezone(paca.event.zone) + timedelta(days=1)
    earlier = paca.deadline.astimezone(paca.event.zone) - timedelta(days=1)

    refused = paca_organiser.post(
        url,
        {
            "plus_ones_allowed": "2",
            "deadline_0": late.strftime("%d/%m/%Y"),
            "deadline_1": late.strftime("%H:%M"),
        },
    )
    moved = paca_organiser.post(
        url,
        {
            "plus_ones_allowed": "2",
            "deadline_0": earlier.strftime("%d/%m/%Y"),
            "deadline_1": earlier.strftime("%H:%M"),
        },
    )

    assert refused.status_code == 200
    assert _fr("The answer deadline must come before the event starts.") in _page(refused)
    assert moved.status_code == 302
    paca.refresh_from_db()
    assert paca.plus_ones_allowed == 2
    assert paca.deadline.astimezone(paca.event.zone).date() == earlier.date()
