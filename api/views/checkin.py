"""The door: what scanner devices and door staff call.

`POST /api/v1/checkin/` answers a scan; `POST /api/v1/checkin/<id>/annul/` annuls an admission
made by mistake and `POST /api/v1/checkin/<id>/override/` admits a person despite a refusal
(checkin/corrections.py); `GET /api/v1/checkin/checkpoints/` lists where the
caller may scan; `GET /api/v1/checkin/bundle/` gives what a scanner needs to keep answering
without the network. A device authenticates with its own token (`Authorization: Device …`)
and is limited to its event; a person with a login may scan at the events of the
organisations they belong to (door staff included)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api.authentication import ApiTokenAuthentication, DeviceTokenAuthentication
from api.schema import (
    NOT_AUTHENTICATED,
    NOT_FOUND,
    VALIDATION_ERRORS,
    ColloqueAutoSchema,
    ErrorSerializer,
)
from api.serializers.checkin import (
    AnnulRequestSerializer,
    AnnulResultSerializer,
    CheckInRequestSerializer,
    CheckInResultSerializer,
    CheckpointSerializer,
    OfflineBundleSerializer,
    OverrideRequestSerializer,
    check_in_result,
)
from api.views.base import ApiViewMixin
from checkin import corrections
from checkin import services as checkin
from checkin.models import CheckIn, Checkpoint, ScannerDevice
from events.models import Event
from organisations.selectors import organisations_staffed_by

DOOR_ERRORS = {
    400: VALIDATION_ERRORS,
    401: NOT_AUTHENTICATED,
    403: OpenApiResponse(ErrorSerializer, description="Neither a scanner device nor door staff."),
}

SCAN_ID = OpenApiParameter(
    "id",
    int,
    OpenApiParameter.PATH,
    description="The scan's id: `checkin` in the answer to `POST /api/v1/checkin/`.",
)

# Events listed for scanning: those not over for more than this.
RECENTLY_ENDED = timedelta(days=1)


class CanScan(BasePermission):
    """A scanner device that is not revoked (authentication refused the others), or a person
    who belongs to at least one organisation, or a superuser."""

    message = _("Only scanner devices and the organisers' door staff may check guests in.")

    def has_permission(self, request, view):
        if isinstance(request.auth, ScannerDevice):
            return True
        user = request.user
        return bool(user and user.is_authenticated) and (
            user.is_superuser or bool(organisations_staffed_by(user))
        )


class DoorViewMixin(ApiViewMixin):
    authentication_classes = [
        DeviceTokenAuthentication,
        ApiTokenAuthentication,
        SessionAuthentication,
    ]
    permission_classes = [CanScan]
    # A gate scans in bursts; devices are few, known and revocable: no rate limit here.
    throttle_classes = []
    schema = ColloqueAutoSchema()

    @property
    def device(self) -> ScannerDevice | None:
        return self.request.auth if isinstance(self.request.auth, ScannerDevice) else None

    def events(self):
        """The events the caller may scan at."""
        if self.device is not None:
            return Event.objects.filter(pk=self.device.event_id)
        user = self.request.user
        if user.is_superuser:
            return Event.objects.all()
        return Event.objects.filter(organisation_id__in=organisations_staffed_by(user))

    def checkpoint(self, checkpoint_id: int | None, *, field: str = "checkpoint") -> Checkpoint:
        """The checkpoint named by the request (a device's default when none is named),
        provided the caller may scan there."""
        if self.device is not None:
            found = checkin.device_checkpoint(self.device, checkpoint_id=checkpoint_id)
        elif checkpoint_id is None:
            raise exceptions.ValidationError({field: [_("Choose a checkpoint.")]})
        else:
            found = (
                Checkpoint.objects.select_related("event", "session")
                .filter(pk=checkpoint_id, event__in=self.events())
                .first()
            )
        if found is None:
            raise exceptions.ValidationError(
                {field: [_("No such checkpoint at the events you may scan at.")]}
            )
        return found


class CheckInView(DoorViewMixin, APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="checkin_create",
        request=CheckInRequestSerializer,
        responses={200: CheckInResultSerializer, **DOOR_ERRORS},
        description=(
            "Answer a scan and record it. `result` is one of `ok`, `already_checked_in`, "
            "`unknown`, `cancelled`, `not_paid`, `wrong_event`, `not_valid_now`; the same "
            "nonce sent again returns the first answer (`replayed`) and records nothing."
        ),
        tags=["check-in"],
    )
    def post(self, request):
        serializer = CheckInRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        checkpoint = self.checkpoint(data.get("checkpoint"))
        try:
            scan = checkin.check_in(
                checkpoint=checkpoint,
                nonce=data["nonce"],
                token=data.get("token"),
                registration_id=data.get("registration"),
                device=self.device,
                user=request.user,
                direction=data["direction"],
                scanned_at=data.get("scanned_at"),
                is_offline=data["offline"],
                client_result=data.get("client_result", ""),
            )
        except checkin.CheckInError as error:
            raise exceptions.ValidationError({error.field: [str(error.message)]}) from None
        if self.device is not None:
            checkin.note_device_seen(self.device)
        return Response(check_in_result(scan, checkpoint))


class CorrectionViewMixin(DoorViewMixin):
    parser_classes = [JSONParser]

    def scan(self) -> CheckIn:
        """The scan named in the address, at an event the caller may scan at; else a 404."""
        found = (
            CheckIn.objects.select_related("registration__ticket_type", "checkpoint")
            .filter(pk=self.kwargs["pk"], event__in=self.events())
            .first()
        )
        if found is None:
            raise exceptions.NotFound
        return found

    def correct(self, correction, request_serializer):
        """Apply `correction` (a service of checkin.corrections) to the scan of the address,
        by the caller, with the reason the body gives; a refusal is a 400 naming its field."""
        scan = self.scan()
        serializer = request_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        try:
            return correction(
                checkin=scan,
                device=self.device,
                user=self.request.user,
                reason=serializer.validated_data.get("reason", ""),
            )
        except corrections.CorrectionError as error:
            field = error.field or api_settings.NON_FIELD_ERRORS_KEY
            raise exceptions.ValidationError({field: [str(error.message)]}) from None


class AnnulView(CorrectionViewMixin, APIView):
    @extend_schema(
        operation_id="checkin_annul",
        parameters=[SCAN_ID],
        request=AnnulRequestSerializer,
        responses={200: AnnulResultSerializer, **DOOR_ERRORS, 404: NOT_FOUND},
        description=(
            "Annul an admission made by mistake (the wrong person's badge, a scan at the wrong "
            "checkpoint): the scan stays in the log, marked annulled, and counts for nothing; "
            "the person's next scan admits them. Only an admission, once: otherwise a 400 "
            "under `non_field_errors`. Recorded in the audit trail."
        ),
        tags=["check-in"],
    )
    def post(self, request, pk):
        scan = self.correct(corrections.annul_admission, AnnulRequestSerializer)
        return Response(AnnulResultSerializer(scan).data)


class OverrideView(CorrectionViewMixin, APIView):
    @extend_schema(
        operation_id="checkin_override",
        parameters=[SCAN_ID],
        request=OverrideRequestSerializer,
        responses={200: CheckInResultSerializer, **DOOR_ERRORS, 404: NOT_FOUND},
        description=(
            "Admit a person despite a refusal (`not_paid`, `not_valid_now`, "
            "`already_checked_in`), with the reason: a new scan that admits them, pointing at "
            "the refusal, answered as a scan. Not for `unknown`, `wrong_event` or `cancelled` "
            "(400 under `non_field_errors`). The same refusal overridden again returns the "
            "first override (`replayed`). Recorded in the audit trail."
        ),
        tags=["check-in"],
    )
    def post(self, request, pk):
        scan = self.correct(corrections.override_refusal, OverrideRequestSerializer)
        return Response(check_in_result(scan, scan.checkin.checkpoint))


class CheckpointListView(DoorViewMixin, APIView):
    @extend_schema(
        operation_id="checkin_checkpoints",
        responses={200: CheckpointSerializer(many=True), **DOOR_ERRORS},
        description="Where the caller may scan: each event's entrance and session lists.",
        tags=["check-in"],
    )
    def get(self, request):
        events = list(self.events().filter(end__gte=timezone.now() - RECENTLY_ENDED))
        if self.device is not None:
            events = [self.device.event]
        for event in events:
            checkin.entrance_checkpoint(event)
        checkpoints = (
            Checkpoint.objects.filter(event__in=events)
            .select_related("event")
            .order_by("event__start", "event_id", "position", "pk")
        )
        return Response(CheckpointSerializer(checkpoints, many=True).data)


class OfflineBundleView(DoorViewMixin, APIView):
    @extend_schema(
        operation_id="checkin_bundle",
        parameters=[
            OpenApiParameter("checkpoint", int, required=False, description="Required for people.")
        ],
        responses={200: OfflineBundleSerializer, **DOOR_ERRORS},
        description=(
            "What a scanner needs to answer without the network: each badge's hash (never "
            "its token), name and standing at the checkpoint, and who was already admitted."
        ),
        tags=["check-in"],
    )
    def get(self, request):
        raw = request.query_params.get("checkpoint")
        checkpoint_id = None
        if raw not in (None, ""):
            if not raw.isdigit() or len(raw) > 18:
                raise exceptions.ValidationError({"checkpoint": [_("Give a checkpoint's id.")]})
            checkpoint_id = int(raw)
        checkpoint = self.checkpoint(checkpoint_id)
        return Response(checkin.offline_bundle(checkpoint))
