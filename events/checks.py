"""Deployment checks of what the calendar feeds need (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Backends whose entries live in one process: each gunicorn worker would keep its own feed
# validators and answer 304 after a change another worker saw.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PER_PROCESS_CACHES:
        return [
            Error(
                "The cache is local to each process; the calendar feeds keep their validators "
                "and bodies in it, so every worker must see the same one.",
                hint="Set CACHE_URL to a Redis server, e.g. redis://127.0.0.1:6379/1.",
                id="events.E001",
            )
        ]
    return []
