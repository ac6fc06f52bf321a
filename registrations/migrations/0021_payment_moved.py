from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0003_payment_moved'),
        ('registrations', '0020_checkin_moved'),
    ]

    operations = [
        # Payment moved to the payments app with its table (db_table): only Django's state
        # changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Payment',
                ),
            ],
        ),
    ]
