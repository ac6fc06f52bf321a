from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.fields import StrictBooleanField
from checkin.models import CheckIn


class CheckInRequestSerializer(serializers.Serializer):
    """A scan: a badge's token (or, for a manual check-in, a registration's id) at a
    checkpoint, with the client's nonce."""

    token = serializers.CharField(
        required=False, max_length=64, help_text="The text of the badge's QR code."
    )
    registration = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="For a manual check-in (search by name): the registration's id.",
    )
    checkpoint = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Where the scan happens. A device may leave it out: its default checkpoint, "
        "else its event's entrance.",
    )
    nonce = serializers.CharField(
        max_length=64,
        help_text="A random identifier the client gives each scan: sending it again returns "
        "the first answer and records nothing more.",
    )
    direction = serializers.ChoiceField(
        choices=CheckIn.Direction.choices, default=CheckIn.Direction.ENTRY
    )
    scanned_at = serializers.DateTimeField(
        required=False, help_text="When the badge was scanned (offline scans)."
    )
    offline = StrictBooleanField(
        default=False, help_text="The scan was made without network and is uploaded now."
    )
    client_result = serializers.ChoiceField(
        choices=CheckIn.Result.choices,
        required=False,
        help_text="For an offline scan: the answer the device showed at the door.",
    )

    def validate(self, attrs):
        if ("token" in attrs) == ("registration" in attrs):
            raise serializers.ValidationError(
                {"token": [_("Send either the badge's token or a registration's id.")]}
            )
        return attrs


class AttendeeSerializer(serializers.Serializer):
    registration = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    organisation = serializers.CharField()
    category = serializers.CharField(source="ticket_type.category")
    category_label = serializers.CharField(source="ticket_type.get_category_display")
    ticket_type = serializers.CharField(source="ticket_type.name")


class FirstCheckInSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="scanned_at")
    gate = serializers.CharField()
    checkpoint = serializers.CharField(source="checkpoint.name")


class CheckInResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=CheckIn.Result.choices)
    message = serializers.CharField(help_text="The answer in the request's language.")
    reason = serializers.CharField(
        source="checkin.reason",
        help_text="Why a badge is `not_valid_now`: no_seat, not_signed_up, not_open_yet, closed.",
    )
    checkin = serializers.IntegerField(source="checkin.pk")
    nonce = serializers.CharField(source="checkin.nonce")
    direction = serializers.CharField(source="checkin.direction")
    scanned_at = serializers.DateTimeField(source="checkin.scanned_at")
    offline = serializers.BooleanField(source="checkin.is_offline")
    replayed = serializers.BooleanField(
        source="is_replay", help_text="This nonce was already received: the first answer."
    )
    checkpoint = serializers.SerializerMethodField()
    attendee = AttendeeSerializer(source="registration", allow_null=True)
    first_checked_in = FirstCheckInSerializer(
        source="first_entry",
        allow_null=True,
        help_text=(
            "For a repeat: when and where the person was first admitted here on the event day "
            "of the scan (in the event's time zone, a day ends at 04:00)."
        ),
    )

    def get_checkpoint(self, scan) -> dict:
        return {"id": scan.checkin.checkpoint_id, "name": self.context["checkpoint"].name}


# The answer to a scan, rendered as `CheckInResultSerializer` renders it (the schema's
# description of it; a test holds the two to the same output) but without building a
# serializer and its nested ones on every scan, the busiest request of the API: plain values,
# and DRF's own field for the times (ISO 8601 in the current time zone).
_TIME = serializers.DateTimeField()


def _text(value):
    return None if value is None else str(value)


def check_in_result(scan, checkpoint) -> dict:
    """What `POST /api/v1/checkin/` answers for `scan` at `checkpoint`."""
    record = scan.checkin
    registration = scan.registration
    first = scan.first_entry
    return {
        "result": str(record.result),
        "message": str(scan.message),
        "reason": _text(record.reason),
        "checkin": record.pk,
        "nonce": _text(record.nonce),
        "direction": _text(record.direction),
        "scanned_at": _TIME.to_representation(record.scanned_at),
        "offline": bool(record.is_offline),
        "replayed": bool(scan.is_replay),
        "checkpoint": {"id": record.checkpoint_id, "name": checkpoint.name},
        "attendee": None
        if registration is None
        else {
            "registration": registration.pk,
            "name": _text(registration.full_name),
            "organisation": _text(registration.organisation),
            "category": _text(registration.ticket_type.category),
            "category_label": _text(registration.ticket_type.get_category_display()),
            "ticket_type": _text(registration.ticket_type.name),
        },
        "first_checked_in": None
        if first is None
        else {
            "at": _TIME.to_representation(first.scanned_at),
            "gate": _text(first.gate),
            "checkpoint": _text(first.checkpoint.name),
        },
    }


class AnnulRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Why the admission is annulled (optional, one line): the wrong person's "
        "badge, a scan at the wrong checkpoint.",
    )


class OverrideRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300,
        help_text="Why the person is admitted despite the refusal (required, one line).",
    )


class AnnulResultSerializer(serializers.Serializer):
    """What `POST /api/v1/checkin/<id>/annul/` answers: the annulled scan."""

    checkin = serializers.IntegerField(source="pk")
    message = serializers.SerializerMethodField(help_text="The answer in the request's language.")
    annulled_at = serializers.DateTimeField()
    annulled_by = serializers.CharField(
        source="annulled_by_label", help_text="The device's or the staff member's name."
    )
    reason = serializers.CharField(source="annul_reason")
    attendee = AttendeeSerializer(source="registration", allow_null=True)

    def get_message(self, scan) -> str:
        return gettext("Admission annulled")


class CheckpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    event = serializers.SerializerMethodField()
    session = serializers.IntegerField(source="session_id", allow_null=True)
    is_entrance = serializers.BooleanField()
    allows_reentry = serializers.BooleanField()
    records_exits = serializers.BooleanField()

    def get_event(self, checkpoint) -> dict:
        event = checkpoint.event
        return {"id": event.pk, "slug": event.slug, "title": event.title}


class OfflineBadgeSerializer(serializers.Serializer):
    hash = serializers.CharField(help_text="First 32 hex digits of the token's SHA-256.")
    registration = serializers.IntegerField()
    name = serializers.CharField()
    organisation = serializers.CharField()
    category = serializers.CharField()
    category_label = serializers.CharField()
    ticket_type = serializers.CharField()
    result = serializers.ChoiceField(
        choices=CheckIn.Result.choices, help_text="The answer before any scan: ok or a refusal."
    )
    message = serializers.CharField()
    first_checked_in_at = serializers.DateTimeField(
        allow_null=True,
        help_text="The first admission here on the bundle's event day; on another day, ignore it.",
    )
    first_gate = serializers.CharField()


class OfflineBundleSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    event = serializers.DictField()
    checkpoint = serializers.DictField()
    messages = serializers.DictField(child=serializers.CharField())
    badges = OfflineBadgeSerializer(many=True)
