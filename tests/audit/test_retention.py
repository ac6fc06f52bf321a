"""The audit trail's retention (issue 13): `apply_retention` deletes each organisation's entries
past its `retention_trail_months` (36 by default), keeps those about payments and invoices for
the accounting period (10 years), deletes the site-wide entries and Django's admin history past
AUDIT_RETENTION_MONTHS; the dry run says exactly what the real run then deletes, the owners'
report tells of it, one trail entry per organisation says how many went (not what), and a
second run deletes nothing."""

import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.context import ActorKind, Channel
from audit.models import AuditEntry
from organisations.models import ACCOUNTING_RETENTION_MONTHS, Membership, Organisation
from registrations import retention
from tests.events.admin_forms import admin_form_data
from tests.factories import EventFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def months_ago(months: int, days: int = 0):
    return retention.add_months(timezone.now(), -months) - timezone.timedelta(days=days)


def entry(organisation, action, at, event=None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor_kind=ActorKind.SYSTEM,
        channel=Channel.SYSTEM,
        organisation=organisation,
        event=event,
        action=action,
        object_repr="Journée d'étude",
        at=at,
    )


def admin_log(at) -> LogEntry:
    user = UserFactory()
    log = LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id="1",
        object_repr="Organisation",
        action_flag=CHANGE,
        change_message="[]",
    )
    LogEntry.objects.filter(pk=log.pk).update(action_time=at)
    return log


def run(*args) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def counts(planned) -> list:
    """What a plan holds, without its bounds (counted from now, they move with the clock)."""
    return [
        (row["organisation"], row["category"], row["counts"])
        for row in planned.rows() + (planned.site.rows() if planned.site else [])
    ]


def trail_left() -> set:
    return set(AuditEntry.objects.exclude(action="retention.apply").values_list("pk", flat=True))


@pytest.fixture
def trail():
    """Two organisations' trails (36 and 12 months) and the site's, each with entries just
    past and just within their periods, and payment and invoice entries around 10 years."""
    default = OrganisationFactory(name="Agence Alpha")
    short = OrganisationFactory(name="Bureau Bêta", retention_trail_months=12)
    owner = MembershipFactory(
        organisation=default, role=Membership.Role.OWNER, user__email="dpo@example.org"
    ).user
    event = EventFactory(organisation=default)
    doomed = {
        entry(default, "event.change", months_ago(36, days=1), event=event),
        entry(default, "registration.cancel", months_ago(40)),
        entry(default, "payment.mark_paid", months_ago(ACCOUNTING_RETENTION_MONTHS, days=1)),
        entry(short, "membership.create", months_ago(12, days=1)),
        entry(None, "site_text.change", months_ago(36, days=1)),
    }
    kept = {
        entry(default, "event.change", months_ago(35)),
        # About payments and invoices: the accounting period, not the trail's.
        entry(default, "payment.paid", months_ago(60)),
        entry(default, "invoice.credit_note", months_ago(ACCOUNTING_RETENTION_MONTHS - 1)),
        entry(short, "membership.change", months_ago(11)),
        entry(None, "site_text.change", months_ago(35)),
    }
    logs = {"old": admin_log(months_ago(36, days=1)), "recent": admin_log(months_ago(35))}
    return {
        "default": default,
        "short": short,
        "owner": owner,
        "doomed": {item.pk for item in doomed},
        "kept": {item.pk for item in kept},
        "logs": logs,
    }


def test_the_trail_past_its_period_goes_the_dry_run_said_so_and_accounting_entries_stay(trail):
    before = trail_left()
    planned = retention.plan()
    assert {row["organisation"]: row["counts"] for row in planned.rows()} == {
        trail["default"].slug: {"entries": 2, "accounting_entries": 1},
        trail["short"].slug: {"entries": 1},
    }
    assert planned.site.counts == {
        "trail": {"entries": 1},
        "admin_log": {"entries": 1},
        "eventless_emails": {"emails": 0},
    }
    mail.outbox.clear()

    dry = run("--dry-run")

    assert trail_left() == before
    assert LogEntry.objects.count() == 2
    assert mail.outbox == []
    assert counts(retention.plan()) == counts(planned)

    real = run()

    assert real.splitlines()[:-1] == dry.splitlines()[:-1]
    assert trail_left() == trail["kept"]
    assert list(LogEntry.objects.values_list("pk", flat=True)) == [trail["logs"]["recent"].pk]
    # One entry per organisation and one for the site: how many, not what.
    done = {
        item.organisation_id: item.changes
        for item in AuditEntry.objects.filter(action="retention.apply")
    }
    assert done[trail["default"].pk] == {
        "category": [None, "trail"],
        "written_before": [None, planned.trails[0].before.date().isoformat()],
        "entries": [None, 2],
        "accounting_entries": [None, 1],
    }
    assert done[trail["short"].pk]["entries"] == [None, 1]
    assert done[None] == {
        "category": [None, "site"],
        "written_before": [None, planned.site.before.date().isoformat()],
        "entries": [None, 1],
        "admin_log": [None, 1],
    }
    assert {
        (item.actor_kind, item.channel, item.actor_label)
        for item in AuditEntry.objects.filter(action="retention.apply")
    } == {(ActorKind.SYSTEM, Channel.COMMAND, "apply_retention")}
    # The owners' report tells of their trail, in French.
    [report] = [message for message in mail.outbox if message.to == [trail["owner"].email]]
    assert "Journal d’audit" in report.body
    assert "2 entrées" in report.body
    assert "1 entrée sur des paiements ou des factures (10 ans)" in report.body

    mail.outbox.clear()
    again = run()
    assert "Nothing is past" in again or "Aucune donnée" in again
    assert trail_left() == trail["kept"]
    assert LogEntry.objects.count() == 1
    assert mail.outbox == []


def test_the_command_names_the_site_part_and_one_organisation_leaves_it_alone(trail):
    output = run("--dry-run")
    assert "Site (no organisation)" in output or "Site (aucune organisation)" in output

    only = run("--organisation", trail["short"].slug)

    assert trail["default"].name not in only
    assert "Site" not in only
    assert not AuditEntry.objects.filter(
        organisation=trail["short"], at__lt=months_ago(12)
    ).exclude(action="retention.apply")
    # The other organisation's and the site's old entries wait for their own run.
    assert AuditEntry.objects.filter(organisation=trail["default"], at__lt=months_ago(36))
    assert AuditEntry.objects.filter(organisation=None, at__lt=months_ago(36))
    assert LogEntry.objects.count() == 2


@override_settings(AUDIT_RETENTION_MONTHS=48)
def test_the_setting_sets_the_site_period(trail):
    planned = retention.plan()

    assert planned.site is None  # the site's entry and the admin log are 36 months old
    run()
    assert AuditEntry.objects.filter(organisation=None, action="site_text.change").count() == 2
    assert LogEntry.objects.count() == 2


def test_an_owner_changes_the_trail_period_and_the_trail_records_it(client):
    organisation = OrganisationFactory()
    owner = MembershipFactory(organisation=organisation, role=Membership.Role.OWNER).user
    client.force_login(owner)
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    data = admin_form_data(client.get(url))
    assert data["retention_trail_months"] == "36"

    refused = client.post(url, {**data, "retention_trail_months": "6"})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["retention_trail_months"]
    organisation.refresh_from_db()
    assert organisation.retention_trail_months == 36

    client.post(url, {**data, "retention_trail_months": "24"})

    organisation.refresh_from_db()
    assert organisation.retention_trail_months == 24
    [change] = AuditEntry.objects.filter(action="organisation.change", organisation=organisation)
    assert change.changes["retention_trail_months"] == [36, 24]


def test_an_organiser_sees_the_trail_period_but_cannot_change_it(client):
    organisation = OrganisationFactory()
    organiser = MembershipFactory(organisation=organisation, role=Membership.Role.ORGANISER).user
    client.force_login(organiser)
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    page = client.get(url)

    assert "retention_trail_months" not in admin_form_data(page)
    assert "36" in page.content.decode()
