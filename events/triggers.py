"""A session must take place within its event's dates.

The rule spans two tables, so a CHECK constraint cannot hold it: triggers do, on SQLite and
on PostgreSQL, when a session is written and when an event's dates change. `Session.clean`
gives the friendly message first; the triggers make sure no other path stores a session
outside its event.

They are installed after every `migrate` (post_migrate) and removed before it (pre_migrate):
SQLite rebuilds a table to change its schema, and a trigger that names the table being rebuilt
would break that migration.
"""

from django.db import connections

# The statements below are built from these constants only: no outside input (hence S608 off).
MESSAGE = "session_within_event: a session must take place within the dates of its event"

_OUTSIDE = '(NEW.start < e.start OR NEW."end" > e."end")'

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS session_within_event_insert BEFORE INSERT ON events_session
    WHEN EXISTS (SELECT 1 FROM events_event e WHERE e.id = NEW.event_id AND {_OUTSIDE})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS session_within_event_update
    BEFORE UPDATE OF start, "end", event_id ON events_session
    WHEN EXISTS (SELECT 1 FROM events_event e WHERE e.id = NEW.event_id AND {_OUTSIDE})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS event_keeps_its_sessions
    BEFORE UPDATE OF start, "end" ON events_event
    WHEN EXISTS (SELECT 1 FROM events_session s WHERE s.event_id = NEW.id
                 AND (s.start < NEW.start OR s."end" > NEW."end"))
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS session_within_event_insert;",
    "DROP TRIGGER IF EXISTS session_within_event_update;",
    "DROP TRIGGER IF EXISTS event_keeps_its_sessions;",
]

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION session_within_event() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM events_event e WHERE e.id = NEW.event_id AND {_OUTSIDE}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    "DROP TRIGGER IF EXISTS session_within_event ON events_session;",
    """
    CREATE TRIGGER session_within_event BEFORE INSERT OR UPDATE OF start, "end", event_id
    ON events_session FOR EACH ROW EXECUTE FUNCTION session_within_event();
    """,
    f"""
    CREATE OR REPLACE FUNCTION event_keeps_its_sessions() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM events_session s WHERE s.event_id = NEW.id
                   AND (s.start < NEW.start OR s."end" > NEW."end")) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    "DROP TRIGGER IF EXISTS event_keeps_its_sessions ON events_event;",
    """
    CREATE TRIGGER event_keeps_its_sessions BEFORE UPDATE OF start, "end"
    ON events_event FOR EACH ROW EXECUTE FUNCTION event_keeps_its_sessions();
    """,
]
# PostgreSQL rebuilds nothing: its triggers can stay through migrations.
POSTGRES_REMOVE: list[str] = []


def _tables_exist(connection) -> bool:
    tables = set(connection.introspection.table_names())
    return {"events_event", "events_session"} <= tables


def _run(connection, statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(using="default", **kwargs) -> None:

    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql") or not _tables_exist(connection):
        return
    _run(connection, SQLITE_INSTALL if connection.vendor == "sqlite" else POSTGRES_INSTALL)


def remove(using="default", **kwargs) -> None:

    connection = connections[using]
    if connection.vendor != "sqlite" or not _tables_exist(connection):
        return
    _run(connection, SQLITE_REMOVE)
