"""The floors of the feed benchmark: the least a feed's answer must cost on this stack.

Bare Django views behind the same middleware as every page, in the same gunicorn, each doing
one read of the shared cache and nothing else: `GET /bench/feed-floor/304` answers Not
Modified, `GET /bench/feed-floor/body` sends the body bench/feeds.py stored under FLOOR_BODY
(the programme feed's own bytes). Only bench/feed_settings.py serves them.
"""

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import path
from django.views.decorators.http import require_safe

from bench.floor_urls import urlpatterns as bench_urlpatterns

FLOOR_BODY = "bench:feed-floor-body"


@require_safe
def floor_not_modified(request):
    cache.get(FLOOR_BODY + ":validator")
    return HttpResponseNotModified()


@require_safe
def floor_body(request):
    return HttpResponse(cache.get(FLOOR_BODY), content_type="text/calendar; charset=utf-8")


urlpatterns = [
    path("bench/feed-floor/304", floor_not_modified),
    path("bench/feed-floor/body", floor_body),
    *bench_urlpatterns,
]
