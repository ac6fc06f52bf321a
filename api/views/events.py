from rest_framework import viewsets

from api.serializers.events import EventSerializer
from api.views.base import ApiViewMixin
from events.selectors import visible_events


class EventViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Events: published and cancelled ones for everyone; organisers also see their own
    organisation's drafts."""

    serializer_class = EventSerializer
    lookup_field = "slug"
    # Only what a slug can be: anything else falls through to the API's JSON 404.
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return visible_events(self.request.user).prefetch_related("tracks").order_by("start", "pk")
