from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from api.serializers.speakers import SpeakerSerializer, SpeakerWriteSerializer
from api.views.base import ApiViewMixin
from events.selectors import visible_speakers
from organisations.models import Organisation
from organisations.selectors import organisations_edited_by
from speakers import services


class SpeakerViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """Speakers: those with a public session of a published event for everyone; organisers
    also see, create, change and delete every speaker of their organisation."""

    serializer_class = SpeakerSerializer
    read_serializer_class = SpeakerSerializer
    parser_classes = [JSONParser]
    numeric_lookup = True
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return visible_speakers(self.request.user).order_by("name", "pk")

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return SpeakerWriteSerializer
        return SpeakerSerializer

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if isinstance(serializer, SpeakerWriteSerializer):
            serializer.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=organisations_edited_by(self.request.user)
            )
        return serializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation", None) or self._only_organisation(serializer)
        speaker = services.create_speaker(organisation=organisation, data=data)
        return Response(self._read(speaker), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        speaker = self.get_object()
        serializer = self.get_serializer(speaker, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        speaker = services.update_speaker(speaker=speaker, data=dict(serializer.validated_data))
        return Response(self._read(speaker))

    def destroy(self, request, *args, **kwargs):
        services.delete_speaker(speaker=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _only_organisation(self, serializer):
        editable = organisations_edited_by(self.request.user)
        if len(editable) != 1:
            # With several organisations, the client must say which one.
            field = serializer.fields["organisation"]
            raise ValidationError({"organisation": [field.error_messages["required"]]})
        return Organisation.objects.get(pk=next(iter(editable)))

    def _read(self, speaker):
        fresh = self.get_queryset().get(pk=speaker.pk)
        return self.read_serializer_class(fresh, context=self.get_serializer_context()).data
