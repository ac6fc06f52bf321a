"""The production settings, with the check-in benchmark's floor view added to the URLs.

Only bench/checkin.py selects this module (DJANGO_SETTINGS_MODULE=bench.settings): the floor
is never served by the project itself."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
