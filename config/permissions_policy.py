"""The Permissions-Policy header: which browser features a page may use.

Every response gets settings.PERMISSIONS_POLICY (each feature off: an empty allow list). A view
that needs a feature says so with `allow_features`, e.g. the scanner page and the camera.
"""

import functools

from django.conf import settings

HEADER = "Permissions-Policy"


def policy_header(overrides: dict[str, list[str]] | None = None) -> str:
    """`camera=(), microphone=()…` from the settings, with `overrides` replacing features'
    allow lists ("self" stands for the site's own origin)."""
    features = {**settings.PERMISSIONS_POLICY, **(overrides or {})}
    return ", ".join(
        f"{feature}=({' '.join(_origin(item) for item in allowed)})"
        for feature, allowed in features.items()
    )


def _origin(item: str) -> str:
    return item if item in {"self", "*"} else f'"{item}"'


def allow_features(**features: list[str]):
    """Let a view's pages use some features: `@allow_features(camera=["self"])`."""
    overrides = {name.replace("_", "-"): allowed for name, allowed in features.items()}

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response[HEADER] = policy_header(overrides)
            return response

        return wrapper

    return decorator


class PermissionsPolicyMiddleware:
    """Adds the site's policy to every response that a view did not give its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy_header()

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = self.header
        return response
