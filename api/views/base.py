import re

from django.utils import translation
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api.schema import ColloqueAutoSchema

_ID = re.compile(r"[0-9]{1,18}")


class ApiViewMixin:
    """What every Colloque API view shares: the request's language, the documented errors."""

    schema = ColloqueAutoSchema()
    # Ids in paths: anything but a plausible id is simply not found (and never reaches the
    # database, where a huge number would overflow).
    numeric_lookup = False

    def initial(self, request, *args, **kwargs):
        # The site's LocaleMiddleware gives unprefixed paths the default language (French);
        # API clients choose theirs with Accept-Language (or the site's language cookie).
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def get_object(self):
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if self.numeric_lookup and not _ID.fullmatch(str(lookup)):
            raise NotFound
        return super().get_object()


class NotFoundView(ApiViewMixin, APIView):
    """Answers every address of the API that names nothing: a JSON 404."""

    permission_classes = [AllowAny]
    authentication_classes = []
    schema = None  # not an operation of the API

    def get(self, request, *args, **kwargs):
        raise NotFound

    post = put = patch = delete = head = options = trace = get
