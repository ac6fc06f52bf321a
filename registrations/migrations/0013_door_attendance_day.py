"""Check-ins get their event day (the local date, or the day before until 04:00), and the
one-first-entry rule becomes one first entry per registration, checkpoint and day."""

import zoneinfo
from datetime import time, timedelta

from django.db import migrations, models


def fill_attendance_days(apps, schema_editor):
    CheckIn = apps.get_model("registrations", "CheckIn")
    Event = apps.get_model("events", "Event")
    zones = dict(Event.objects.values_list("pk", "time_zone"))
    changed = []
    for checkin in CheckIn.objects.only("pk", "event_id", "scanned_at").iterator():
        local = checkin.scanned_at.astimezone(zoneinfo.ZoneInfo(zones[checkin.event_id]))
        day = local.date()
        checkin.attendance_day = day - timedelta(days=1) if local.time() < time(4) else day
        changed.append(checkin)
        if len(changed) >= 1000:
            CheckIn.objects.bulk_update(changed, ["attendance_day"])
            changed = []
    CheckIn.objects.bulk_update(changed, ["attendance_day"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_calendars"),
        ("registrations", "0012_door_invoice_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="attendance_day",
            field=models.DateField(null=True, verbose_name="day"),
        ),
        migrations.RunPython(fill_attendance_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="checkin",
            name="attendance_day",
            field=models.DateField(verbose_name="day"),
        ),
        migrations.RemoveConstraint(model_name="checkin", name="checkin_one_first_entry"),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_first_entry", True)),
                fields=("registration", "checkpoint", "attendance_day"),
                name="checkin_one_first_entry_a_day",
            ),
        ),
    ]
