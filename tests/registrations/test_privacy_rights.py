"""The attendee's rights over their data (RGPD, issue 13), from their personal page: download
what is held on them, correct it, change their email address from a link sent to the new one,
withdraw a consent, erase everything; the guest's page; the lost-link page. After an erasure
the whole database is searched for what identified them: nothing is left but the invoices'
payer details, which accounting law keeps."""

import contextlib
import gzip
import json
import zlib
from datetime import timedelta
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail, signing
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from badges.models import BadgeSheet
from checkin.models import CheckIn
from payments import services as payments
from payments.models import Invoice, Payment, StripeEvent
from registrations import privacy, services
from registrations.models import (
    GuestListImport,
    Invitation,
    OutgoingEmail,
    Registration,
)
from tests.checkin.checkin_factories import CheckInFactory
from tests.factories import InvitationFactory, OrganisationFactory, TicketTypeFactory, UserFactory
from tests.registrations.attendee_steps import (
    colloquium_ticket,
    html_part,
    link_in,
    page_text,
    sent_to,
)

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Séraphine",
    "last_name": "Quillembois",
    "email": "s.quillembois@example.org",
    "organisation": "Atelier Zéphyrin",
    "job_title": "Cartographe des marges",
    "accessibility_needs": "Boucle magnétique xylophonique",
}
NEW_EMAIL = "seraphine.q@example.net"
OTHER = {"first_name": "Camille", "last_name": "Durand", "email": "camille.durand@example.org"}
# Tables that keep the person's data after an erasure, and why.
EXEMPT_TABLES = {
    # Invoices and credit notes, frozen with their payer details: kept for the accounting
    # period (Code de commerce, art. L123-22; LPF art. L102 B).
    Invoice._meta.db_table: "accounting retention of invoices and credit notes",
}


def paid_ticket():
    organisation = OrganisationFactory()
    return TicketTypeFactory(
        event__organisation=organisation,
        event__title_fr="Journées des territoires",
        price=Decimal("80.00"),
        allows_invoice=True,
        capacity=50,
        refundable_until_days=5,
    )


def register(ticket, person, **consents):
    return services.register_attendee(
        event=ticket.event,
        ticket_type=ticket,
        attendee=services.AttendeeDetails(**person, consent_processing=True, **consents),
    )


def invoiced(ticket, person, **consents) -> Payment:
    """Registered, their seat held against an invoice their own address receives."""
    registration = register(ticket, person, **consents)
    return payments.start_invoice(
        registration=registration,
        billing=payments.clean_billing(
            {
                "billing_name": "Centre hospitalier d'Arles",
                "billing_address": "Quartier Fourchon\n13200 Arles",
                "purchase_order_number": "BC-2027-0042",
                "billing_email": person["email"],
            }
        ),
    )


def privacy_url(registration) -> str:
    return f"/r/{registration.manage_token}/my-data/"


def download(client, registration) -> dict:
    response = client.get(f"/r/{registration.manage_token}/my-data.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


# --- Access ---------------------------------------------------------------------------------


def test_the_attendee_downloads_every_category_of_their_data_and_nothing_of_another(client):
    ticket = paid_ticket()
    payment = invoiced(ticket, PERSON, consent_photos=True)
    registration = payment.registration
    register(ticket, OTHER)
    CheckInFactory(registration=registration)

    data = download(client, registration)

    assert set(data) >= {
        "registrations",
        "invitations",
        "consents",
        "emails",
        "payments",
        "invoices",
        "checkins",
    }
    [mine] = data["registrations"]
    assert mine["first_name"] == "Séraphine"
    assert mine["organisation"] == "Atelier Zéphyrin"
    assert mine["accessibility_needs"] == "Boucle magnétique xylophonique"
    assert data["consents"][0]["photos"] is True
    assert data["consents"][0]["data_processing_accepted_at"]
    assert {email["kind"] for email in data["emails"]} >= {"facture"}
    assert all(email["subject"] for email in data["emails"])
    assert "Journées des territoires" in data["emails"][0]["subject"]
    [paid] = data["payments"]
    assert paid["billing"]["billing_email"] == PERSON["email"]
    assert paid["invoice"] == payment.invoice.number
    [invoice] = data["invoices"]
    assert invoice["payer_name"] == "Centre hospitalier d'Arles"
    assert data["checkins"][0]["result"] == "admis"
    dumped = json.dumps(data, ensure_ascii=False)
    assert "Durand" not in dumped
    assert OTHER["email"] not in dumped

    page = page_text(client.get(privacy_url(registration)))
    for heading in ("Inscriptions", "Consentements", "E-mails", "Paiements", "Pointages"):
        assert heading in page, heading
    assert "Cartographe des marges" in page
    assert "Durand" not in page
    assert "Télécharger mes données (JSON)" in page


def test_the_attendee_page_links_to_the_rights_page(client):
    registration = register(paid_ticket(), PERSON)

    page = page_text(client.get(f"/r/{registration.manage_token}/"))

    assert privacy_url(registration) in page
    assert "Mes données et mes droits" in page


def test_an_unknown_token_opens_no_data(client):
    assert client.get("/r/not-a-real-token/my-data/").status_code == 404
    assert client.get("/r/not-a-real-token/my-data.json").status_code == 404


# --- Correction -----------------------------------------------------------------------------


def test_details_are_corrected_even_after_registration_has_closed(client):
    ticket = paid_ticket()
    registration = register(ticket, PERSON)
    ticket.sale_end = timezone.now() - timedelta(minutes=1)
    ticket.sale_start = timezone.now() - timedelta(days=1)
    ticket.save()

    response = client.post(
        privacy_url(registration),
        {
            "action": "details",
            "details-first_name": "Séraphine",
            "details-last_name": "Quillembois-Arnaud",
            "details-organisation": "Atelier Zéphyrin (Lyon)",
            "details-job_title": "Cartographe",
        },
        follow=True,
    )

    assert "Vos informations ont été corrigées." in page_text(response)
    registration.refresh_from_db()
    assert registration.last_name == "Quillembois-Arnaud"
    assert registration.organisation == "Atelier Zéphyrin (Lyon)"
    assert registration.job_title == "Cartographe"


def test_a_correction_with_bad_input_says_why_and_changes_nothing(client):
    registration = register(paid_ticket(), PERSON)

    response = client.post(
        privacy_url(registration),
        {
            "action": "details",
            "details-first_name": "",
            "details-last_name": "<b>Quillembois</b>",
            "details-organisation": "x" * 300,
            "details-job_title": "",
        },
    )

    page = page_text(response)
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in page
    assert "Le HTML et les autres balises ne sont pas acceptés ici." in page
    assert "200 caractères au plus (300 reçus)." in page
    registration.refresh_from_db()
    assert registration.first_name == "Séraphine"
    assert registration.organisation == "Atelier Zéphyrin"


def correct_name(client, registration, first_name, last_name, **options):
    return client.post(
        privacy_url(registration),
        {
            "action": "details",
            "details-first_name": first_name,
            "details-last_name": last_name,
            "details-organisation": registration.organisation,
            "details-job_title": registration.job_title,
        },
        **options,
    )


def badge_of(client, registration) -> bytes:
    response = client.get(f"/r/{registration.manage_token}/badge.png")
    assert response.status_code == 200
    return response.content


def test_the_attendee_corrects_the_spelling_of_their_name_and_their_badge_follows(client):
    registration = register(colloquium_ticket(), OTHER)
    badge_before = badge_of(client, registration)

    response = correct_name(client, registration, "Camille", "Durand-Lefèvre", follow=True)

    assert response.redirect_chain == [(privacy_url(registration), 302)]
    assert "Vos informations ont été corrigées." in page_text(response)
    registration.refresh_from_db()
    assert registration.last_name == "Durand-Lefèvre"
    assert "Camille Durand-Lefèvre" in page_text(client.get(f"/r/{registration.manage_token}/"))
    assert badge_of(client, registration) != badge_before
    entry = AuditEntry.objects.get(action="registration.edit")
    assert (entry.object_id, entry.actor_kind, entry.channel) == (
        str(registration.pk),
        "attendee",
        "attendee_page",
    )
    assert entry.changes == {"last_name": ["Durand", "Durand-Lefèvre"]}


def test_saving_the_same_details_again_changes_and_records_nothing(client):
    registration = register(colloquium_ticket(), OTHER)

    correct_name(client, registration, "Camille", "Durand")

    assert not AuditEntry.objects.filter(action="registration.edit").exists()


def test_a_name_with_a_line_break_is_refused_and_nothing_changes(client):
    registration = register(colloquium_ticket(), OTHER)

    response = correct_name(client, registration, "Jean\r\nBcc: x@example.org", "")

    page = page_text(response)
    assert response.status_code == 200
    assert "Les retours à la ligne et les caractères de contrôle ne sont pas acceptés ici." in page
    assert "Ce champ est obligatoire." in page
    registration.refresh_from_db()
    assert (registration.first_name, registration.last_name) == ("Camille", "Durand")
    assert not AuditEntry.objects.filter(action="registration.edit").exists()


def test_a_cancelled_registrations_name_may_still_be_corrected(client):
    """The right to correct has no deadline, whatever became of the registration (its
    attendance certificate and invoices name the person)."""
    registration = register(colloquium_ticket(), OTHER)
    services.cancel_registration(registration=registration)

    response = correct_name(client, registration, "Camille", "Durand-Lefèvre")

    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.status, registration.last_name) == ("cancelled", "Durand-Lefèvre")


# --- Email change ---------------------------------------------------------------------------


def test_the_email_changes_only_once_confirmed_from_the_new_address(client):
    registration = register(paid_ticket(), PERSON)
    mail.outbox.clear()

    response = client.post(
        privacy_url(registration), {"action": "email", "email-email": NEW_EMAIL}, follow=True
    )

    assert "Nous avons envoyé un lien de confirmation à la nouvelle adresse." in page_text(response)
    registration.refresh_from_db()
    assert registration.email == PERSON["email"]
    [message] = sent_to(NEW_EMAIL)
    assert "Confirmez votre nouvelle adresse e-mail" in message.subject
    assert sent_to(PERSON["email"]) == []
    link = link_in(message.body, f"/r/{registration.manage_token}/my-data/email/")
    assert link in html_part(message)

    shown = client.get(link)
    assert shown.status_code == 200
    assert NEW_EMAIL in page_text(shown)
    registration.refresh_from_db()
    assert registration.email == PERSON["email"]  # a mail scanner's visit changes nothing

    confirmed = client.post(link, follow=True)

    assert "Votre adresse e-mail a été modifiée." in page_text(confirmed)
    registration.refresh_from_db()
    assert registration.email == NEW_EMAIL
    again = client.post(link)
    assert again.status_code == 400
    assert "Ce lien de confirmation a déjà servi" in page_text(again)


def test_an_expired_or_tampered_email_link_says_so_and_changes_nothing(client, settings):
    registration = register(paid_ticket(), PERSON)
    signature = privacy.email_change_signature(registration=registration, new_email=NEW_EMAIL)
    base = f"/r/{registration.manage_token}/my-data/email/"

    tampered = client.post(f"{base}{signature[:-3]}abc/")
    forged = signing.dumps(
        {"r": registration.pk, "from": PERSON["email"], "to": NEW_EMAIL}, salt="another"
    )
    other = client.post(f"{base}{forged}/")
    past = timezone.now() - timedelta(seconds=privacy.EMAIL_CHANGE_MAX_AGE + 60)
    old_signer = signing.TimestampSigner(salt="registrations.privacy.email-change")
    old_signer.timestamp = lambda: signing.b62_encode(int(past.timestamp()))
    expired_signature = old_signer.sign_object(
        {"r": registration.pk, "from": PERSON["email"], "to": NEW_EMAIL}, compress=True
    )
    expired = client.post(f"{base}{expired_signature}/")

    for response in (tampered, other):
        assert response.status_code == 400
        assert "Ce lien de confirmation n’est pas valide." in page_text(response)
    assert expired.status_code == 400
    assert "Ce lien de confirmation a expiré." in page_text(expired)
    registration.refresh_from_db()
    assert registration.email == PERSON["email"]


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not-an-address", "Saisissez une adresse e-mail valide."),
        ("", "Saisissez une adresse e-mail valide."),
        (PERSON["email"], "C’est déjà l’adresse de cette inscription."),
        (OTHER["email"], "Cette adresse est déjà inscrite à cet événement."),
    ],
)
def test_a_bad_new_address_is_refused_with_a_clear_message(client, address, message):
    ticket = paid_ticket()
    registration = register(ticket, PERSON)
    register(ticket, OTHER)
    mail.outbox.clear()

    response = client.post(privacy_url(registration), {"action": "email", "email-email": address})

    assert response.status_code == 200
    assert message in page_text(response)
    assert mail.outbox == []
    assert not OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.EMAIL_CHANGE).exists()


# --- Consents -------------------------------------------------------------------------------


def test_the_attendee_withdraws_the_photo_and_news_consents(client):
    registration = register(paid_ticket(), PERSON, consent_photos=True, consent_news=True)

    response = client.post(
        privacy_url(registration), {"action": "withdraw", "consent": "photos"}, follow=True
    )

    assert "Votre consentement a été retiré." in page_text(response)
    registration.refresh_from_db()
    assert registration.consent_photos is False
    assert registration.consent_photos_withdrawn_at is not None
    assert registration.consent_news is True
    client.post(privacy_url(registration), {"action": "withdraw", "consent": "news"})
    registration.refresh_from_db()
    assert registration.consent_news is False
    [consent] = download(client, registration)["consents"]
    assert consent["photos_withdrawn_at"]
    assert consent["news_withdrawn_at"]

    unknown = client.post(
        privacy_url(registration), {"action": "withdraw", "consent": "processing"}, follow=True
    )
    assert "Cette action n’est pas disponible." in page_text(unknown)


# --- Lost link ------------------------------------------------------------------------------


def test_the_lost_link_page_sends_every_link_of_the_address_and_says_the_same_otherwise(client):
    first = register(paid_ticket(), PERSON)
    second = register(paid_ticket(), PERSON)
    invitation = InvitationFactory(email=PERSON["email"])
    mail.outbox.clear()

    known = client.post("/my-links/", {"email": "S.Quillembois@example.org"})
    unknown = client.post("/my-links/", {"email": "nobody@example.org"})

    assert page_text(known) == page_text(unknown).replace("nobody@example.org", "")
    assert "nous venons de lui envoyer leurs liens" in page_text(known)
    [message] = mail.outbox
    assert message.to == [PERSON["email"]]
    for url in (first.get_personal_url(), second.get_personal_url()):
        assert url in message.body
    assert invitation.get_personal_url() in message.body

    invalid = client.post("/my-links/", {"email": "pas une adresse"})
    assert invalid.status_code == 200
    assert "Saisissez une adresse e-mail valide." in page_text(invalid)


def test_the_lost_link_page_is_rate_limited(client, settings):
    settings.RATE_LIMITS = {"lost_link": "2/h"}

    answers = [
        client.post("/my-links/", {"email": "nobody@example.org"}).status_code for _ in range(3)
    ]

    assert answers == [200, 200, 429]


# --- The guest's page -----------------------------------------------------------------------


def test_a_guest_downloads_and_erases_their_invitation(client):
    invitation = InvitationFactory(
        first_name="Aurélien", last_name="Vasquebrun", email="a.vasquebrun@example.org"
    )
    other = InvitationFactory(event=invitation.event, ticket_type=invitation.ticket_type)
    url = f"/invitations/{invitation.token}/my-data/"

    assert url in page_text(client.get(f"/invitations/{invitation.token}/"))
    data = json.loads(client.get(f"/invitations/{invitation.token}/my-data.json").content)
    [held] = data["invitations"]
    assert held["email"] == "a.vasquebrun@example.org"
    assert other.email not in json.dumps(data)

    confirm = client.post(url, {"action": "erase"})
    assert "Voulez-vous vraiment effacer vos données" in page_text(confirm)
    done = client.post(url, {"action": "erase", "confirm": "yes"}, follow=True)

    assert "Vos données ont été effacées" in page_text(done)
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.DECLINED
    assert invitation.erased_at is not None
    assert "Vasquebrun" not in str(Invitation.objects.values_list())
    assert client.get(url).status_code == 404
    other.refresh_from_db()
    assert other.first_name == "Hélène"


# --- Erasure: no trace left -----------------------------------------------------------------


def _texts(value):
    """Every readable form of a stored value: bytes decompressed when they are gzip or zlib,
    JSON read back (SQLite stores non-ASCII letters as escapes)."""
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        texts = [value.decode("utf-8", errors="ignore"), value.decode("latin-1")]
        for decompress in (gzip.decompress, zlib.decompress):
            with contextlib.suppress(OSError, zlib.error, EOFError):
                texts.extend(_texts(decompress(value)))
        return texts
    text = str(value)
    try:
        texts = [text, json.dumps(json.loads(text), ensure_ascii=False)]
    except ValueError:
        texts = [text]
    return texts


def database_dump() -> dict[str, list[str]]:
    """Every table, every column of every row, as text."""
    dump = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump[table] = [
                text for row in cursor.fetchall() for value in row for text in _texts(value)
            ]
    return dump


def traces_of(values, dump) -> dict[str, set[str]]:
    found = {}
    for table, texts in dump.items():
        joined = "\n".join(texts).lower()
        hits = {value for value in values if value.lower() in joined}
        if hits:
            found[table] = hits
    return found


def plant_traces(registration, payment):
    """What the person leaves beyond their registration: a scan, a Stripe payload, an admin
    log entry, a task's traceback, a login attempt with their address, a badge sheet, a
    guest list they were on."""
    full_name = f"{PERSON['first_name']} {PERSON['last_name']}"
    CheckInFactory(registration=registration)
    StripeEvent.objects.create(
        id="evt_erasure_1",
        type="checkout.session.completed",
        payment=payment,
        payload={"data": {"object": {"customer_details": {"email": PERSON["email"]}}}},
    )
    StripeEvent.objects.create(
        id="evt_erasure_2",
        type="charge.failed",
        payload={"billing_details": {"name": full_name, "email": NEW_EMAIL}},
    )
    LogEntry.objects.create(
        user=UserFactory(),
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(registration.pk),
        object_repr=str(registration),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Organisation"]}}]),
    )
    DBTaskResult.objects.create(
        enqueued_at=timezone.now(),
        args_kwargs={"args": [NEW_EMAIL], "kwargs": {}},
        task_path="registrations.emails.deliver_email",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="smtplib.SMTPRecipientsRefused",
        traceback=f"SMTPRecipientsRefused: {full_name} <{NEW_EMAIL}>",
    )
    AccessAttempt.objects.create(
        username=NEW_EMAIL, ip_address="192.0.2.1", user_agent="test", failures_since_start=1
    )
    BadgeSheet.objects.create(
        event=registration.event,
        status=BadgeSheet.Status.DONE,
        pdf=zlib.compress(f"BT ({full_name}) Tj ET".encode()),
    )
    GuestListImport.objects.create(
        event=registration.event,
        ticket_type=registration.ticket_type,
        deadline=registration.event.start,
        file_name="invites.csv",
        content=(
            "prénom;nom;email\n"
            f"{PERSON['first_name']};{PERSON['last_name']};{NEW_EMAIL}\n"
            "Camille;Durand;camille.durand@example.org\n"
        ).encode(),
    )


def test_an_erased_attendee_leaves_no_trace_but_the_invoice(client):
    ticket = paid_ticket()
    payment = invoiced(ticket, PERSON, consent_photos=True, consent_news=True)
    registration = payment.registration
    other = register(ticket, OTHER)
    # The attendee withdraws a consent and changes address before asking for erasure.
    client.post(privacy_url(registration), {"action": "withdraw", "consent": "news"})
    client.post(privacy_url(registration), {"action": "email", "email-email": NEW_EMAIL})
    client.post(link_in(sent_to(NEW_EMAIL)[0].body, f"/r/{registration.manage_token}/my-data/"))
    registration.refresh_from_db()
    assert registration.email == NEW_EMAIL
    plant_traces(registration, payment)
    registrations_before = Registration.objects.count()
    old_page = privacy_url(registration)

    confirm = client.post(old_page, {"action": "erase"})
    assert "Voulez-vous vraiment effacer vos données" in page_text(confirm)
    done = client.post(old_page, {"action": "erase", "confirm": "yes"}, follow=True)

    assert "Vos données ont été effacées" in page_text(done)
    assert client.get(old_page).status_code == 404
    assert client.get(f"/r/{registration.manage_token}/").status_code == 404
    erased = Registration.objects.get(pk=registration.pk)
    assert erased.status == Registration.Status.CANCELLED
    assert erased.erased_at is not None
    # What stays, identifying nobody, or kept by law.
    assert Registration.objects.count() == registrations_before
    assert CheckIn.objects.filter(registration=erased).count() == 1
    assert OutgoingEmail.objects.filter(registration=erased).exists()
    invoice = Invoice.objects.get(pk=payment.invoice_id)
    assert invoice.buyer_email == PERSON["email"]
    assert Invoice.objects.filter(credited_invoice=invoice).exists()
    assert not BadgeSheet.objects.exists()
    other.refresh_from_db()
    assert (other.first_name, other.email) == ("Camille", OTHER["email"])

    values = [*PERSON.values(), NEW_EMAIL, "Séraphine Quillembois"]
    dump = database_dump()
    traces = traces_of(values, dump)
    assert set(traces) <= set(EXEMPT_TABLES), traces
    assert traces_of(values, {"invoice": dump[Invoice._meta.db_table]})  # the search is real
    guest_list = GuestListImport.objects.get()
    assert b"camille.durand@example.org" in bytes(guest_list.content)


def test_erasure_runs_twice_without_harm():
    registration = register(paid_ticket(), PERSON)

    privacy.erase_registration(registration=registration, reason="test")
    erasure = privacy.erase_registration(registration=registration, reason="test")

    assert erasure.identifiers == []
    assert Registration.objects.get(pk=registration.pk).last_name == privacy.ERASED_NAME
