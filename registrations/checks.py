"""Deployment checks (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

SHARED_CACHES = (
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Scanner devices are cached (registrations/checkin.py): each worker of a per-process
    cache would keep a revoked device scanning until its entry expires."""
    if settings.CACHES["default"]["BACKEND"] in SHARED_CACHES:
        return []
    return [
        checks.Error(
            _("The cache is not shared between processes."),
            hint=_("Set CACHE_URL to a Redis server, e.g. redis://127.0.0.1:6379/1."),
            id="registrations.E001",
        )
    ]
