from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from api.filters import RegistrationFilter
from api.schema import ColloqueAutoSchema, ErrorSerializer
from api.serializers.registrations import RegistrationCreateSerializer, RegistrationSerializer
from api.throttling import WriteRateThrottle
from api.views.base import ApiViewMixin
from checkin.selectors import with_arrival
from payments import services as payments
from payments.models import Payment
from registrations import selectors, services
from registrations.models import SessionSignup

SIGNUP = ("pk", "registration_id", "session_id")

FORBIDDEN = OpenApiResponse(
    ErrorSerializer,
    description="Only owners and organisers of an organisation may use this (not door staff).",
)
CONFLICT = OpenApiResponse(
    description=(
        "The state of things refused the request: the email is already registered for the "
        "event (under `email`), or no seat is left and the event keeps no waiting list."
    ),
)
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description="Too many writes in a short time; `Retry-After` says when to try again.",
)


class IsOrganiser(BasePermission):
    """Owners and organisers of at least one organisation (or superusers). What each sees is
    limited to their organisations by the views' querysets."""

    def has_permission(self, request, view):
        return selectors.organiser_scope(request.user) != set()


class OrganiserSchema(ColloqueAutoSchema):
    """Adds the answers of the organisers' endpoints: 403 for other users, 409 and 429 on
    writes."""

    def get_response_serializers(self):
        responses = super().get_response_serializers()
        if not isinstance(responses, dict) or (200 not in responses and 201 not in responses):
            return responses
        responses[403] = FORBIDDEN
        if self.method not in SAFE_METHODS:
            if getattr(self.view, "action", None) == "create" and getattr(
                self.view, "may_conflict", False
            ):
                responses[409] = CONFLICT
            responses[429] = THROTTLED
        return responses


class RegistrationViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Registrations of the events of your organisations (owners and organisers only): list,
    filter, read, register someone, cancel. Registering and cancelling follow the rules of the
    public form for seats, the waiting list and the emails sent."""

    schema = OrganiserSchema()
    serializer_class = RegistrationSerializer
    read_serializer_class = RegistrationSerializer
    permission_classes = [IsOrganiser]
    throttle_classes = [WriteRateThrottle]
    parser_classes = [JSONParser]
    filterset_class = RegistrationFilter
    numeric_lookup = True
    may_conflict = True

    def get_queryset(self):
        return (
            with_arrival(selectors.managed_registrations(self.request.user))
            .prefetch_related(
                Prefetch(
                    "signups",
                    queryset=SessionSignup.objects.only("pk", "registration_id", "session_id"),
                )
            )
            .order_by("-created_at", "-pk")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return RegistrationCreateSerializer
        return RegistrationSerializer

    def get_serializer(self, *args, **kwargs):
        if self.get_serializer_class() is RegistrationCreateSerializer:
            kwargs["ticket_types"] = selectors.managed_ticket_types(self.request.user)
            serializer = super().get_serializer(*args, **kwargs)
            serializer.fields["event"].queryset = selectors.managed_events(self.request.user)
            return serializer
        return super().get_serializer(*args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        registration = services.register_attendee(
            event=data["event"],
            ticket_type=data["ticket_type"],
            attendee=data["attendee"],
            sessions=data["sessions"],
            public=False,
        )
        return Response(self._read(registration), status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        """Cancel the registration (and its plus-ones'): the person gets the cancellation
        email and a freed seat goes to the first on the waiting list; a card payment is
        refunded when the ticket type's policy allows. Cancelling again changes nothing."""
        registration = services.cancel_registration(registration=self.get_object())
        return Response(self._read(registration))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, *args, **kwargs):
        """Record that the bank transfer for the registration's invoice arrived: the
        registration is confirmed and the attendee gets the confirmation email. Marking it
        again changes nothing and sends nothing."""
        registration = self.get_object()
        payment = (
            registration.payments.filter(method=Payment.Method.INVOICE, invoice__isnull=False)
            .exclude(status__in=[Payment.Status.EXPIRED, Payment.Status.FAILED])
            .select_related("invoice")
            .order_by("-created_at", "-pk")
            .first()
        )
        if payment is None:
            return Response(
                {"detail": _("This registration has no invoice to mark paid.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        payments.mark_invoice_paid(invoice=payment.invoice)
        return Response(self._read(registration))

    def _read(self, registration):
        fresh = self.get_queryset().get(pk=registration.pk)
        return self.read_serializer_class(fresh, context=self.get_serializer_context()).data
