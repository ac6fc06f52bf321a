from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registrations', '0016_organisations_moved'),
    ]

    operations = [
        # InvoiceCounter and StripeEvent moved to the payments app with their tables (db_table):
        # only Django's state changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='stripeevent',
                    name='payment',
                ),
                migrations.DeleteModel(
                    name='InvoiceCounter',
                ),
                migrations.DeleteModel(
                    name='StripeEvent',
                ),
            ],
        ),
    ]
