import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0005_input_text_characters'),
        ('organisations', '0001_initial'),
        ('registrations', '0016_organisations_moved'),
        ('speakers', '0003_organisations_moved'),
    ]

    operations = [
        # Organisation and Membership moved to the organisations app with their tables (db_table):
        # only Django's state changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='organisation',
                    name='members',
                ),
                migrations.AlterField(
                    model_name='venue',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='venues', to='organisations.organisation', verbose_name='organisation'),
                ),
                migrations.AlterField(
                    model_name='partnerfeed',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='partner_feeds', to='organisations.organisation', verbose_name='organisation'),
                ),
                migrations.AlterField(
                    model_name='event',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='organisations.organisation', verbose_name='organisation'),
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
                migrations.DeleteModel(
                    name='Organisation',
                ),
            ],
        ),
    ]
