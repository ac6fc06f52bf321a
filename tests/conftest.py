import sqlite3

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test.utils import override_settings
from django.utils import translation

from notices.models import AccessibilityStatement
from notices.selectors import ACCESSIBILITY_STATUS_KEY


@pytest.fixture(scope="session", autouse=True)
def _plain_http_for_tests():
    """The settings default to production-safe values when DEBUG is off; the test client and
    the live server speak plain HTTP and have no collected static manifest."""
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language, whatever an earlier request activated
    in this thread (the API activates the client's language for its own answers)."""

    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none. The footer's
    accessibility status is there, as on a site that has served one page since it started
    (the default statement's): pages' query counts are those of every request but the first
    (tests/notices/test_pages.py counts that one, after forgetting it)."""

    cache.clear()
    cache.set(ACCESSIBILITY_STATUS_KEY, AccessibilityStatement.Status.NON_COMPLIANT, timeout=None)


@pytest.fixture
def database_for_several_connections(tmp_path):
    """Give each test a database that several connections can share as in production.

    Django's SQLite test database is in memory, in a shared cache whose table locks do not
    wait for the busy timeout: a second writer fails at once with "database table is locked".
    Production runs SQLite from a file in WAL mode, where IMMEDIATE transactions queue on the
    busy timeout. So on SQLite the (migrated, empty) test database is copied to a file for the
    test's duration: the main thread and every buyer's thread connect to that file with the
    project's settings. PostgreSQL (and a file test database) need nothing."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path / "concurrency.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    copy.close()
    in_memory_settings = connections.settings[connection.alias]
    in_memory = connections[connection.alias]
    # New connections, in this thread and the buyers', are made from these settings.
    connections.settings[connection.alias] = {**in_memory_settings, "NAME": str(path)}
    on_file = in_memory.__class__(connections.settings[connection.alias], connection.alias)
    connections[connection.alias] = on_file
    try:
        yield
    finally:
        on_file.close()
        connections[in_memory.alias] = in_memory
        connections.settings[in_memory.alias] = in_memory_settings
