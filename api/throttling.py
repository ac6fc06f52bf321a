"""Rate limits of the API's writes.

Reads are not limited here (they are cheap and public); writes are counted per user, or per
client address for anonymous clients, at the rates of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
(`user`, `anon`), read from the environment (API_THROTTLE_USER, API_THROTTLE_ANON). Rates are
written like "120/m", "120/min" or "20/10m". Over the limit, the answer is a JSON 429 with
`Retry-After`.
"""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from registrations.ratelimit import parse_rate


class WriteRateThrottle(SimpleRateThrottle):
    """Counts a client's writes (POST, PUT, PATCH, DELETE) on the views that use it."""

    cache_format = "throttle:write:%(scope)s:%(ident)s"

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        # The scope depends on who asks: chosen per request, before the rate is read.
        self.scope = "user" if request.user and request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def __init__(self):
        # SimpleRateThrottle reads the rate of `scope` here; ours is chosen per request.
        pass

    def get_rate(self):
        # Read at each request, not at import: the settings may change (tests, reloads).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def parse_rate(self, rate):
        if rate is None:
            return (None, None)
        parsed = parse_rate(rate)
        return (parsed.count, parsed.seconds)

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
