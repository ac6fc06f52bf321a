from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.filters import InvitationFilter
from api.serializers.invitations import InvitationCreateSerializer, InvitationSerializer
from api.throttling import WriteRateThrottle
from api.views.base import ApiViewMixin
from api.views.registrations import IsOrganiser, OrganiserSchema
from registrations import selectors, services


class InvitationViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Guest lists of the events of your organisations (owners and organisers only): list,
    filter, read, invite a guest (who is emailed their personal link), withdraw an
    invitation."""

    schema = OrganiserSchema()
    serializer_class = InvitationSerializer
    read_serializer_class = InvitationSerializer
    permission_classes = [IsOrganiser]
    throttle_classes = [WriteRateThrottle]
    parser_classes = [JSONParser]
    filterset_class = InvitationFilter
    numeric_lookup = True

    def get_queryset(self):
        return selectors.managed_invitations(self.request.user).order_by(
            "last_name", "first_name", "pk"
        )

    def get_serializer_class(self):
        if self.action == "create":
            return InvitationCreateSerializer
        return InvitationSerializer

    def get_serializer(self, *args, **kwargs):
        if self.get_serializer_class() is InvitationCreateSerializer:
            kwargs["ticket_types"] = selectors.managed_ticket_types(self.request.user)
            serializer = super().get_serializer(*args, **kwargs)
            serializer.fields["event"].queryset = selectors.managed_events(self.request.user)
            return serializer
        return super().get_serializer(*args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        invitation = services.create_invitation(
            event=data.pop("event"),
            ticket_type=data.pop("ticket_type"),
            deadline=data.pop("deadline"),
            data=data,
        )
        return Response(self._read(invitation), status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """Withdraw the invitation: its link stops working; a seat the guest had accepted (and
        their plus-ones') is cancelled, with the cancellation email, and goes to the waiting
        list. Withdrawing again changes nothing."""
        invitation = services.withdraw_invitation(invitation=self.get_object())
        return Response(self._read(invitation))

    def _read(self, invitation):
        fresh = self.get_queryset().get(pk=invitation.pk)
        return self.read_serializer_class(fresh, context=self.get_serializer_context()).data
