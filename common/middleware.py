"""Request hygiene that no single view can own."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

NUL_MESSAGE = gettext_noop("The address contains a character that is not allowed (NUL).")


class RejectNulMiddleware:
    """A NUL byte in the query string is answered 400 before any view runs.

    Query strings reach code we do not write (the admin's changelist filters and search, DRF's
    and django-filter's parameters) and from there the database, where PostgreSQL refuses a
    NUL in a text parameter with an error: a 500. No form field accepts NUL either (Django's
    and DRF's CharField refuse it), so one check here covers every address at once, rather than
    a rule in each filter. Paths are the URL converters' business (`common.converters`): an
    address whose token or slug holds a NUL matches no pattern and is a 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path_info.startswith("/api/"):
                # In the API client's language, as the API's own answers (Accept-Language).
                language = translation.get_language_from_request(request, check_path=False)
                with translation.override(language):
                    return JsonResponse({"detail": _(NUL_MESSAGE)}, status=400)
            return render(request, "400.html", {"message": _(NUL_MESSAGE)}, status=400)
        return self.get_response(request)


def _has_nul(request) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )
