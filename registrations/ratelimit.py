"""A small rate limiter for the public forms (registration, invitation answers), kept in the
cache and keyed by the client's address.

Fixed windows: each client gets `count` attempts per `period`, counted in the cache under a key
that names the scope, the address and the window. Cheap (one or two cache operations per
request) and good enough against scripts filling the form; with several worker processes the
cache must be shared (CACHE_URL, see the settings) for the limit to hold across them.
"""

import functools
import hashlib
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

from notices.selectors import cached_accessibility_status, status_label

# Methods that change something: only they count (reading the form is free).
LIMITED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$", re.IGNORECASE)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(value: str) -> Rate:
    """ "20/10m" → 20 per 600 seconds; "120/min", "5/s", "1000/day" as DRF writes them."""
    match = _RATE.match(value or "")
    if match is None:
        raise ValueError(f"Not a rate: {value!r} (expected e.g. '20/10m' or '60/min').")
    count, multiple, unit = match.groups()
    seconds = int(multiple or 1) * _SECONDS[unit.lower()]
    if seconds <= 0:
        raise ValueError(f"Not a rate: {value!r} (the period must be longer than zero).")
    return Rate(count=int(count), seconds=seconds)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, unless TRUSTED_PROXIES says that many proxies append
    the address they see to X-Forwarded-For. Then the address the outermost trusted proxy saw
    is taken, counting from the right: entries further left were written by the client and
    prove nothing (with one proxy that sets the header afresh, it is the first one)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [item.strip() for item in forwarded.split(",") if item.strip()]
    if not addresses:
        return remote
    return addresses[-min(proxies, len(addresses))]


def _rate_for(scope: str) -> Rate:
    overrides = getattr(settings, "RATE_LIMITS", {})
    return parse_rate(overrides.get(scope) or settings.REGISTRATION_RATE_LIMIT)


def _key(scope: str, address: str, window: int) -> str:
    # Hashed: addresses (IPv6 with zones, odd proxies) may hold characters some caches refuse.
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{window}"


def check_rate(request, scope: str) -> bool:
    """Count one attempt of `request`'s client in `scope`; False once over the limit.

    Scopes share the rate of REGISTRATION_RATE_LIMIT unless `settings.RATE_LIMITS[scope]`
    gives one of their own."""
    rate = _rate_for(scope)
    window = int(time.time()) // rate.seconds
    key = _key(scope, client_address(request), window)
    # add() sets the counter only if absent; incr() is atomic in shared caches.
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=rate.seconds + 1)
        attempts = 1
    return attempts <= rate.count


def retry_after(scope: str) -> int:
    """Seconds until the current window ends."""
    rate = _rate_for(scope)
    return rate.seconds - int(time.time()) % rate.seconds


def too_many_requests(request, scope: str) -> HttpResponse:
    """The 429 page, in the page's language (set by LocaleMiddleware)."""
    wait = retry_after(scope)
    minutes = max(1, (wait + 59) // 60)
    # A client over its limit costs no query: the footer's status only if cached.
    context = {
        "minutes": minutes,
        "accessibility_status": status_label(cached_accessibility_status()),
    }
    response = HttpResponse(render_to_string("429.html", context, request=request), status=429)
    response["Retry-After"] = str(wait)
    return response


def rate_limited(scope: str):
    """Decorate a view: its POSTs (and other writes) count against the client's limit in
    `scope`; over it, the view is not called and the client gets the 429 page.

        @rate_limited("register")
        def register(request, slug): ...
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in LIMITED_METHODS and not check_rate(request, scope):
                return too_many_requests(request, scope)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
