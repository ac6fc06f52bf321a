"""Compare two snapshots: every table of the old database is still there with as many rows and
the same values in its sampled rows (columns it kept). Django's own bookkeeping tables may grow."""

import json
import sys
from pathlib import Path

before, after = (json.loads(Path(path).read_text()) for path in sys.argv[1:3])
GROWS = {"django_migrations", "django_content_type", "auth_permission"}
# Rows whose values the split changes on purpose: content types follow their model's app.
# The address's last line "69007 Lyon" moves to the postcode and city (issue 12; after.py
# checks them).
CHANGED = {
    "django_content_type": {"app_label"},
    "django_migrations": {"app", "name", "applied"},
    "events_organisation": {"address"},
}
# Tables emptied on purpose: DRF's clear API keys, now digests in accounts_apitoken (after.py
# checks that the key still works).
EMPTIED = {"authtoken_token"}
problems = []
for table, old in before.items():
    new = after.get(table)
    if new is None:
        problems.append(f"{table}: table gone")
        continue
    if table in EMPTIED:
        continue
    if table in GROWS:
        if new["count"] < old["count"]:
            problems.append(f"{table}: {old['count']} rows before, {new['count']} after")
        continue
    if new["count"] != old["count"]:
        problems.append(f"{table}: {old['count']} rows before, {new['count']} after")
    for old_row, new_row in zip(old["sample"], new["sample"], strict=False):
        for column, value in old_row.items():
            if column in CHANGED.get(table, ()) or column not in new_row:
                continue
            if new_row[column] != value:
                problems.append(f"{table}.{column}: {value!r} became {new_row[column]!r}")
for table in EMPTIED & set(before):
    if after.get(table, {}).get("count"):
        problems.append(f"{table}: {after[table]['count']} rows left, none expected")
rows = sum(t["count"] for t in before.values())
checked = sum(1 for t in before if t not in GROWS)
sys.stdout.write(
    f"{len(before)} tables ({rows} rows) before, {len(after)} after; {checked} compared\n"
)
for problem in problems:
    sys.stdout.write(f"  LOST: {problem}\n")
sys.exit(1 if problems else 0)
