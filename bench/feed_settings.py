"""The production settings, with the feed benchmark's floor views added to the URLs.

Only bench/feeds.py selects this module (DJANGO_SETTINGS_MODULE=bench.feed_settings)."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.feed_floor"
