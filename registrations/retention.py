"""Retention of personal data (RGPD, issue 13): what is past its period, and its anonymisation.

Each organisation sets a period per category, in months (organisations.Organisation), and each
event may override it (events.Event.retention_months):

- `registrations`: registrations (with their plus-ones) and invitations, counted from the
  event's end; erased through `privacy.erase_registration` / `erase_invitation`, without
  cancelling anything (no refund, no credit note): the rows stay as anonymous counts;
- `unpaid`: the unpaid-seat history, registrations that ended expired or cancelled without
  ever being confirmed (so never paid), counted from the event's end; erased the same way
  (their payments' rows stay, amounts without identity);
- `emails`: the outbox's rows about the event (to its attendees, guests and speakers), counted
  from when each was written, once the event has ended; deleted;
- `checkins`: the door's scans, counted from the event's end; deleted. The check-in app adds
  this category from its AppConfig.ready() (`register_category`): this app does not know its
  tables.

Invoices and credit notes are no category: they are kept for the accounting period (10 years,
Code de commerce L123-22) with their payer details, and nothing here touches them.

What belongs to an organisation but to no event, and what belongs to no organisation, has its
own period, outside the per-event categories:

- the audit trail of each organisation (`Organisation.retention_trail_months`, 36 by default),
  counted from when each entry was written; its entries about payments and invoices
  (`payment.*`, `invoice.*`) are kept for the accounting period instead
  (ACCOUNTING_RETENTION_MONTHS); deleted (`TrailDue`);
- the site-wide entries of the trail (no organisation) and Django's admin history
  (`django_admin_log`), by the setting AUDIT_RETENTION_MONTHS, and the outbox's emails tied to
  no event (password resets, bank details changed, retention reports), not queued, by
  OUTBOX_RETENTION_DAYS from when each was written; deleted (`SiteDue`, reported by the
  command only: they are no organisation's).

`plan(now, organisation)` lists what is due, `apply(plan)` does exactly that, one audit entry
per event and category, per organisation for its trail, and one for the site-wide part
(`retention.apply`, with the counts), inside the command's audit context
(management/commands/apply_retention.py).
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit import services as audit
from events.models import Event
from organisations.models import (
    ACCOUNTING_RETENTION_MONTHS,
    RETENTION_CATEGORIES,
    Membership,
    Organisation,
)
from registrations import privacy
from registrations.emails import EmailExtras, queue_email
from registrations.models import Invitation, OutgoingEmail, Registration

REASON = "retention period"

CATEGORY_LABELS = {
    "registrations": _("Registrations and invitations"),
    "checkins": _("Check-in records"),
    "emails": _("Sent emails"),
    "unpaid": _("Unpaid-seat history"),
    "trail": _("Audit trail"),
    "admin_log": _("Admin history"),
    "eventless_emails": _("Emails tied to no event"),
}

# Registrations that ended without being paid: never confirmed, then expired or cancelled.
UNPAID_ENDED = Q(
    status__in=[Registration.Status.EXPIRED, Registration.Status.CANCELLED],
    confirmed_at__isnull=True,
)


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` moved by `months` calendar months (the day kept, or the month's last)."""
    years, month = divmod(moment.month - 1 + months, 12)
    year = moment.year + years
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass
class Due:
    """What one category holds past its period for one event: the rows' ids by kind
    ("registrations", "invitations", "emails", "checkins") and the date the period ended
    (for emails, that of the latest written of them)."""

    event: Event
    category: str
    period_ended: datetime
    ids: dict[str, list[int]] = field(default_factory=dict)

    @property
    def organisation(self) -> Organisation:
        return self.event.organisation

    @property
    def counts(self) -> dict[str, int]:
        # Keys starting with "_" are what `apply` acts on, not what it changes.
        return {
            kind: len(ids) for kind, ids in self.ids.items() if ids and not kind.startswith("_")
        }

    def as_row(self) -> dict:
        """The report's line, as JSON (the owners' email keeps it)."""
        return {
            "organisation": self.organisation.slug,
            "event_id": self.event.pk,
            "event": self.event.title,
            "category": self.category,
            "counts": self.counts,
            "period_ended": self.period_ended.isoformat(),
        }


@dataclass
class TrailDue:
    """One organisation's audit trail past its period: the entries written before `before`,
    those about payments and invoices before `accounting_before`. Counted when planned and
    deleted by the same query (the bounds are fixed: no entry can join them meanwhile)."""

    organisation: Organisation
    before: datetime
    accounting_before: datetime
    counts: dict[str, int] = field(default_factory=dict)

    category = "trail"

    def entries(self):
        return audit.expired_entries(
            organisation=self.organisation,
            before=self.before,
            accounting_before=self.accounting_before,
        )

    def as_row(self) -> dict:
        return {
            "organisation": self.organisation.slug,
            "event_id": None,
            "event": "",
            "category": self.category,
            "counts": self.counts,
            "period_ended": self.before.isoformat(),
        }


@dataclass
class SiteDue:
    """What belongs to no organisation past its period: the trail's site-wide entries and the
    admin history (AUDIT_RETENTION_MONTHS), the emails tied to no event
    (OUTBOX_RETENTION_DAYS)."""

    before: datetime
    accounting_before: datetime
    emails_before: datetime
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def entries(self):
        return audit.expired_entries(
            organisation=None, before=self.before, accounting_before=self.accounting_before
        )

    def admin_log(self):
        return audit.expired_admin_log(before=self.before)

    def emails(self):
        return eventless_emails().filter(created_at__lt=self.emails_before)

    def rows(self) -> list[dict]:
        bounds = {
            "trail": self.before,
            "admin_log": self.before,
            "eventless_emails": self.emails_before,
        }
        return [
            {
                "organisation": "",
                "event_id": None,
                "event": "",
                "category": category,
                "counts": self.counts[category],
                "period_ended": bounds[category].isoformat(),
            }
            for category in bounds
            if any(self.counts.get(category, {}).values())
        ]


@dataclass
class Plan:
    now: datetime
    items: list[Due] = field(default_factory=list)
    trails: list[TrailDue] = field(default_factory=list)
    site: SiteDue | None = None

    def __bool__(self) -> bool:
        return bool(self.items or self.trails or self.site)

    def rows(self) -> list[dict]:
        """The organisations' rows (events, then their trails); the site's are `site.rows()`."""
        return [item.as_row() for item in self.items] + [trail.as_row() for trail in self.trails]

    def organisations(self) -> list[Organisation]:
        seen = {}
        for item in [*self.items, *self.trails]:
            seen.setdefault(item.organisation.pk, item.organisation)
        return sorted(seen.values(), key=lambda organisation: (organisation.name, organisation.pk))

    def of(self, organisation: Organisation) -> "Plan":
        return Plan(
            now=self.now,
            items=[item for item in self.items if item.organisation.pk == organisation.pk],
            trails=[item for item in self.trails if item.organisation.pk == organisation.pk],
        )


@dataclass(frozen=True)
class Category:
    """`find(event, months, now)`: what is due (a Due, or None for nothing); `apply(due)`:
    anonymise or delete exactly that."""

    code: str
    find: Callable[[Event, int, datetime], Due | None]
    apply: Callable[[Due], None]


_categories: dict[str, Category] = {}


def register_category(category: Category) -> Category:
    """Add a category whose data lives in an app above this one (checkin: its scans)."""
    if category.code not in RETENTION_CATEGORIES:
        raise ValueError(f"Unknown retention category {category.code!r}")
    _categories[category.code] = category
    return category


# --- Registrations and invitations, unpaid-seat history -------------------------------------


def _registration_rows(event: Event, chosen: Q) -> tuple[list[int], list[int], list[int]]:
    """The main registrations to erase (not yet erased, `chosen`), all the registration rows
    that goes with them (their plus-ones), and their invitations."""
    mains = list(
        Registration.objects.filter(chosen, event=event, companion_of=None, erased_at=None)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = list(
        Registration.objects.filter(Q(pk__in=mains) | Q(companion_of_id__in=mains))
        .filter(erased_at=None)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    invitations = list(
        Invitation.objects.filter(registration__pk__in=mains, erased_at=None)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return mains, rows, invitations


def _find_registrations(event: Event, months: int, now: datetime) -> Due | None:
    ended = add_months(event.end, months)
    if ended > now:
        return None
    mains, rows, invitations = _registration_rows(event, ~UNPAID_ENDED)
    unanswered = list(
        Invitation.objects.filter(event=event, registration__isnull=True, erased_at=None)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not rows and not unanswered:
        return None
    return Due(
        event,
        "registrations",
        ended,
        {
            "registrations": rows,
            "invitations": sorted(invitations + unanswered),
            "_mains": mains,
            "_invitations": unanswered,
        },
    )


def _find_unpaid(event: Event, months: int, now: datetime) -> Due | None:
    ended = add_months(event.end, months)
    if ended > now:
        return None
    mains, rows, invitations = _registration_rows(event, UNPAID_ENDED)
    if not rows:
        return None
    return Due(
        event,
        "unpaid",
        ended,
        {"registrations": rows, "invitations": invitations, "_mains": mains},
    )


def _erase(due: Due) -> None:
    for registration in Registration.objects.filter(pk__in=due.ids.get("_mains", [])):
        privacy.erase_registration(registration=registration, reason=REASON, cancel=False)
    for invitation in Invitation.objects.filter(pk__in=due.ids.get("_invitations", [])):
        privacy.erase_invitation(invitation=invitation, reason=REASON, cancel=False)


# --- Outbox ---------------------------------------------------------------------------------


def event_emails(event: Event):
    return OutgoingEmail.objects.filter(
        Q(registration__event=event)
        | Q(invitation__event=event)
        | Q(programme_changes__event=event)
    ).distinct()


def _find_emails(event: Event, months: int, now: datetime) -> Due | None:
    emails = list(
        event_emails(event)
        .filter(created_at__lte=add_months(now, -months))
        .order_by("pk")
        .values_list("pk", "created_at")
    )
    if not emails:
        return None
    latest = max(written for _pk, written in emails)
    return Due(
        event,
        "emails",
        max(event.end, add_months(latest, months)),
        {"emails": [pk for pk, _written in emails]},
    )


def _delete_emails(due: Due) -> None:
    OutgoingEmail.objects.filter(pk__in=due.ids["emails"]).delete()


def eventless_emails():
    """The outbox's rows tied to no event (no registration, invitation nor programme change:
    password resets, bank details changed, retention reports) that are no longer queued."""
    return OutgoingEmail.objects.filter(
        registration=None, invitation=None, programme_changes=None
    ).exclude(status=OutgoingEmail.Status.QUEUED)


register_category(Category("registrations", _find_registrations, _erase))
register_category(Category("unpaid", _find_unpaid, _erase))
register_category(Category("emails", _find_emails, _delete_emails))


# --- Plan and apply -------------------------------------------------------------------------


def plan(now: datetime | None = None, organisation: Organisation | None = None) -> Plan:
    """What is past its period, per organisation, event and category: only events that have
    ended, each category by the event's period (its override, else its organisation's)."""
    now = now or timezone.now()
    events = Event.objects.filter(end__lte=now).select_related("organisation")
    if organisation is not None:
        events = events.filter(organisation=organisation)
    result = Plan(now=now)
    for event in events.order_by("organisation__name", "organisation_id", "end", "pk"):
        for code in RETENTION_CATEGORIES:
            category = _categories.get(code)
            if category is None:
                continue
            due = category.find(event, event.retention_months(code), now)
            if due is not None and due.counts:
                result.items.append(due)
    accounting_before = add_months(now, -ACCOUNTING_RETENTION_MONTHS)
    organisations = Organisation.objects.order_by("name", "pk")
    if organisation is not None:
        organisations = organisations.filter(pk=organisation.pk)
    for each in organisations:
        trail = TrailDue(each, add_months(now, -each.retention_trail_months), accounting_before)
        trail.counts = _count_entries(trail.entries())
        if any(trail.counts.values()):
            result.trails.append(trail)
    if organisation is None:
        result.site = _find_site(now, accounting_before)
    return result


def _count_entries(entries) -> dict[str, int]:
    accounting = audit.accounting_actions()
    counts = entries.aggregate(
        entries=Count("pk", filter=~accounting), accounting_entries=Count("pk", filter=accounting)
    )
    return {kind: count for kind, count in counts.items() if count}


def _find_site(now: datetime, accounting_before: datetime) -> SiteDue | None:
    site = SiteDue(
        before=add_months(now, -settings.AUDIT_RETENTION_MONTHS),
        accounting_before=accounting_before,
        emails_before=now - timedelta(days=settings.OUTBOX_RETENTION_DAYS),
    )
    site.counts = {
        "trail": _count_entries(site.entries()),
        "admin_log": {"entries": site.admin_log().count()},
        "eventless_emails": {"emails": site.emails().count()},
    }
    return site if site.rows() else None


def apply(planned: Plan) -> Plan:
    """Anonymise or delete exactly what `planned` lists, one event and category at a time,
    then each organisation's trail, then the site's part (each in its transaction, with its
    audit entry). Returns the plan."""
    for due in planned.items:
        with transaction.atomic():
            _categories[due.category].apply(due)
            changes = {
                "category": [None, due.category],
                "period_ended": [None, due.period_ended.date().isoformat()],
            }
            changes.update({kind: [None, count] for kind, count in due.counts.items()})
            audit.record("retention.apply", due.event, changes=changes)
    for trail in planned.trails:
        with transaction.atomic():
            deleted = _count_entries(trail.entries())
            trail.entries().delete()
            changes = {
                "category": [None, trail.category],
                "written_before": [None, trail.before.date().isoformat()],
            }
            changes.update({kind: [None, count] for kind, count in deleted.items()})
            audit.record("retention.apply", trail.organisation, changes=changes)
    if planned.site is not None:
        _apply_site(planned.site)
    return planned


def _apply_site(site: SiteDue) -> None:
    """Delete the site's part, and say so in one site-wide entry (the counts, nothing of what
    was deleted)."""
    with transaction.atomic():
        emails = list(site.emails().values_list("pk", flat=True))
        OutgoingEmail.objects.filter(pk__in=emails).delete()
        deleted = {
            **_count_entries(site.entries()),
            "admin_log": site.admin_log().delete()[0],
            "emails": len(emails),
        }
        site.entries().delete()
        changes = {
            "category": [None, "site"],
            "written_before": [None, site.before.date().isoformat()],
        }
        changes.update({kind: [None, count] for kind, count in deleted.items() if count})
        audit.record("retention.apply", None, changes=changes)


# --- The report -----------------------------------------------------------------------------


def count_words(counts: dict[str, int]) -> str:
    """ "3 registrations, 1 invitation" in the active language."""
    words = {
        "registrations": lambda n: ngettext("%(n)d registration", "%(n)d registrations", n),
        "invitations": lambda n: ngettext("%(n)d invitation", "%(n)d invitations", n),
        "emails": lambda n: ngettext("%(n)d email", "%(n)d emails", n),
        "checkins": lambda n: ngettext("%(n)d scan", "%(n)d scans", n),
        "entries": lambda n: ngettext("%(n)d entry", "%(n)d entries", n),
        "accounting_entries": lambda n: ngettext(
            "%(n)d entry about payments or invoices (10 years)",
            "%(n)d entries about payments or invoices (10 years)",
            n,
        ),
    }
    # In this order whatever the stored JSON's (PostgreSQL's jsonb orders keys its own way).
    return ", ".join(
        words[kind](counts[kind]) % {"n": counts[kind]} for kind in words if counts.get(kind)
    )


def report_lines(rows: list[dict], zone=None) -> list[dict]:
    """The report's rows made readable in the active language: event, category, what, when.
    A row of no event (the trail, the site's part) tells what was written before the date."""
    lines = []
    for row in rows:
        ended = datetime.fromisoformat(row["period_ended"])
        if zone is not None:
            ended = timezone.localtime(ended, zone)
        lines.append(
            {
                "event": row["event"],
                "category": str(CATEGORY_LABELS.get(row["category"], row["category"])),
                "what": count_words(row["counts"]),
                "period_ended": date_format(ended, "DATE_FORMAT"),
                "written_before": row.get("event_id") is None,
            }
        )
    return lines


def email_owners(planned: Plan) -> list[OutgoingEmail]:
    """Queue to each owner of an organisation with something in `planned` the report of
    their organisation."""
    emails = []
    for organisation in planned.organisations():
        facts = {
            "organisation": organisation.name,
            "time_zone": organisation.time_zone,
            "rows": planned.of(organisation).rows(),
        }
        owners = (
            Membership.objects.filter(organisation=organisation, role=Membership.Role.OWNER)
            .exclude(user__email="")
            .select_related("user")
            .order_by("user_id")
        )
        for membership in owners:
            emails.append(
                queue_email(OutgoingEmail.Kind.RETENTION_REPORT, user=membership.user, facts=facts)
            )
    return emails


def retention_report_extras(email: OutgoingEmail, context: dict) -> EmailExtras:
    """The report's lines in the recipient's language, dates in the organisation's zone."""
    facts = email.facts
    zone = Organisation(time_zone=facts.get("time_zone") or "Europe/Paris").zone
    return EmailExtras(
        context={
            "organisation_name": facts.get("organisation", ""),
            "lines": report_lines(facts.get("rows", []), zone),
        }
    )
