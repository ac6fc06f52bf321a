"""The settings module as a deployment sees it: run `manage.py` in a child process with the
environment of a production server, a development machine, or a file SQLite database."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "colloque.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://colloque.example.org",
    # Not reached by the checks: they only read which backend it names.
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def manage(*args, env=None, database_url=None, pythonpath=None):
    child_env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CACHE_URL"}
        and not key.startswith("SECURE_")
    }
    child_env.update(env or {})
    if database_url:
        child_env["DATABASE_URL"] = database_url
    if pythonpath:
        child_env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_checks_pass_with_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_checks_refuse_the_development_secret_key():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_deploy_checks_refuse_a_cache_each_worker_keeps_to_itself():
    env = {key: value for key, value in PRODUCTION.items() if key != "CACHE_URL"}

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "events.E001" in result.stderr
    assert "CACHE_URL" in result.stderr


def test_deploy_checks_catch_a_production_server_that_turned_off_https():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0"},
    )

    assert result.returncode != 0
    assert "security.W008" in result.stderr
    assert "security.W012" in result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    print(cursor.fetchone()[0])\n"
        "    cursor.execute('PRAGMA busy_timeout')\n"
        "    print(cursor.fetchone()[0])\n"
        "print(connection.transaction_mode)\n"
    )

    result = manage(
        "shell",
        "-c",
        script,
        env={"DEBUG": "1"},
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["wal", "20000", "IMMEDIATE"]


CONCURRENT_WRITERS = """
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from events.models import Event, Session
from organisations.models import Organisation

paris = ZoneInfo("Europe/Paris")
organisation = Organisation.objects.create(name="Charge", slug="charge")
event = Event.objects.create(
    organisation=organisation, slug="charge", title="Charge",
    start=datetime(2027, 5, 20, 8, tzinfo=paris), end=datetime(2027, 5, 21, 18, tzinfo=paris),
)
errors = []


def writer(number):
    try:
        for index in range(25):
            with transaction.atomic():
                # Read then write in one transaction: the pattern that deadlocks on upgrade
                # from a shared to a write lock under SQLite's default DEFERRED mode.
                count = Session.objects.filter(event=event).count()
                start = event.start + timedelta(minutes=count % 500)
                end = start + timedelta(hours=1)
                Session.objects.create(event=event, title=f"{number}-{index}", start=start, end=end)
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()


threads = [threading.Thread(target=writer, args=(number,)) for number in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(len(errors), Session.objects.count())
print(errors[:3])
"""


def test_eight_concurrent_sqlite_writers_never_see_database_is_locked(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrated = manage("migrate", "--noinput", env={"DEBUG": "1"}, database_url=database_url)
    assert migrated.returncode == 0, migrated.stderr

    result = manage(
        "shell", "-c", CONCURRENT_WRITERS, env={"DEBUG": "1"}, database_url=database_url
    )

    assert result.returncode == 0, result.stderr
    first_line = result.stdout.strip().splitlines()[-2]
    assert first_line == "0 200", result.stdout


def test_control_stock_sqlite_settings_do_fail_under_the_same_writers(tmp_path):
    """The control for the test above: Django's stock SQLite settings (DEFERRED transactions,
    no WAL) make concurrent read-then-write transactions fail with "database is locked"."""
    (tmp_path / "stock_sqlite_settings.py").write_text(
        "from config.settings import *  # noqa: F403\n"
        'DATABASES["default"]["OPTIONS"] = {"timeout": 1}\n'
    )
    env = {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "stock_sqlite_settings"}
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    manage("migrate", "--noinput", env=env, database_url=database_url, pythonpath=tmp_path)

    result = manage(
        "shell", "-c", CONCURRENT_WRITERS, env=env, database_url=database_url, pythonpath=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert "database is locked" in result.stdout


def test_a_redis_cache_url_gives_the_workers_a_shared_cache():
    script = (
        "from django.core.cache import cache\n"
        "cache.set('colloque-settings-test', 'shared', 30)\n"
        "from django.core.cache import caches\n"
        "print(type(caches['default']).__name__, cache.get('colloque-settings-test'))\n"
    )

    result = manage(
        "shell", "-c", script, env={"DEBUG": "1", "CACHE_URL": "redis://127.0.0.1:6379/15"}
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["RedisCache", "shared"]
