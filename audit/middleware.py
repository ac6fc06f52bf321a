"""Opens the trail's context for each request: the channel by address, the actor by who asks."""

import re

from audit.context import ActorKind, Channel, acting

# The attendee's page and what hangs from it, the guest's invitation page and the registration
# form, with or without a language prefix (registrations/urls.py under i18n_patterns).
ATTENDEE_PATH = re.compile(
    r"^/(?:[a-z]{2}(?:-[a-z0-9]+)?/)?(?:r/|invitations/|events/[^/]+/register/)"
)


def channel_for(path: str) -> str:
    if path.startswith("/admin/"):
        return Channel.BACK_OFFICE
    if path.startswith("/api/"):
        return Channel.API
    if path.startswith("/payments/stripe/"):
        return Channel.WEBHOOK
    if ATTENDEE_PATH.match(path):
        return Channel.ATTENDEE_PAGE
    return Channel.PUBLIC_SITE


class AuditContextMiddleware:
    """After AuthenticationMiddleware. The user is read when an entry is written (DRF sets an
    API token's user later); a scanner device names itself in DRF's device authentication; the
    attendee pages act for the holder of the link, whoever is logged in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = channel_for(request.path_info)
        kind = label = None
        if channel == Channel.ATTENDEE_PAGE:
            kind, label = ActorKind.ATTENDEE, "attendee"
        elif channel == Channel.WEBHOOK:
            kind, label = ActorKind.WEBHOOK, "Stripe"
        with acting(channel=channel, kind=kind, label=label or "", request=request):
            return self.get_response(request)
