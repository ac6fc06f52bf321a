"""The door staff correct the log: an admission made by mistake is annulled (and the person's
next scan admits them), a refusal is overridden (the person is admitted anyway, with a reason).
Each correction leaves one entry in the audit trail."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from audit import services as audit
from audit.context import ActorKind, Channel, acting
from audit.models import AuditEntry
from checkin import attendance, corrections
from checkin import retention as checkin_retention
from checkin import services as checkin
from checkin.models import CheckIn, Checkpoint
from checkin.selectors import with_arrival
from payments.models import Payment
from registrations import privacy
from registrations.models import Registration
from tests.checkin.checkin_factories import CheckInFactory
from tests.factories import EventFactory, MembershipFactory, SessionFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = pytest.mark.django_db

Result = CheckIn.Result


@pytest.fixture
def event():
    now = timezone.now()
    return EventFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=8))


@pytest.fixture
def attendee(event):
    ticket = TicketTypeFactory(event=event, category="academic")
    return RegistrationFactory(ticket_type=ticket, first_name="Alessia", last_name="Lefébure")


@pytest.fixture
def entrance(event):
    return checkin.entrance_checkpoint(event)


@pytest.fixture
def device(event):
    return checkin.create_scanner_device(event=event, name="Entrée nord")[0]


@pytest.fixture
def staff(event):
    return MembershipFactory(
        organisation=event.organisation,
        role="door_staff",
        user__first_name="Hugo",
        user__last_name="Martin",
    ).user


def scan(registration, checkpoint, device=None, **kwargs):
    kwargs.setdefault("nonce", uuid.uuid4().hex)
    return checkin.check_in(
        checkpoint=checkpoint, token=registration.badge_token, device=device, **kwargs
    )


def arrived_at_entrance(event) -> int:
    return attendance.attendance_counts(event=event).entrance.total.arrived


def only_entry(action):
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1
    return entries[0]


# --- Annul --------------------------------------------------------------------------------------


def test_an_annulled_admission_stays_in_the_log_and_the_next_scan_admits(
    event, attendee, entrance, device
):
    mistake = scan(attendee, entrance, device).checkin
    assert scan(attendee, entrance, device).result == Result.ALREADY_CHECKED_IN

    with acting(channel=Channel.API, kind=ActorKind.DEVICE, label=device.name):
        annulled = corrections.annul_admission(
            checkin=mistake, device=device, reason="Badge de sa collègue"
        )

    assert annulled.annulled_at is not None
    assert annulled.annulled_by_label == "Entrée nord"
    assert annulled.annul_reason == "Badge de sa collègue"
    assert annulled.is_first_entry is False
    assert CheckIn.objects.filter(pk=mistake.pk, result=Result.OK).exists()  # still in the log
    assert arrived_at_entrance(event) == 0
    assert attendance.count_not_arrived(event=event) == 1

    again = scan(attendee, entrance, device)
    assert again.result == Result.OK
    assert again.checkin.is_first_entry
    assert arrived_at_entrance(event) == 1
    entry = only_entry("checkin.annul")
    assert entry.actor_kind == ActorKind.DEVICE
    assert entry.actor_label == "Entrée nord"
    assert entry.channel == Channel.API
    assert entry.object_id == str(mistake.pk)
    assert entry.event == event
    assert entry.organisation == event.organisation
    assert entry.changes == {"result": ["ok", "annulled"], "reason": ["", "Badge de sa collègue"]}


def test_annulling_twice_is_refused_clearly_and_recorded_once(attendee, entrance, staff):
    admitted = scan(attendee, entrance).checkin
    corrections.annul_admission(checkin=admitted, user=staff)

    with pytest.raises(corrections.CorrectionError) as refused:
        corrections.annul_admission(checkin=admitted, user=staff)

    assert "a déjà été annulée" in refused.value.message
    assert refused.value.field is None
    assert AuditEntry.objects.filter(action="checkin.annul").count() == 1
    assert CheckIn.objects.get(pk=admitted.pk).annulled_by == staff


def test_a_refusal_cannot_be_annulled(event, attendee, entrance):
    attendee.status = Registration.Status.CANCELLED
    attendee.save()
    refusal = scan(attendee, entrance).checkin

    with pytest.raises(corrections.CorrectionError) as refused:
        corrections.annul_admission(checkin=refusal)

    assert refused.value.message == (
        "Seule une entrée peut être annulée\u00a0: ce scan n’a fait entrer personne."
    )
    assert not AuditEntry.objects.filter(action="checkin.annul").exists()
    assert CheckIn.objects.get(pk=refusal.pk).annulled_at is None


def test_annulling_the_first_entry_makes_the_following_return_the_first(event, attendee):
    checkpoint = checkin.entrance_checkpoint(event)
    checkpoint.allows_reentry = True
    checkpoint.save()
    first = scan(attendee, checkpoint).checkin
    back = scan(attendee, checkpoint).checkin
    assert back.result == Result.OK
    assert not back.is_first_entry

    corrections.annul_admission(checkin=first)

    assert CheckIn.objects.get(pk=back.pk).is_first_entry
    assert arrived_at_entrance(event) == 1
    assert scan(attendee, checkpoint).first_entry.pk == back.pk


def test_a_reason_must_be_one_line_of_reasonable_length(attendee, entrance):
    admitted = scan(attendee, entrance).checkin
    for reason in ("deux\nlignes", "x" * 301):
        with pytest.raises(corrections.CorrectionError) as refused:
            corrections.annul_admission(checkin=admitted, reason=reason)
        assert refused.value.field == "reason"
    assert CheckIn.objects.get(pk=admitted.pk).annulled_at is None


def test_every_reader_of_admissions_ignores_an_annulled_scan(event, attendee, entrance, device):
    mistake = scan(attendee, entrance, device).checkin
    corrections.annul_admission(checkin=mistake)

    bundle = checkin.offline_bundle(entrance)
    assert bundle["badges"][0]["first_checked_in_at"] is None
    person = with_arrival(Registration.objects.filter(pk=attendee.pk)).get()
    assert person.checked_in_at is None
    counts = attendance.attendance_counts(event=event).entrance
    assert (counts.total.arrived, counts.refused, counts.scans) == (0, 0, 1)
    assert attendance.arrivals_over_time(event=event) == []
    assert [row.arrival for row in attendance.attendance_sheet(event=event)] == [None]
    assert attendance.attended_hours(registration=attendee).attended is False
    assert attendance.attended_hours_by_registration(event=event) == {}


def test_an_annulled_admission_gives_no_certificate(event, attendee):
    event.start = timezone.now() - timedelta(days=2)
    event.end = timezone.now() - timedelta(days=2) + timedelta(hours=8)
    event.save()
    mistake = CheckInFactory(registration=attendee, scanned_at=event.start + timedelta(hours=1))
    assert attendance.certificate_available(registration=attendee)

    corrections.annul_admission(checkin=mistake)

    assert not attendance.certificate_available(registration=attendee)


def test_an_offline_admission_the_server_refused_can_be_annulled(event, attendee, entrance):
    attendee.status = Registration.Status.CANCELLED
    attendee.save()
    offline = scan(
        attendee, entrance, is_offline=True, client_result=Result.OK, scanned_at=timezone.now()
    ).checkin
    assert len(attendance.conflict_report(event=event)) == 1

    corrections.annul_admission(checkin=offline, reason="Badge retrouvé par terre")

    assert attendance.conflict_report(event=event) == []
    assert arrived_at_entrance(event) == 0


# --- Override -----------------------------------------------------------------------------------


def unpaid(attendee):
    attendee.status = Registration.Status.PENDING_PAYMENT
    attendee.save()
    return attendee


def refusal(kind, event, attendee, entrance):
    """A scan refused as `kind` (one of the overridable refusals)."""
    if kind == Result.NOT_PAID:
        unpaid(attendee)
        return scan(attendee, entrance).checkin
    if kind == Result.NOT_VALID_NOW:
        workshop = SessionFactory(event=event, requires_signup=True)
        checkpoint = Checkpoint.objects.create(event=event, name="Atelier", session=workshop)
        return scan(attendee, checkpoint).checkin
    scan(attendee, entrance)
    return scan(attendee, entrance).checkin


@pytest.mark.parametrize("kind", [Result.NOT_PAID, Result.NOT_VALID_NOW, Result.ALREADY_CHECKED_IN])
def test_an_overridable_refusal_is_admitted_anyway_and_counts(
    kind, event, attendee, entrance, staff
):
    refused = refusal(kind, event, attendee, entrance)
    assert refused.result == kind

    with acting(channel=Channel.API, actor=staff):
        answer = corrections.override_refusal(
            checkin=refused, user=staff, reason="Le rectorat paie après l’événement"
        )

    admission = answer.checkin
    assert answer.result == Result.OK
    assert not answer.is_replay
    assert admission.pk != refused.pk
    assert admission.overrides_id == refused.pk
    assert admission.override_reason == "Le rectorat paie après l’événement"
    assert admission.user == staff
    assert admission.gate == "Hugo Martin"
    assert admission.scanned_at == refused.scanned_at
    # A return at a checkpoint without re-entry: the person already has the day's first entry.
    assert admission.is_first_entry is (kind != Result.ALREADY_CHECKED_IN)
    counts = attendance.attendance_counts(event=event)
    row = next(row for row in counts.checkpoints if row.checkpoint.pk == refused.checkpoint_id)
    assert row.total.arrived == 1
    entry = only_entry("checkin.override")
    assert (entry.actor_kind, entry.actor_user, entry.channel) == (
        ActorKind.USER,
        staff,
        Channel.API,
    )
    assert entry.object_id == str(admission.pk)
    assert entry.changes == {
        "result": [kind, "ok"],
        "overrides": [None, refused.pk],
        "reason": ["", "Le rectorat paie après l’événement"],
    }


def test_overriding_twice_answers_the_first_override(attendee, entrance, device):
    refused = scan(unpaid(attendee), entrance, device).checkin
    first = corrections.override_refusal(checkin=refused, device=device, reason="Bon de commande")

    second = corrections.override_refusal(checkin=refused, device=device, reason="Autre raison")

    assert second.is_replay
    assert second.checkin.pk == first.checkin.pk
    assert second.checkin.override_reason == "Bon de commande"
    assert CheckIn.objects.filter(overrides=refused).count() == 1
    assert AuditEntry.objects.filter(action="checkin.override").count() == 1


def test_a_refusal_whose_override_was_annulled_is_not_answered_as_a_welcome(
    attendee, entrance, device
):
    refused = scan(unpaid(attendee), entrance, device).checkin
    first = corrections.override_refusal(checkin=refused, device=device, reason="Bon de commande")
    corrections.annul_admission(checkin=first.checkin, device=device, reason="Erreur")

    with pytest.raises(corrections.CorrectionError, match="scannez de nouveau le badge"):
        corrections.override_refusal(checkin=refused, device=device, reason="Bon de commande")

    assert arrived_at_entrance(attendee.event) == 0
    assert CheckIn.objects.filter(overrides=refused).count() == 1


def test_a_client_nonce_cannot_stand_in_the_way_of_an_override(attendee, entrance, device):
    refused = scan(unpaid(attendee), entrance, device).checkin
    # A device may send any nonce, this refusal's id included.
    scan(attendee, entrance, device, nonce=f"override-{refused.pk}")

    override = corrections.override_refusal(checkin=refused, device=device, reason="Sur liste")

    assert not override.is_replay
    assert override.checkin.result == CheckIn.Result.OK
    assert override.checkin.overrides == refused


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("unknown", "Ce badge n’est pas un badge de cet événement"),
        ("wrong_event", "Ce badge n’est pas un badge de cet événement"),
        ("cancelled", "Cette inscription est annulée"),
    ],
)
def test_refusals_that_cannot_be_overridden_say_why(make, message, event, attendee, entrance):
    if make == "unknown":
        refused = checkin.check_in(checkpoint=entrance, token="nope" * 6, nonce="n1")
    elif make == "wrong_event":
        stranger = RegistrationFactory()
        refused = checkin.check_in(checkpoint=entrance, token=stranger.badge_token, nonce="n2")
    else:
        attendee.status = Registration.Status.CANCELLED
        attendee.save()
        refused = scan(attendee, entrance)
    assert refused.result == make

    with pytest.raises(corrections.CorrectionError) as error:
        corrections.override_refusal(checkin=refused.checkin, reason="On le connaît")

    assert error.value.message.startswith(message)
    if make == "cancelled":
        assert "Seul un organisateur peut rétablir la personne" in error.value.message
    assert CheckIn.objects.count() == 1
    assert not AuditEntry.objects.filter(action="checkin.override").exists()


def test_a_registration_cancelled_since_the_refusal_is_not_admitted_anyway(attendee, entrance):
    refused = scan(unpaid(attendee), entrance).checkin
    attendee.status = Registration.Status.CANCELLED
    attendee.save()

    with pytest.raises(corrections.CorrectionError, match="inscription est annulée"):
        corrections.override_refusal(checkin=refused, reason="Il a payé en liquide")


def test_an_admission_is_not_overridden(attendee, entrance):
    admitted = scan(attendee, entrance).checkin

    with pytest.raises(corrections.CorrectionError, match="pas de refus à lever"):
        corrections.override_refusal(checkin=admitted, reason="Pour voir")


@pytest.mark.parametrize("reason", ["", "   ", None, "ligne\nsuivante"])
def test_an_override_needs_a_one_line_reason(reason, attendee, entrance):
    refused = scan(unpaid(attendee), entrance).checkin

    with pytest.raises(corrections.CorrectionError) as error:
        corrections.override_refusal(checkin=refused, reason=reason)

    assert error.value.field == "reason"
    assert not CheckIn.objects.filter(overrides=refused).exists()


def test_an_offline_scan_the_server_refused_is_still_overridable(event, attendee, entrance):
    unpaid(attendee)
    Payment.objects.filter(registration=attendee).delete()
    moment = timezone.now() - timedelta(minutes=20)
    offline = scan(
        attendee, entrance, is_offline=True, client_result=Result.OK, scanned_at=moment
    ).checkin
    assert offline.result == Result.NOT_PAID
    assert len(attendance.conflict_report(event=event)) == 1

    answer = corrections.override_refusal(checkin=offline, reason="Facture en cours au rectorat")

    assert answer.result == Result.OK
    assert answer.checkin.scanned_at == moment
    assert answer.checkin.is_first_entry
    assert attendance.conflict_report(event=event) == []
    assert arrived_at_entrance(event) == 1


def test_an_override_annulled_in_turn_counts_for_nothing(event, attendee, entrance):
    refused = scan(unpaid(attendee), entrance).checkin
    admission = corrections.override_refusal(checkin=refused, reason="Erreur de caisse").checkin

    corrections.annul_admission(checkin=admission, reason="Pas la bonne personne")

    assert arrived_at_entrance(event) == 0
    assert [entry.action for entry in AuditEntry.objects.order_by("pk")] == [
        "checkin.override",
        "checkin.annul",
    ]


def test_an_erasure_blanks_the_reasons_given_at_the_door(attendee, entrance):
    refused = scan(unpaid(attendee), entrance).checkin
    admission = corrections.override_refusal(
        checkin=refused, reason="Alessia Lefébure, connue de l’accueil"
    ).checkin
    corrections.annul_admission(checkin=admission, reason="Lefébure avait deux badges")

    privacy.erase_registration(registration=attendee, reason="Demande de l’intéressée")

    scans = CheckIn.objects.filter(registration=attendee)
    assert scans.count() == 2
    assert set(scans.values_list("annul_reason", "override_reason")) == {("", "")}
    entries = AuditEntry.objects.filter(action__startswith="checkin.").order_by("pk")
    assert [entry.changes["reason"] for entry in entries] == [["", "anonymised"]] * 2
    assert [entry.changes["result"] for entry in entries] == [
        ["not_paid", "ok"],
        ["ok", "annulled"],
    ]


def test_a_short_reason_erased_with_the_person_leaves_every_other_entry_alone(attendee, entrance):
    admission = scan(attendee, entrance).checkin
    corrections.annul_admission(checkin=admission, reason="e")
    other = EventFactory(title="Colloque de Rennes")
    audit.record("event.change", other, changes={"title": ["Colloque de Nantes", "Rennes"]})
    mine = audit.record("event.change", attendee.event, changes={"title": ["Avant", "Après"]})

    privacy.erase_registration(registration=attendee, reason="Demande de l’intéressée")

    assert only_entry("checkin.annul").changes["reason"] == ["", "anonymised"]
    others = AuditEntry.objects.filter(action="event.change").order_by("pk")
    assert [entry.changes for entry in others] == [
        {"title": ["Colloque de Nantes", "Rennes"]},
        {"title": ["Avant", "Après"]},
    ]
    assert mine.pk == others[1].pk


def test_retention_deleting_scans_blanks_their_corrections_reasons(attendee, entrance):
    admission = scan(attendee, entrance).checkin
    corrections.annul_admission(checkin=admission, reason="Lefébure avait deux badges")
    due = checkin_retention.find_checkins(attendee.event, 0, timezone.now() + timedelta(days=1))

    checkin_retention.delete_checkins(due)

    assert not CheckIn.objects.filter(registration=attendee).exists()
    entry = only_entry("checkin.annul")
    assert entry.changes["reason"] == ["", "anonymised"]
    assert entry.changes["result"] == ["ok", "annulled"]


# --- The back office ----------------------------------------------------------------------------

CHANGELIST = "/admin/checkin/checkin/"


@pytest.fixture
def organiser_client(client, event):
    organiser = MembershipFactory(organisation=event.organisation, role="organiser").user
    client.force_login(organiser)
    client.user = organiser
    return client


def test_the_back_office_asks_a_reason_then_annuls_the_selected_admissions(
    organiser_client, event, attendee, entrance
):
    admitted = scan(attendee, entrance).checkin
    refused = scan(attendee, entrance).checkin
    selection = {"action": "annul_admissions", "_selected_action": [admitted.pk, refused.pk]}

    page = organiser_client.post(CHANGELIST, selection)

    assert page.status_code == 200
    assert "Annuler ces entrées" in page.text
    assert 'name="reason"' in page.text
    assert CheckIn.objects.get(pk=admitted.pk).annulled_at is None

    done = organiser_client.post(
        CHANGELIST, {**selection, "apply_annul": "yes", "reason": "Badge prêté"}, follow=True
    )

    assert "1 entrée annulée." in done.text
    assert "Seule une entrée peut être annulée" in done.text  # the refusal, said and left alone
    annulled = CheckIn.objects.get(pk=admitted.pk)
    assert (annulled.annulled_by, annulled.annul_reason) == (organiser_client.user, "Badge prêté")
    entry = only_entry("checkin.annul")
    assert (entry.actor_kind, entry.actor_user, entry.channel) == (
        ActorKind.USER,
        organiser_client.user,
        Channel.BACK_OFFICE,
    )
    assert arrived_at_entrance(event) == 0


def test_select_all_annuls_every_admission_the_confirmation_listed(
    organiser_client, event, attendee, entrance
):
    first = scan(attendee, entrance).checkin
    second = scan(RegistrationFactory(ticket_type=attendee.ticket_type), entrance).checkin
    # "Select all": one box ticked on the page, every scan of the list meant.
    selection = {
        "action": "annul_admissions",
        "_selected_action": [first.pk],
        "select_across": "1",
    }

    page = organiser_client.post(CHANGELIST, selection)
    assert 'name="select_across" value="1"' in page.text
    organiser_client.post(CHANGELIST, {**selection, "apply_annul": "yes", "reason": "Essai"})

    assert set(
        CheckIn.objects.filter(pk__in=[first.pk, second.pk]).values_list("annul_reason", flat=True)
    ) == {"Essai"}
    assert arrived_at_entrance(event) == 0


def test_a_reason_on_two_lines_is_refused_on_the_page(organiser_client, attendee, entrance):
    admitted = scan(attendee, entrance).checkin

    page = organiser_client.post(
        CHANGELIST,
        {
            "action": "annul_admissions",
            "_selected_action": [admitted.pk],
            "apply_annul": "yes",
            "reason": "une\nautre",
        },
    )

    assert page.status_code == 200
    assert "errorlist" in page.text
    assert CheckIn.objects.get(pk=admitted.pk).annulled_at is None


def test_the_log_shows_annulled_scans_and_overrides_with_filters(
    organiser_client, attendee, entrance, django_assert_max_num_queries
):
    refused = scan(unpaid(attendee), entrance).checkin
    admission = corrections.override_refusal(checkin=refused, reason="Bon de commande").checkin
    corrections.annul_admission(checkin=admission)
    for _ in range(5):
        scan(RegistrationFactory(ticket_type=attendee.ticket_type), entrance)

    with django_assert_max_num_queries(16):
        page = organiser_client.get(CHANGELIST)

    assert page.status_code == 200
    assert f'href="/admin/checkin/checkin/{refused.pk}/change/"' in page.text
    overrides = organiser_client.get(CHANGELIST, {"override": "yes"})
    assert list(overrides.context["cl"].result_list) == [admission]
    annulled = organiser_client.get(CHANGELIST, {"annulled": "yes"})
    assert list(annulled.context["cl"].result_list) == [admission]
    detail = organiser_client.get(f"{CHANGELIST}{admission.pk}/change/")
    assert "Bon de commande" in detail.text


def test_another_organisations_organiser_cannot_annul(client, attendee, entrance):
    admitted = scan(attendee, entrance).checkin
    stranger = MembershipFactory(role="owner").user
    client.force_login(stranger)

    client.post(
        CHANGELIST,
        {"action": "annul_admissions", "_selected_action": [admitted.pk], "apply_annul": "yes"},
    )

    assert CheckIn.objects.get(pk=admitted.pk).annulled_at is None
    assert not AuditEntry.objects.exists()


def test_the_persons_data_export_says_which_admission_was_annulled_and_why(attendee, entrance):
    mistake = scan(attendee, entrance).checkin
    corrections.annul_admission(checkin=mistake, reason="Badge prêté à un collègue")
    scan(attendee, entrance)

    rows = privacy.person_data(registration=attendee)["checkins"]

    assert [(row["result"], bool(row["annulled_at"])) for row in rows] == [
        ("admis", True),
        ("admis", False),
    ]
    assert [row["correction_reason"] for row in rows] == ["Badge prêté à un collègue", ""]
