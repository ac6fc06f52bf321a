from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.fields import BilingualField, EventTimeField
from events.models import Event, Venue

FEEDS_SCHEMA = {
    "type": "object",
    "properties": {
        "programme": {"type": "string", "format": "uri"},
        "webcal": {"type": "string", "format": "uri"},
        "tracks": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "slug": {"type": "string"},
                    "name": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                },
            },
        },
    },
}


class VenueSerializer(serializers.ModelSerializer):
    """Where the event takes place; `address` is one line, ready to print."""

    address = serializers.CharField(read_only=True)

    class Meta:
        model = Venue
        fields = ["name", "address", "city"]


class EventSerializer(serializers.ModelSerializer):
    """An event as the public sees it.

    `title`, `subtitle` and `description` are bilingual: `{"fr": "…", "en": "…"}`, an empty
    string when a language has no text. `start` and `end` are ISO 8601 times with the offset of
    the event's `time_zone`. `url` is the address of the event's public page."""

    title = BilingualField("title")
    subtitle = BilingualField("subtitle")
    description = BilingualField("description")
    venue = VenueSerializer(read_only=True, allow_null=True)
    start = EventTimeField("start", event_path="")
    end = EventTimeField("end", event_path="")
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    url = serializers.SerializerMethodField()
    feeds = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "kind",
            "title",
            "subtitle",
            "description",
            "venue",
            "time_zone",
            "start",
            "end",
            "access",
            "status",
            "url",
            "organisation",
            "feeds",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, event) -> str:
        return absolute_url(self.context.get("request"), event.get_absolute_url())

    @extend_schema_field(FEEDS_SCHEMA)
    def get_feeds(self, event) -> dict:
        """The event's calendar feeds (iCalendar), in the request's language: the whole public
        programme (`webcal` is the same address for calendar applications) and one per
        track. Speakers' feeds are on the speakers' pages; partners' private feeds are made
        with `/api/v1/partner-feeds/`."""
        request = self.context.get("request")
        programme = absolute_url(request, reverse("events:calendar", kwargs={"slug": event.slug}))
        tracks = [
            {
                "slug": track.slug,
                "name": track.name,
                "url": absolute_url(
                    request,
                    reverse(
                        "events:track-calendar", kwargs={"slug": event.slug, "track": track.slug}
                    ),
                ),
            }
            for track in event.tracks.all()
        ]
        return {"programme": programme, "webcal": webcal(programme), "tracks": tracks}


def absolute_url(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def webcal(url: str) -> str:
    """The subscription address of a feed: calendar applications open webcal:// links."""
    return "webcal://" + url.split("://", 1)[-1]
