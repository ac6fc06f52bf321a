from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.filters import MAX_ID
from api.serializers.fields import StrictBooleanField
from api.serializers.ticket_types import OptionalEventTimeField
from events.models import Event
from registrations import services
from registrations.models import Registration, TicketType
from registrations.services import LANGUAGES

ATTENDEE_TEXTS = (
    "first_name",
    "last_name",
    "email",
    "organisation",
    "job_title",
    "institution",
    "mandate",
    "accessibility_needs",
)


class OptionalEmailField(serializers.EmailField):
    """An address, or null where there is none (a plus-one): never "", which is no email."""

    def to_representation(self, value):
        return value or None


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration, as its event's organisers see it.

    `event` is the event's slug, `ticket_type` the ticket's id and `category` its category.
    `status` is one of `pending_payment`, `confirmed`, `waitlisted`, `offered` (a seat freed
    for a waitlisted person, to claim before `offer_expires_at`), `cancelled`, `declined` and
    `expired`. `companion_of` is the registration of the guest a plus-one comes with,
    `invitation` the invitation answered; a plus-one has no `email` (null). `sessions` lists
    the ids of the sessions the person signed up for; `checked_in_at` when they were first
    admitted at the event's entrance (null until then). Times have the offset of the event's
    time zone. The attendee's personal link is never given: it is theirs alone."""

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    email = OptionalEmailField(read_only=True, allow_null=True)
    category = serializers.CharField(source="ticket_type.category", read_only=True)
    sessions = serializers.SerializerMethodField()
    created_at = OptionalEventTimeField("created_at")
    confirmed_at = OptionalEventTimeField("confirmed_at")
    cancelled_at = OptionalEventTimeField("cancelled_at")
    offer_expires_at = OptionalEventTimeField("offer_expires_at")
    checked_in_at = OptionalEventTimeField("checked_in_at")

    class Meta:
        model = Registration
        fields = [
            "id",
            "event",
            "ticket_type",
            "category",
            "status",
            "first_name",
            "last_name",
            "email",
            "organisation",
            "job_title",
            "institution",
            "mandate",
            "accessibility_needs",
            "language",
            "consent_photos",
            "consent_news",
            "companion_of",
            "invitation",
            "sessions",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "offer_expires_at",
            "checked_in_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_sessions(self, registration) -> list[int]:
        # `signups` is prefetched by the view.
        return sorted(signup.session_id for signup in registration.signups.all())


def attendee_text(*, required: bool = False):
    # No length or character rules here: services.clean_attendee applies the same ones to the
    # form, the API and the CSV import, and its messages name the field.
    if required:
        return serializers.CharField(trim_whitespace=False)
    return serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class RegistrationCreateSerializer(serializers.Serializer):
    """What an organiser sends to register someone for one of their events.

    `event` is the event's slug and `ticket_type` the id of one of its ticket types (public or
    not: organisers may give any of them, while it is on sale). `sessions` lists the ids of
    sessions with a sign-up to take a seat in. `institution` is required for a student ticket,
    `mandate` for an elected official's. Names and other texts are one line, without markup.
    By registering someone, the organiser records that the person agreed to the processing of
    their data. When no seat is left, the person joins the waiting list if the event keeps
    one. An email already registered for the event gives 409 under `email`."""

    event = serializers.SlugRelatedField(slug_field="slug", queryset=Event.objects.none())
    ticket_type = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    first_name = attendee_text(required=True)
    last_name = attendee_text(required=True)
    email = attendee_text(required=True)
    organisation = attendee_text()
    job_title = attendee_text()
    institution = attendee_text()
    mandate = attendee_text()
    accessibility_needs = attendee_text()
    language = serializers.ChoiceField(choices=LANGUAGES, default="fr")
    consent_photos = StrictBooleanField(default=False)
    consent_news = StrictBooleanField(default=False)
    sessions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=50,
    )

    def __init__(self, *args, ticket_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The ticket types the user may give (their organisations'); set by the view.
        self.ticket_types = TicketType.objects.none() if ticket_types is None else ticket_types

    def validate(self, data):
        """Every error at once, the attendee's details checked by services.clean_attendee."""
        errors: dict[str, list[str]] = {}
        event = data["event"]
        ticket_type = self.ticket_types.filter(pk=data["ticket_type"]).first()
        if ticket_type is None:
            errors["ticket_type"] = [_("Unknown ticket type.")]
        wanted = set(data.get("sessions", []))
        sessions = list(event.sessions.filter(pk__in=wanted)) if wanted else []
        if len(sessions) != len(wanted):
            errors["sessions"] = [_("Give the ids of sessions of this event.")]
        attendee = None
        try:
            attendee = services.clean_attendee(
                {
                    **{name: data.get(name, "") for name in ATTENDEE_TEXTS},
                    "language": data["language"],
                    "consent_processing": True,
                    "consent_photos": data["consent_photos"],
                    "consent_news": data["consent_news"],
                }
            )
        except DjangoValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise serializers.ValidationError(errors)
        return {
            "event": event,
            "ticket_type": ticket_type,
            "sessions": sessions,
            "attendee": attendee,
        }
