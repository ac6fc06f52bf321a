import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0001_initial'),
        ('speakers', '0002_input_text_characters'),
    ]

    operations = [
        # Organisation and Membership moved to the organisations app with their tables (db_table):
        # only Django's state changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='speaker',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='speakers', to='organisations.organisation', verbose_name='organisation'),
                ),
            ],
        ),
    ]
