"""Organisers print badges from the back office: a sheet for a whole event, built in the
background with its progress shown, and the badges of a few selected registrations at once;
a badge reissued when one is lost. Only their own organisation's."""

import html
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from badges import render as badges
from badges import services, sheets
from badges.models import BadgeSheet
from organisations.models import Membership
from registrations.admin import registrations as registrations_admin
from registrations.models import Registration
from tests.badges.test_render import pdf_text, qr_codes_in_pdf
from tests.factories import MembershipFactory, TicketTypeFactory, UserFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

SHEETS = reverse("admin:badges_badgesheet_changelist")
SHEET_ADD = reverse("admin:badges_badgesheet_add")
REGISTRATIONS = reverse("admin:registrations_registration_changelist")


def _page(response) -> str:
    return html.unescape(response.content.decode())


def log_in(client, user):
    user.refresh_from_db()
    client.force_login(user)
    return client


def download_url(sheet) -> str:
    return reverse("admin:badges_badgesheet_download", args=[sheet.pk])


@pytest.fixture
def lyon():
    """Sciences Po Lyon's colloquium: who gets a badge and who does not."""
    ticket = TicketTypeFactory(
        event__title_fr="Protection sociale et territoires",
        event__organisation__name="Sciences Po Lyon",
        capacity=100,
    )
    confirmed = RegistrationFactory(ticket_type=ticket, first_name="Alessia", last_name="Lefébure")
    RegistrationFactory(
        ticket_type=ticket,
        first_name="Camille",
        last_name="Durand",
        status=Registration.Status.PENDING_PAYMENT,
    )
    RegistrationFactory(
        ticket_type=ticket, first_name="Paul", last_name="Invité", email="", companion_of=confirmed
    )
    RegistrationFactory(ticket_type=ticket, last_name="Attente", status="waitlisted")
    RegistrationFactory(ticket_type=ticket, last_name="Annulée", status="cancelled")
    return ticket


@pytest.fixture
def organiser_user(lyon):
    return MembershipFactory(organisation=lyon.event.organisation).user


@pytest.fixture
def organiser(client, organiser_user):
    return log_in(client, organiser_user)


@pytest.fixture
def other_organiser(lyon):
    """An organiser of another organisation, in a client of their own."""

    membership = MembershipFactory(organisation__name="FHF PACA")
    return log_in(Client(), membership.user)


def badge_holders(ticket) -> list[Registration]:
    return list(
        Registration.objects.filter(
            event=ticket.event, status__in=["confirmed", "pending_payment"]
        ).order_by("last_name")
    )


# --- A sheet for the whole event ------------------------------------------------------------


def test_an_organiser_makes_a_sheet_and_downloads_every_badge(organiser, organiser_user, lyon):
    response = organiser.post(SHEET_ADD, {"event": lyon.event_id, "layout": "a6", "_save": "1"})

    sheet = BadgeSheet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:badges_badgesheet_change", args=[sheet.pk])
    assert (sheet.status, sheet.done, sheet.total) == ("done", 3, 3)
    assert sheet.created_by == organiser_user
    page = _page(organiser.get(response["Location"]))
    assert download_url(sheet) in page
    assert 'http-equiv="refresh"' not in page
    download = organiser.get(download_url(sheet))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    assert download["Content-Disposition"].startswith("attachment;")
    # The confirmed attendee, the one awaiting payment and the plus-one; nobody else.
    [page_codes] = qr_codes_in_pdf(download.content)
    assert sorted(page_codes) == sorted(r.badge_token for r in badge_holders(lyon))
    text = pdf_text(download.content)
    assert "Alessia Lefébure" in text
    assert "Paul Invité" in text
    assert "Attente" not in text
    assert "Annulée" not in text


def test_the_sheet_is_kept_out_of_the_public_media_folder(organiser, lyon):
    organiser.post(SHEET_ADD, {"event": lyon.event_id, "layout": "card_90x55", "_save": "1"})

    sheet = BadgeSheet.objects.get()
    assert bytes(sheet.pdf).startswith(b"%PDF")
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.rglob("*.pdf"))


def test_an_event_without_badges_gets_a_clear_message(organiser, lyon):
    Registration.objects.filter(event=lyon.event).update(status="waitlisted")

    response = organiser.post(SHEET_ADD, {"event": lyon.event_id, "layout": "a6", "_save": "1"})

    assert response.status_code == 200
    assert gettext(
        "No registration of this event has a badge yet: badges are printed for confirmed "
        "registrations and those awaiting payment."
    ) in _page(response)
    assert not BadgeSheet.objects.exists()


def test_a_sheet_being_built_shows_its_progress_and_reloads_itself(organiser, lyon):
    sheet = BadgeSheet.objects.create(event=lyon.event, layout="a7", total=3, done=1)

    page = _page(organiser.get(reverse("admin:badges_badgesheet_change", args=[sheet.pk])))

    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress value="1" max="3">' in page
    assert gettext("%(done)d of %(total)d badges") % {"done": 1, "total": 3} in page
    assert download_url(sheet) not in page
    assert organiser.get(download_url(sheet)).status_code == 404


def test_the_task_saves_its_progress_every_fifty_badges_not_every_badge(lyon):
    RegistrationFactory.create_batch(117, ticket_type=lyon)  # 120 badges in all
    sheet = BadgeSheet.objects.create(event=lyon.event, layout="a7", total=120)

    with CaptureQueriesContext(connection) as queries:
        sheets.build_badge_sheet(sheet_id=sheet.pk)

    progress_writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("UPDATE") and '"done"' in query["sql"]
    ]
    # Claimed (done = 0), at 50, at 100, at 120 and when finished.
    assert len(progress_writes) == 5
    sheet.refresh_from_db()
    assert (sheet.status, sheet.done, sheet.total) == ("done", 120, 120)
    pages = qr_codes_in_pdf(bytes(sheet.pdf))
    assert sum(len(codes) for codes in pages) == 120


def test_a_task_delivered_twice_builds_the_sheet_once(lyon):
    sheet = services.queue_badge_sheet(event=lyon.event, layout="a6")
    sheet.refresh_from_db()
    finished_at = sheet.finished_at

    again = sheets.build_badge_sheet(sheet_id=sheet.pk)

    assert again.status == "done"
    assert again.finished_at == finished_at


def test_a_failed_build_is_shown_on_the_sheet(organiser, lyon, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(badges, "badge_sheet_pdf", broken)

    organiser.post(SHEET_ADD, {"event": lyon.event_id, "layout": "a6", "_save": "1"})

    sheet = BadgeSheet.objects.get()
    assert sheet.status == "failed"
    assert "printer on fire" in sheet.error
    page = _page(organiser.get(reverse("admin:badges_badgesheet_change", args=[sheet.pk])))
    assert (
        gettext(
            "The sheet could not be built. Make a new one; if it fails again, send the error "
            "below to the site's administrator."
        )
        in page
    )
    assert 'http-equiv="refresh"' not in page


def test_the_sheet_list_takes_a_bounded_number_of_queries(
    organiser, lyon, django_assert_max_num_queries
):
    for _ in range(30):
        services.queue_badge_sheet(event=lyon.event, layout="a6")

    with django_assert_max_num_queries(12):
        response = organiser.get(SHEETS)

    assert response.status_code == 200
    assert _page(response).count("/download/") == 30


# --- Another organisation's -----------------------------------------------------------------


def test_another_organisations_organiser_cannot_see_or_download_the_sheet(other_organiser, lyon):
    sheet = services.queue_badge_sheet(event=lyon.event, layout="a6")

    assert other_organiser.get(download_url(sheet)).status_code == 404
    listing = _page(other_organiser.get(SHEETS))
    assert "Protection sociale et territoires" not in listing
    change = other_organiser.get(reverse("admin:badges_badgesheet_change", args=[sheet.pk]))
    assert change.status_code == 302
    assert change.url == reverse("admin:index")


def test_another_organisations_event_cannot_be_chosen(other_organiser, lyon):
    response = other_organiser.post(
        SHEET_ADD, {"event": lyon.event_id, "layout": "a6", "_save": "1"}
    )

    assert response.status_code == 200
    assert not BadgeSheet.objects.exists()


def test_door_staff_and_visitors_get_no_sheet(client, lyon):
    sheet = services.queue_badge_sheet(event=lyon.event, layout="a6")
    door = MembershipFactory(organisation=lyon.event.organisation, role=Membership.Role.DOOR_STAFF)

    anonymous = client.get(download_url(sheet))
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("admin:login"))
    log_in(client, door.user)
    assert client.get(download_url(sheet)).status_code == 404
    log_in(client, UserFactory(is_staff=False))
    assert client.get(download_url(sheet)).status_code == 302


# --- A few badges at once, and reissuing ----------------------------------------------------


def test_the_badges_of_selected_registrations_download_at_once(organiser, lyon):
    holders = badge_holders(lyon)
    waitlisted = Registration.objects.get(last_name="Attente")
    selected = [holders[0].pk, holders[1].pk, waitlisted.pk]

    response = organiser.post(
        REGISTRATIONS,
        {"action": "download_badges", "layout": "card_85x54", "_selected_action": selected},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    [codes] = qr_codes_in_pdf(response.content)
    assert sorted(codes) == sorted([holders[0].badge_token, holders[1].badge_token])


def test_a_forged_download_of_another_organisations_badges_gives_nothing(other_organiser, lyon):
    theirs = badge_holders(lyon)[0]

    response = other_organiser.post(
        REGISTRATIONS, {"action": "download_badges", "_selected_action": [theirs.pk]}
    )

    assert response.get("Content-Type", "").startswith("text/html")
    assert theirs.badge_token.encode() not in response.content


def test_too_many_badges_at_once_are_sent_to_the_sheets(organiser, lyon, monkeypatch):

    monkeypatch.setattr(registrations_admin, "MAX_BADGES_AT_ONCE", 2)
    selected = [registration.pk for registration in badge_holders(lyon)]

    response = organiser.post(
        REGISTRATIONS,
        {"action": "download_badges", "_selected_action": selected},
        follow=True,
    )

    assert response["Content-Type"].startswith("text/html")
    expected = gettext(
        "Select at most %(max)d registrations to download their badges here; for a whole "
        "event, make a badge sheet (Badge sheets)."
    ) % {"max": 2}
    assert expected in _page(response)


def test_an_organiser_reissues_a_lost_badge(organiser, lyon):
    lost = Registration.objects.get(last_name="Lefébure")
    cancelled = Registration.objects.get(last_name="Annulée")
    old_tokens = {lost.pk: lost.badge_token, cancelled.pk: cancelled.badge_token}

    response = organiser.post(
        REGISTRATIONS,
        {"action": "reissue_badges", "_selected_action": [lost.pk, cancelled.pk]},
        follow=True,
    )

    lost.refresh_from_db()
    cancelled.refresh_from_db()
    assert lost.badge_token != old_tokens[lost.pk]
    assert cancelled.badge_token == old_tokens[cancelled.pk]
    page = _page(response)
    assert (
        ngettext(
            "%(count)d badge reissued: the old one no longer opens the door.",
            "%(count)d badges reissued: the old ones no longer open the door.",
            1,
        )
        % {"count": 1}
        in page
    )
    pdf = badges.badge_sheet_pdf([lost], layout="a6")
    assert qr_codes_in_pdf(pdf) == [[lost.badge_token]]
