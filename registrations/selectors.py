"""Reads of registrations, invitations and ticket types shared by the back office and the API,
with their joins: each list costs the same number of queries whatever its length."""

from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import Event, PartnerFeed
from organisations.selectors import organisations_edited_by
from registrations import services
from registrations.models import Invitation, OutgoingEmail, Registration, SeatCount, TicketType

Status = Registration.Status
HOLDS_SEAT = Q(registrations__status__in=Registration.SEAT_HOLDING)


def organiser_scope(user) -> set[int] | None:
    """Organisations whose registrations and guest lists `user` manages; None means all
    (superusers). Door staff and other users get an empty set."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    return organisations_edited_by(user)


def _scoped(queryset: QuerySet, user, lookup: str) -> QuerySet:
    organisation_ids = organiser_scope(user)
    if organisation_ids is None:
        return queryset
    if not organisation_ids:
        return queryset.none()
    return queryset.filter(**{f"{lookup}__in": organisation_ids})


def registrations_with_details(queryset: QuerySet[Registration] | None = None):
    """Registrations with their event, organisation and ticket type, in one query."""
    queryset = Registration.objects.all() if queryset is None else queryset
    return queryset.select_related("event__organisation", "ticket_type", "companion_of")


def managed_registrations(user) -> QuerySet[Registration]:
    """Every registration of the events of `user`'s organisations, with its details."""
    return registrations_with_details(
        _scoped(Registration.objects.all(), user, "event__organisation_id")
    )


def managed_invitations(user) -> QuerySet[Invitation]:
    return _scoped(Invitation.objects.all(), user, "event__organisation_id").select_related(
        "event", "ticket_type", "registration"
    )


def managed_events(user) -> QuerySet[Event]:
    return _scoped(Event.objects.all(), user, "organisation_id")


def managed_partner_feeds(user) -> QuerySet[PartnerFeed]:
    return _scoped(PartnerFeed.objects.all(), user, "organisation_id")


def managed_ticket_types(user) -> QuerySet[TicketType]:
    return _scoped(TicketType.objects.all(), user, "event__organisation_id")


def emails_of_organisations(queryset: QuerySet[OutgoingEmail], organisation_ids):
    """Outgoing emails to a registration, an invitation or a speaker of the given
    organisations (None: all of them)."""
    if organisation_ids is None:
        return queryset
    if not organisation_ids:
        return queryset.none()
    return queryset.filter(
        Q(registration__event__organisation_id__in=organisation_ids)
        | Q(invitation__event__organisation_id__in=organisation_ids)
        | Q(speaker__organisation_id__in=organisation_ids)
    )


# --- Counts ---------------------------------------------------------------------------------


def with_status_counts(queryset: QuerySet[TicketType]) -> QuerySet[TicketType]:
    """Annotate each ticket type with `count_<status>` per registration status and `taken`
    (seats held), in the list's own query."""
    annotations = {
        f"count_{status}": Count("registrations", filter=Q(registrations__status=status))
        for status in Status.values
    }
    annotations["taken"] = Count("registrations", filter=HOLDS_SEAT)
    return queryset.annotate(**annotations)


@dataclass
class TicketTypeCounts:
    ticket_type: TicketType
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def taken(self) -> int:
        return sum(self.counts.get(status, 0) for status in Registration.SEAT_HOLDING)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def by_status(self) -> list[int]:
        return [self.counts.get(status, 0) for status in Status.values]


@dataclass
class EventCounts:
    event: Event
    rows: list[TicketTypeCounts]

    @property
    def statuses(self) -> list[str]:
        return [label for _value, label in Status.choices]

    @property
    def taken(self) -> int:
        return sum(row.taken for row in self.rows)

    @property
    def totals(self) -> list[int]:
        return [sum(column) for column in zip(*(row.by_status() for row in self.rows), strict=True)]


def counts_by_ticket_type(event: Event, registrations: QuerySet | None = None) -> EventCounts:
    """Registrations of `event` per ticket type and status, in two queries whatever their
    number. `registrations` narrows what is counted (the admin's other filters)."""
    registrations = Registration.objects.all() if registrations is None else registrations
    rows = (
        registrations.filter(event=event)
        .order_by()
        .values("ticket_type_id", "status")
        .annotate(count=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["ticket_type_id"], {})[row["status"]] = row["count"]
    ticket_types = TicketType.objects.filter(event=event).order_by("position", "pk")
    return EventCounts(
        event=event,
        rows=[
            TicketTypeCounts(ticket_type=ticket_type, counts=counts.get(ticket_type.pk, {}))
            for ticket_type in ticket_types
        ],
    )


# --- Public availability --------------------------------------------------------------------


def public_ticket_types() -> QuerySet[TicketType]:
    """The ticket types of the public form: public tickets of published public events that
    have not ended, each annotated with `taken` (its seats held) and `event_taken` (the
    event's), in one query; see `seats_left`."""
    event_taken = (
        SeatCount.objects.filter(ticket_type__event_id=OuterRef("event_id"))
        .order_by()
        .values("ticket_type__event_id")
        .annotate(total=Sum("held"))
        .values("total")
    )
    return (
        TicketType.objects.filter(
            is_public=True,
            event__status=Event.Status.PUBLISHED,
            event__access=Event.Access.PUBLIC,
            event__end__gt=timezone.now(),
        )
        .select_related("event")
        .annotate(
            taken=Coalesce(F("seat_count__held"), Value(0)),
            event_taken=Coalesce(Subquery(event_taken, output_field=IntegerField()), Value(0)),
        )
    )


def seats_left(ticket_type: TicketType) -> int | None:
    """Seats still free for an annotated ticket type (see `public_ticket_types`); None: no
    limit. A snapshot: the seat lock decides at registration."""
    taken = {"total": ticket_type.event_taken, ticket_type.pk: ticket_type.taken}
    return services.seats_left(ticket_type.event, ticket_type, taken)
