"""Deployment checks (`manage.py check --deploy`) of what several apps keep in the cache."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.translation import gettext_lazy as _

# Backends whose entries live in one process. The calendar feeds keep their validators and
# bodies in the cache, and the door keeps its scanner devices there: with a cache per gunicorn
# worker, one worker would answer 304 after a change another worker saw, and a revoked device
# would go on scanning on another worker until its entry expired.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    if settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            _(
                "The cache is local to each process, but the calendar feeds and the scanner "
                "devices must be seen alike by every worker."
            ),
            hint=_("Set CACHE_URL to a Redis server, e.g. redis://127.0.0.1:6379/1."),
            id="events.E001",
        )
    ]
