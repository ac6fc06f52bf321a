"""The organisers of the ceremony upload their guest list, read what it holds, then send the
invitations now or at a chosen time; the guests are invited in the background, the page
shows the progress and then the report. No request does the long work."""

import html
import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from registrations import guest_list_imports, services
from registrations.guest_list_imports import import_guest_list
from registrations.models import GuestListImport, Invitation, OutgoingEmail
from tests.factories import InvitationFactory, MembershipFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:registrations_guestlistimport_add")
MARTINIQUE = ZoneInfo("America/Martinique")
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIXED = """prénom;nom;email;organisation;fonction;accompagnants;langue
Renaud;Muselier;r.muselier@example.org;Région Sud;Président;1;fr
Sophie;Dupont;;CHU de Nice;;0;fr
Marc;Petit;marc.petit@;CHU de Nice;;0;fr
Anne;Durand;R.Muselier@example.org;;;;
Luc;Déjà;deja@example.org;;;;
"Jean
Paul";Martin;jp.martin@example.org;;;;
<b>Eve</b>;Leroy;eve@example.org;;;;
Paul;Roux;paul.roux@example.org;;;deux;
Claire;Morel;Claire.Morel@Example.org;AP-HM;Directrice;2;Anglais
"""


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", _page(response)).split())


@pytest.fixture
def ticket():
    """FHF PACA's ceremony in Martinique's time zone, with its guest ticket."""
    return TicketTypeFactory(
        event__slug="voeux-fhf-martinique",
        event__title_fr="Cérémonie des vœux",
        event__access="invitation",
        event__kind="ceremony",
        event__time_zone="America/Martinique",
        event__organisation__name="FHF PACA",
        category="guest",
        is_public=False,
        name_fr="Invité",
    )


@pytest.fixture
def organiser(client, ticket):
    membership = MembershipFactory(organisation=ticket.event.organisation)
    membership.user.refresh_from_db()
    client.force_login(membership.user)
    return client


def _deadline(ticket) -> datetime:
    return (
        (ticket.event.start - timedelta(days=3))
        .astimezone(MARTINIQUE)
        .replace(hour=18, minute=0, second=0, microsecond=0)
    )


def _upload(client, ticket, content: bytes, *, deadline=None):
    deadline = deadline or _deadline(ticket)
    return client.post(
        UPLOAD,
        {
            "event": str(ticket.event_id),
            "ticket_type": str(ticket.pk),
            "deadline_0": deadline.strftime("%d/%m/%Y"),
            "deadline_1": deadline.strftime("%H:%M"),
            "file": SimpleUploadedFile("invites.csv", content, content_type="text/csv"),
        },
    )


def _guest_list(count: int) -> bytes:
    lines = ["prénom;nom;email;organisation;fonction;accompagnants"]
    lines += [
        f"Invité{n};Nom{n};invite{n}@example.org;Hôpital {n % 40};Directeur;{n % 3}"
        for n in range(count)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_an_organiser_reads_the_preview_of_a_guest_list_before_anything_is_sent(organiser, ticket):
    InvitationFactory(event=ticket.event, ticket_type=ticket, email="deja@example.org")
    mail.outbox.clear()

    response = _upload(organiser, ticket, MIXED.encode())

    assert response.status_code == 302
    job = GuestListImport.objects.get()
    assert response.url == reverse("admin:registrations_guestlistimport_change", args=[job.pk])
    page = _text(organiser.get(response.url))
    assert "9 lignes lues." in page
    assert "2 invités à inviter." in page
    assert "1 adresse e-mail donnée deux fois dans le fichier." in page
    assert "1 invité déjà invité à cet événement." in page
    assert "7 lignes ne seront pas importées :" in page
    assert "5 Cette adresse e-mail figure déjà à la ligne 2 du fichier." in page
    assert "6 email: Cette personne est déjà invitée à cet événement." in page
    assert 'value="Envoyer 2 invitations"' in _page(organiser.get(response.url))
    assert Invitation.objects.filter(event=ticket.event).count() == 1
    assert mail.outbox == []


def test_sending_now_invites_the_good_lines_and_the_page_shows_the_report(organiser, ticket):
    InvitationFactory(event=ticket.event, ticket_type=ticket, email="deja@example.org")
    mail.outbox.clear()
    job_url = _upload(organiser, ticket, MIXED.encode()).url

    response = organiser.post(job_url, {"send_at_0": "", "send_at_1": ""}, follow=True)

    page = _text(response)
    assert "2 invitations créées et envoyées." in page
    assert "7 lignes n’ont pas été importées :" in page
    assert sorted(message.to[0] for message in mail.outbox) == [
        "claire.morel@example.org",
        "r.muselier@example.org",
    ]
    job = GuestListImport.objects.get()
    assert (job.status, job.processed, job.created) == ("done", 2, 2)
    assert [line for line, _reason in job.errors] == [3, 4, 5, 6, 7, 9, 10]


def test_confirming_twice_sends_each_invitation_once(organiser, ticket):
    job_url = _upload(organiser, ticket, MIXED.encode()).url

    organiser.post(job_url, {"send_at_0": "", "send_at_1": ""})
    organiser.post(job_url, {"send_at_0": "", "send_at_1": ""})

    assert Invitation.objects.filter(event=ticket.event).count() == 3
    assert len(mail.outbox) == 3


def test_the_answer_deadline_of_an_upload_is_typed_in_the_events_time_zone(organiser, ticket):
    deadline = _deadline(ticket)  # 18:00 in Martinique

    _upload(organiser, ticket, MIXED.encode(), deadline=deadline)

    job = GuestListImport.objects.get()
    assert job.deadline == deadline.astimezone(UTC)
    assert job.deadline.astimezone(UTC).hour == 22


def test_a_file_that_cannot_be_read_is_refused_at_once_and_nothing_is_recorded(organiser, ticket):
    response = _upload(organiser, ticket, b"colonne;autre\r\nx;y\r\n")

    assert response.status_code == 200
    assert "Colonne(s) manquante(s)" in _page(response)
    assert not GuestListImport.objects.exists()


def test_another_organisations_import_is_not_found(client, organiser, ticket):
    job_url = _upload(organiser, ticket, MIXED.encode()).url
    stranger = MembershipFactory()
    stranger.user.refresh_from_db()
    client.force_login(stranger.user)

    assert client.get(job_url).status_code == 404
    assert client.post(job_url, {"send_at_0": "", "send_at_1": ""}).status_code == 404
    assert not Invitation.objects.exists()


@override_settings(TASKS=DATABASE_TASKS)
def test_invitations_sent_at_a_chosen_time_wait_for_it(organiser, ticket):
    job_url = _upload(organiser, ticket, MIXED.encode()).url
    send_at = _deadline(ticket) - timedelta(days=10)

    response = organiser.post(
        job_url,
        {"send_at_0": send_at.strftime("%d/%m/%Y"), "send_at_1": send_at.strftime("%H:%M")},
        follow=True,
    )

    assert "envoi le " + send_at.strftime("%d/%m/%Y %H:%M") + " (America/Martinique)" in _text(
        response
    )
    task = DBTaskResult.objects.get(task_path="registrations.guest_list_imports.import_guest_list")
    assert task.run_after == send_at.astimezone(UTC)
    assert not Invitation.objects.exists()


def test_a_chosen_time_needs_the_task_worker(organiser, ticket):
    # The immediate backend of development runs tasks at once: it cannot wait for a time.
    job_url = _upload(organiser, ticket, MIXED.encode()).url
    send_at = _deadline(ticket) - timedelta(days=10)

    response = organiser.post(
        job_url,
        {"send_at_0": send_at.strftime("%d/%m/%Y"), "send_at_1": send_at.strftime("%H:%M")},
    )

    assert response.status_code == 200
    assert "l\u2019envoi à une heure choisie a besoin du processus des tâches" in _page(response)
    assert GuestListImport.objects.get().status == "preview"
    assert not Invitation.objects.exists()


def test_an_import_stopped_by_a_crash_is_resumed_and_invites_everyone_once(
    organiser, ticket, monkeypatch
):
    monkeypatch.setattr(guest_list_imports, "BATCH_SIZE", 5)
    real_import = services.import_invitations
    calls = []

    def crash_on_the_third_batch(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real_import(**kwargs)

    monkeypatch.setattr(services, "import_invitations", crash_on_the_third_batch)
    job_url = _upload(organiser, ticket, _guest_list(12)).url

    page = _text(organiser.post(job_url, {"send_at_0": "", "send_at_1": ""}, follow=True))

    assert "10 invitations créées et envoyées." in page
    assert "L\u2019import s\u2019est arrêté après 10 invités sur 12." in page
    assert Invitation.objects.count() == 10
    monkeypatch.setattr(services, "import_invitations", real_import)

    page = _text(organiser.post(job_url, {"resume": "1"}, follow=True))

    assert "12 invitations créées et envoyées." in page
    assert Invitation.objects.count() == 12
    assert OutgoingEmail.objects.filter(kind="invitation").count() == 12
    assert len(mail.outbox) == 12
    import_guest_list.call(GuestListImport.objects.get().pk)  # delivered once more: nothing
    assert Invitation.objects.count() == 12


@override_settings(TASKS=DATABASE_TASKS)
def test_5000_guests_upload_and_confirm_in_short_requests_then_each_is_invited_once(
    organiser, ticket
):
    content = _guest_list(5000)

    started = time.perf_counter()
    response = _upload(organiser, ticket, content)
    upload_seconds = time.perf_counter() - started
    assert response.status_code == 302
    assert "5000 invités à inviter." in _text(organiser.get(response.url))

    started = time.perf_counter()
    organiser.post(response.url, {"send_at_0": "", "send_at_1": ""})
    confirm_seconds = time.perf_counter() - started

    # gunicorn kills a request at 30 s: both stay far below it.
    assert upload_seconds < 10, f"upload and preview took {upload_seconds:.2f} s"
    assert confirm_seconds < 2, f"confirming took {confirm_seconds:.2f} s"
    assert not Invitation.objects.exists()  # the work is queued, not done in the request
    job = GuestListImport.objects.get()
    assert (
        DBTaskResult.objects.filter(
            task_path="registrations.guest_list_imports.import_guest_list"
        ).count()
        == 1
    )

    import_guest_list.call(job.pk)  # what the worker runs

    job.refresh_from_db()
    assert (job.status, job.processed, job.created, job.errors) == ("done", 5000, 5000, [])
    assert Invitation.objects.filter(event=ticket.event).count() == 5000
    emails = OutgoingEmail.objects.filter(kind="invitation")
    assert emails.count() == 5000
    assert emails.values("invitation").distinct().count() == 5000
    deliveries = DBTaskResult.objects.filter(task_path="registrations.emails.deliver_email")
    assert deliveries.count() == 5000


def test_the_list_of_imports_runs_the_same_queries_for_few_and_many(organiser, ticket):
    changelist = reverse("admin:registrations_guestlistimport_changelist")
    for _n in range(2):
        _upload(organiser, ticket, MIXED.encode())
    with CaptureQueriesContext(connection) as few:
        organiser.get(changelist)
    for _n in range(20):
        _upload(organiser, ticket, MIXED.encode())

    with CaptureQueriesContext(connection) as many:
        page = _text(organiser.get(changelist))

    assert len(many) == len(few)
    assert page.count("0 invités sur 3") == 22
    assert "Importer une liste d’invités (CSV)" in _text(organiser.get(UPLOAD))


@override_settings(TASKS=DATABASE_TASKS)
def test_an_import_whose_worker_was_killed_shows_it_and_resumes_without_duplicates(
    organiser, ticket, monkeypatch
):
    monkeypatch.setattr(guest_list_imports, "BATCH_SIZE", 5)
    real_import = services.import_invitations
    calls = []

    def killed_during_the_third_batch(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit  # the worker's process is stopped: nothing runs after this
        return real_import(**kwargs)

    job_url = _upload(organiser, ticket, _guest_list(12)).url
    organiser.post(job_url, {"send_at_0": "", "send_at_1": ""})
    job = GuestListImport.objects.get()
    monkeypatch.setattr(services, "import_invitations", killed_during_the_third_batch)
    with pytest.raises(SystemExit):
        import_guest_list.call(job.pk)
    monkeypatch.setattr(services, "import_invitations", real_import)
    GuestListImport.objects.filter(pk=job.pk).update(
        progressed_at=timezone.now() - timedelta(minutes=11)
    )

    page = _text(organiser.get(job_url))

    assert "10 invités traités sur 12, 10 invitations envoyées." in page
    assert "Cet import n\u2019avance plus depuis plusieurs minutes" in page
    organiser.post(job_url, {"resume": "1"})
    assert (
        DBTaskResult.objects.filter(
            task_path="registrations.guest_list_imports.import_guest_list"
        ).count()
        == 2
    )
    import_guest_list.call(job.pk)  # the worker runs the task queued again
    job.refresh_from_db()
    assert (job.status, job.processed, job.created) == ("done", 12, 12)
    assert Invitation.objects.count() == 12
    assert OutgoingEmail.objects.filter(kind="invitation").count() == 12
