"""Read an .ics with Mozilla's ical.js, the parser Thunderbird uses, through node.

The tests must prove that a real calendar client reads our invitations at the right instant:
when node or ical.js is missing, the helper fails with what to install instead of skipping.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("icaljs_read.mjs")
ICALJS = ROOT / "node_modules" / "ical.js" / "package.json"


def read_with_icaljs(ics: bytes | str) -> dict:
    """{"method", "name", "timezones", "events": [{"uid", "summary", "sequence", "status",
    "start", "end", "start_timezone", "all_day", "start_date", "end_date", "location",
    "description", "url", "categories", "alarms": [{"action", "trigger"}],
    "attendees": [{"value", "cn"}], "organizer"}]} as ical.js reads them; start and end are UTC
    instants such as "2027-05-20T06:30:00.000Z"; an all-day event has its dates as written
    in start_date and end_date."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("These tests need node (Debian: apt-get install nodejs).", pytrace=False)
    if not ICALJS.is_file():
        pytest.fail(f"ical.js is missing at {ICALJS.parent}: run `npm ci`.", pytrace=False)
    if isinstance(ics, str):
        ics = ics.encode()
    result = subprocess.run(
        [node, str(SCRIPT)],
        input=ics,
        capture_output=True,
        cwd=ROOT,
        # The machine's own zone must not matter: every instant is read back in UTC.
        env={**os.environ, "TZ": "UTC"},
        timeout=30,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"ical.js could not read the calendar:\n{result.stderr.decode()}")
    return json.loads(result.stdout)
