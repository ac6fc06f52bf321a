from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('speakers', '0003_organisations_moved'),
    ]

    operations = [
        # SessionSpeaker moved to the events app with its table (db_table): only Django's state
        # changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='SessionSpeaker',
                ),
            ],
        ),
    ]
