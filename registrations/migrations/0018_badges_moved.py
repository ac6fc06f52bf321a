from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registrations', '0017_payments_moved'),
    ]

    operations = [
        # BadgeSheet moved to the badges app with its table (db_table):
        # only Django's state changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='BadgeSheet',
                ),
            ],
        ),
    ]
