from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.events import absolute_url, webcal
from api.serializers.fields import StrictBooleanField
from events.models import Event, PartnerFeed


class PartnerFeedSerializer(serializers.ModelSerializer):
    """A partner's private calendar feed, as its organisers see it.

    `url` is the address to give the partner (`webcal` the same for calendar applications):
    whoever holds it reads the shared events' programme, with the sessions not shown publicly
    when `includes_private_sessions` is true. After `revoke` it answers 404, for good."""

    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    events = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    url = serializers.SerializerMethodField()
    webcal = serializers.SerializerMethodField()

    class Meta:
        model = PartnerFeed
        fields = [
            "id",
            "name",
            "organisation",
            "events",
            "includes_private_sessions",
            "url",
            "webcal",
            "created_at",
            "revoked_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, feed) -> str:
        return absolute_url(self.context.get("request"), feed.get_feed_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_webcal(self, feed) -> str:
        return webcal(self.get_url(feed))


class PartnerFeedWriteSerializer(serializers.Serializer):
    """What an organiser sends to create a partner feed or change one (PATCH: any subset).

    `events`: slugs of events of one of your organisations, all of the same organisation."""

    name = serializers.CharField(max_length=PartnerFeed._meta.get_field("name").max_length)
    events = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Event.objects.none()
    )
    includes_private_sessions = StrictBooleanField(required=False, default=False)

    def validate_events(self, events):
        if not events and not self.partial:
            raise serializers.ValidationError(_("Choose at least one event."))
        return list(dict.fromkeys(events))
