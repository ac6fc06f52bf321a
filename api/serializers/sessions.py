from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.events import absolute_url
from api.serializers.fields import (
    BilingualField,
    BilingualInputField,
    EventTimeField,
    StrictModelSerializer,
)
from events.models import Event, Room, Session, SessionSpeaker, Track
from speakers.models import Speaker


class RoomSerializer(serializers.ModelSerializer):
    """A room of the event; `name` is bilingual (`{"fr": "…", "en": "…"}`)."""

    name = BilingualField("name")

    class Meta:
        model = Room
        fields = ["id", "name"]


class TrackSerializer(serializers.ModelSerializer):
    """A track (thematic strand) of the event; `name` is bilingual, `colour` is `#rrggbb`."""

    name = BilingualField("name")

    class Meta:
        model = Track
        fields = ["id", "slug", "name", "colour"]


class SessionSpeakerSerializer(serializers.ModelSerializer):
    """A speaker and the part they take in the session (`role`); `title` is bilingual."""

    id = serializers.IntegerField(source="speaker.id", read_only=True)
    name = serializers.CharField(source="speaker.name", read_only=True)
    slug = serializers.CharField(source="speaker.slug", read_only=True)
    title = BilingualField("title", source_object="speaker")
    affiliation = serializers.CharField(source="speaker.affiliation", read_only=True)

    class Meta:
        model = SessionSpeaker
        fields = ["id", "name", "slug", "role", "title", "affiliation"]


class SessionSerializer(serializers.ModelSerializer):
    """A programme session.

    `title` and `abstract` are bilingual: `{"fr": "…", "en": "…"}`, an empty string when a
    language has no text. `start` and `end` are ISO 8601 times with the offset of the event's
    time zone (Europe/Paris: "2027-05-20T09:00:00+02:00"). `event` is the event's slug; `url`
    the address of the session's public page. `sequence` grows by one each time the start, the
    end, the room or the status changes."""

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    title = BilingualField("title")
    abstract = BilingualField("abstract")
    room = RoomSerializer(read_only=True, allow_null=True)
    track = TrackSerializer(read_only=True, allow_null=True)
    start = EventTimeField("start")
    end = EventTimeField("end")
    speakers = SessionSpeakerSerializer(source="session_speakers", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "event",
            "type",
            "title",
            "abstract",
            "room",
            "track",
            "start",
            "end",
            "status",
            "is_public",
            "capacity",
            "requires_signup",
            "sequence",
            "speakers",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, session) -> str:
        return absolute_url(self.context.get("request"), session.get_absolute_url())


class SessionSpeakerInputSerializer(serializers.Serializer):
    """A speaker of the session's organisation (`speaker`: their id) and their `role`."""

    speaker = serializers.PrimaryKeyRelatedField(queryset=Speaker.objects.all())
    role = serializers.ChoiceField(
        choices=SessionSpeaker.Role.choices, default=SessionSpeaker.Role.SPEAKER
    )


class SessionWriteSerializer(StrictModelSerializer):
    """What an organiser sends to create or change a session.

    `event` (a slug) is required on creation and cannot change afterwards. `title` and
    `abstract` are bilingual objects `{"fr": "…", "en": "…"}`; the French title is required.
    Times are ISO 8601; without an offset they are read in Europe/Paris time. `room` and
    `track` are ids of the event's rooms and tracks. `speakers`, when given, replaces the
    session's speakers."""

    event = serializers.SlugRelatedField(slug_field="slug", queryset=Event.objects.all())
    title = BilingualInputField("title", max_length=255, required_languages=("fr",))
    abstract = BilingualInputField("abstract", required=False)
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.all(), required=False, allow_null=True
    )
    track = serializers.PrimaryKeyRelatedField(
        queryset=Track.objects.all(), required=False, allow_null=True
    )
    speakers = SessionSpeakerInputSerializer(many=True, required=False)

    class Meta:
        model = Session
        fields = [
            "event",
            "type",
            "title",
            "abstract",
            "room",
            "track",
            "start",
            "end",
            "status",
            "is_public",
            "capacity",
            "requires_signup",
            "speakers",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            # A session stays in its event: moving it would break its calendar identity.
            self.fields["event"].read_only = True

    def validate_speakers(self, links):
        seen = set()
        for link in links:
            key = (link["speaker"].pk, link["role"])
            if key in seen:
                raise serializers.ValidationError(_("Each speaker may appear once per role."))
            seen.add(key)
        return links
