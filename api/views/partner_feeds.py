from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.serializers.partner_feeds import PartnerFeedSerializer, PartnerFeedWriteSerializer
from api.throttling import WriteRateThrottle
from api.views.base import ApiViewMixin
from api.views.registrations import IsOrganiser, OrganiserSchema
from events import partner_feeds
from events.models import PartnerFeed
from registrations import selectors


class PartnerFeedViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Private calendar feeds for partners (owners and organisers only): list, read, create
    (the answer holds the feed's address to give the partner), change the shared events or
    whether sessions not shown publicly are included, revoke."""

    schema = OrganiserSchema()
    serializer_class = PartnerFeedSerializer
    read_serializer_class = PartnerFeedSerializer
    permission_classes = [IsOrganiser]
    throttle_classes = [WriteRateThrottle]
    parser_classes = [JSONParser]
    numeric_lookup = True
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            selectors.managed_partner_feeds(self.request.user)
            .select_related("organisation")
            .prefetch_related("events")
            .order_by("name", "pk")
        )

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return PartnerFeedWriteSerializer
        return PartnerFeedSerializer

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if isinstance(serializer, PartnerFeedWriteSerializer):
            serializer.fields["events"].child_relation.queryset = selectors.managed_events(
                self.request.user
            )
        return serializer

    @extend_schema(request=PartnerFeedWriteSerializer)
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        feed = partner_feeds.create_partner_feed(
            organisation=data["events"][0].organisation,
            name=data["name"],
            events=data["events"],
            includes_private_sessions=data["includes_private_sessions"],
            created_by=request.user,
        )
        return Response(self._read(feed), status=status.HTTP_201_CREATED)

    @extend_schema(request=PartnerFeedWriteSerializer)
    def partial_update(self, request, *args, **kwargs):
        feed = self.get_object()
        serializer = self.get_serializer(feed, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "includes_private_sessions" not in request.data:
            data.pop("includes_private_sessions", None)  # the default applies to creation only
        partner_feeds.update_partner_feed(feed=feed, data=data)
        return Response(self._read(feed))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Revoke the feed: its address answers 404 from now on, like an address that never
        existed. Revoking again changes nothing."""
        feed = partner_feeds.revoke_partner_feed(feed=self.get_object())
        return Response(self._read(feed))

    def _read(self, feed: PartnerFeed):
        fresh = self.get_queryset().get(pk=feed.pk)
        return self.read_serializer_class(fresh, context=self.get_serializer_context()).data
