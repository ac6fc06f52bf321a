# Run by either code (`manage.py shell`): every table's row count and its first rows, as JSON.
import json
import os

from django.db import connection

SAMPLE = 3
tables = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names()):
        quoted = connection.ops.quote_name(table)
        # Table and column names come from the database itself.
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608
        count = cursor.fetchone()[0]
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        order = "id" if "id" in columns else columns[0]
        order_by = connection.ops.quote_name(order)
        cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order_by} LIMIT {SAMPLE}")  # noqa: S608
        rows = [dict(zip(columns, map(str, row), strict=True)) for row in cursor.fetchall()]
        tables[table] = {"count": count, "sample": rows}
with open(os.environ["SNAPSHOT"], "w") as out:
    json.dump(tables, out, indent=1, sort_keys=True)
