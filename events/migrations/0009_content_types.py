"""The content type of the moved SessionSpeaker follows it, so that the back office's history
and the permissions given on it stay attached (their rows point at the content type's id,
which does not change)."""

from django.db import migrations

MOVED = ("sessionspeaker",)


def rename(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue  # already created under the new name (e.g. by an earlier partial run)
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor, "speakers", "events")


def backwards(apps, schema_editor):
    rename(apps, schema_editor, "events", "speakers")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0008_sessionspeaker_moved"),
        ("speakers", "0004_sessionspeaker_moved"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
