from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.filters import MAX_ID
from api.serializers.registrations import attendee_text
from api.serializers.ticket_types import OptionalEventTimeField
from events.models import Event
from registrations.models import Invitation, TicketType
from registrations.services import LANGUAGES


class InvitationSerializer(serializers.ModelSerializer):
    """A guest-list entry, as its event's organisers see it.

    `answer` is `pending`, `accepted`, `declined` or `revoked` (withdrawn by the organisers).
    `registration` is the id of the registration an acceptance created (null otherwise).
    Times have the offset of the event's time zone. The guest's personal link is never given:
    it reaches the guest by email only."""

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    deadline = OptionalEventTimeField("deadline")
    answered_at = OptionalEventTimeField("answered_at")
    sent_at = OptionalEventTimeField("sent_at")
    last_reminded_at = OptionalEventTimeField("last_reminded_at")
    registration = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "event",
            "ticket_type",
            "first_name",
            "last_name",
            "email",
            "organisation",
            "job_title",
            "plus_ones_allowed",
            "language",
            "deadline",
            "answer",
            "answered_at",
            "sent_at",
            "reminders_sent",
            "last_reminded_at",
            "registration",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_registration(self, invitation) -> int | None:
        # The reverse one-to-one is joined by the view; a missing one raises on access.
        registration = getattr(invitation, "registration", None)
        return registration.pk if registration is not None else None


class InvitationCreateSerializer(serializers.Serializer):
    """What an organiser sends to invite a guest; the guest is emailed their personal link.

    `event` is the event's slug and `ticket_type` the id of one of its ticket types. The
    `deadline` to answer must come before the event starts (ISO 8601; without an offset it is
    read in Europe/Paris time). `plus_ones_allowed`: how many companions the guest may bring
    (0 to 10). An email already invited to the event gives 400 under `email`."""

    event = serializers.SlugRelatedField(slug_field="slug", queryset=Event.objects.none())
    ticket_type = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    first_name = attendee_text(required=True)
    last_name = attendee_text(required=True)
    email = attendee_text(required=True)
    organisation = attendee_text()
    job_title = attendee_text()
    plus_ones_allowed = serializers.IntegerField(min_value=0, max_value=10, default=0)
    language = serializers.ChoiceField(choices=LANGUAGES, default="fr")
    deadline = serializers.DateTimeField()

    def __init__(self, *args, ticket_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket_types = TicketType.objects.none() if ticket_types is None else ticket_types

    def validate_ticket_type(self, value):
        ticket_type = self.ticket_types.filter(pk=value).first()
        if ticket_type is None:
            raise serializers.ValidationError(_("Unknown ticket type."))
        return ticket_type
