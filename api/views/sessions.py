from rest_framework import status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.filters import SessionFilter
from api.serializers.sessions import SessionSerializer, SessionWriteSerializer
from api.views.base import ApiViewMixin
from events import services
from events.models import Event
from events.selectors import visible_sessions
from organisations.selectors import organisations_edited_by


class SessionViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """Programme sessions: public sessions of published events for everyone; organisers also
    see, create, change and delete every session of their organisation's events."""

    serializer_class = SessionSerializer
    read_serializer_class = SessionSerializer
    parser_classes = [JSONParser]
    filterset_class = SessionFilter
    numeric_lookup = True
    # Changes are partial (PATCH): a session's event never changes.
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return visible_sessions(self.request.user).order_by("start", "room__position", "pk")

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return SessionWriteSerializer
        return SessionSerializer

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if isinstance(serializer, SessionWriteSerializer) and "event" in serializer.fields:
            # Sessions go only into the events of the user's organisations.
            serializer.fields["event"].queryset = Event.objects.filter(
                organisation_id__in=organisations_edited_by(self.request.user)
            )
        return serializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        session = services.create_session(event=data.pop("event"), data=data)
        return Response(self._read(session), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        session = self.get_object()
        serializer = self.get_serializer(session, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        session = services.update_session(session=session, data=dict(serializer.validated_data))
        return Response(self._read(session))

    def destroy(self, request, *args, **kwargs):
        services.delete_session(session=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _read(self, session):
        fresh = self.get_queryset().get(pk=session.pk)
        return self.read_serializer_class(fresh, context=self.get_serializer_context()).data
