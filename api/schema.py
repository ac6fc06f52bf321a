"""How the API's operations are described in the OpenAPI schema, errors included."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.generics import CreateAPIView, ListCreateAPIView
from rest_framework.permissions import SAFE_METHODS


class ErrorSerializer(serializers.Serializer):
    """An error that concerns the whole request, in the request's language."""

    detail = serializers.CharField()


VALIDATION_ERRORS = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=(
        "The request's data is wrong. One entry per field, each a list of messages in the "
        'request\'s language (bilingual fields give `{"fr": […], "en": […]}`); errors that '
        "concern no field are under `non_field_errors`."
    ),
)
NOT_AUTHENTICATED = OpenApiResponse(
    ErrorSerializer,
    description="Writing needs credentials; credentials that are given must be valid.",
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description="You do not edit this object's organisation."
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such object, or not yours to see.")
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description="Too many writes from this client: try again after `Retry-After` seconds.",
)


class ColloqueAutoSchema(AutoSchema):
    """Documents, besides the success, the errors each operation may give."""

    def get_auth(self):
        """Reads that anyone may make also list no credentials at all (`{}`) among their
        security alternatives: credentials only widen what they see (an organiser's drafts)."""
        auths = super().get_auth()
        anonymous_reads = any(
            getattr(permission, "allows_anonymous_reads", False)
            for permission in self.view.get_permissions()
        )
        if self.method in SAFE_METHODS and anonymous_reads and {} not in auths:
            auths.append({})
        return auths

    def is_create(self) -> bool:
        """A POST that makes a new object (answered 201): a viewset's `create` or a generic
        create view. The same test as drf-spectacular's, through public attributes."""
        if self.method != "POST":
            return False
        return getattr(self.view, "action", None) == "create" or isinstance(
            self.view, ListCreateAPIView | CreateAPIView
        )

    def get_response_serializers(self):
        success = super().get_response_serializers()
        read_serializer = getattr(self.view, "read_serializer_class", None)
        if read_serializer is not None and self.method in ("POST", "PUT", "PATCH"):
            # Writes answer with what a read of the object gives.
            success = read_serializer
        if isinstance(success, dict):
            return success
        if self.method == "DELETE":
            responses = {204: None}
        elif self.is_create():
            responses = {201: success}
        else:
            responses = {200: success}
        has_object = "{" in self.path
        if self.method in SAFE_METHODS:
            if not has_object:
                # Wrong filter values; `page` past the end or not a number gives 404.
                responses[400] = VALIDATION_ERRORS
            responses[401] = NOT_AUTHENTICATED
            responses[404] = NOT_FOUND
            return responses
        if self.method != "DELETE":
            responses[400] = VALIDATION_ERRORS
        responses[401] = NOT_AUTHENTICATED
        responses[403] = FORBIDDEN
        if has_object:
            responses[404] = NOT_FOUND
        responses[429] = THROTTLED
        return responses
