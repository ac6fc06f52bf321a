"""A session must take place within its event's dates.

The rule spans two tables, so a CHECK constraint cannot hold it: triggers do, on SQLite and on
PostgreSQL, when a session is written and when an event's dates change. Model validation
(`Session.clean`) gives the friendly message first; these make sure no other path stores a
session outside its event.
"""

from django.db import migrations

MESSAGE = "session_within_event: a session must take place within the dates of its event"

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER session_within_event_insert BEFORE INSERT ON events_session
    WHEN EXISTS (SELECT 1 FROM events_event e WHERE e.id = NEW.event_id
                 AND (NEW.start < e.start OR NEW."end" > e."end"))
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER session_within_event_update BEFORE UPDATE OF start, "end", event_id ON events_session
    WHEN EXISTS (SELECT 1 FROM events_event e WHERE e.id = NEW.event_id
                 AND (NEW.start < e.start OR NEW."end" > e."end"))
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER event_keeps_its_sessions BEFORE UPDATE OF start, "end" ON events_event
    WHEN EXISTS (SELECT 1 FROM events_session s WHERE s.event_id = NEW.id
                 AND (s.start < NEW.start OR s."end" > NEW."end"))
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS session_within_event_insert;",
    "DROP TRIGGER IF EXISTS session_within_event_update;",
    "DROP TRIGGER IF EXISTS event_keeps_its_sessions;",
]

POSTGRES_FORWARD = [
    f"""
    CREATE FUNCTION session_within_event() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM events_event e WHERE e.id = NEW.event_id
                   AND (NEW.start < e.start OR NEW."end" > e."end")) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER session_within_event BEFORE INSERT OR UPDATE OF start, "end", event_id
    ON events_session FOR EACH ROW EXECUTE FUNCTION session_within_event();
    """,
    f"""
    CREATE FUNCTION event_keeps_its_sessions() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM events_session s WHERE s.event_id = NEW.id
                   AND (s.start < NEW.start OR s."end" > NEW."end")) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER event_keeps_its_sessions BEFORE UPDATE OF start, "end"
    ON events_event FOR EACH ROW EXECUTE FUNCTION event_keeps_its_sessions();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS event_keeps_its_sessions ON events_event;",
    "DROP FUNCTION IF EXISTS event_keeps_its_sessions();",
    "DROP TRIGGER IF EXISTS session_within_event ON events_session;",
    "DROP FUNCTION IF EXISTS session_within_event();",
]


def forward(apps, schema_editor):
    _run(schema_editor, SQLITE_FORWARD if schema_editor.connection.vendor == "sqlite" else POSTGRES_FORWARD)


def reverse(apps, schema_editor):
    _run(schema_editor, SQLITE_REVERSE if schema_editor.connection.vendor == "sqlite" else POSTGRES_REVERSE)


def _run(schema_editor, statements):
    if schema_editor.connection.vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError("Colloque supports SQLite and PostgreSQL.")
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
