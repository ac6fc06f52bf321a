from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registrations', '0019_rules_orderings'),
    ]

    operations = [
        # Checkpoint, ScannerDevice and CheckIn moved to the checkin app with their tables (db_table):
        # only Django's state changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='checkpoint',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='checkpoint',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='scannerdevice',
                    name='checkpoint',
                ),
                migrations.RemoveField(
                    model_name='scannerdevice',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='scannerdevice',
                    name='event',
                ),
                migrations.DeleteModel(
                    name='CheckIn',
                ),
                migrations.DeleteModel(
                    name='Checkpoint',
                ),
                migrations.DeleteModel(
                    name='ScannerDevice',
                ),
            ],
        ),
    ]
