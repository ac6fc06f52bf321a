import common.text
import django.core.validators
import django.db.models.deletion
import organisations.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('events', '0005_input_text_characters'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Organisation and Membership moved to the organisations app with their tables (db_table):
        # only Django's state changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('owner', 'owner'), ('organiser', 'organiser'), ('door_staff', 'door staff')], default='organiser', max_length=20, verbose_name='role')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'member',
                        'verbose_name_plural': 'members',
                        'db_table': 'events_membership',
                    },
                ),
                migrations.CreateModel(
                    name='Organisation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, validators=[common.text.validate_single_line], verbose_name='name')),
                        ('slug', models.SlugField(max_length=80, unique=True, verbose_name='identifier')),
                        ('website', models.URLField(blank=True, verbose_name='website')),
                        ('legal_name', models.CharField(blank=True, max_length=200, validators=[common.text.validate_single_line], verbose_name='legal name')),
                        ('address', models.TextField(blank=True, validators=[common.text.validate_multi_line], verbose_name='address')),
                        ('siret', models.CharField(blank=True, max_length=14, validators=[django.core.validators.RegexValidator('^\\d{14}$', 'A SIRET number is made of 14 digits.', code='siret')], verbose_name='SIRET')),
                        ('vat_number', models.CharField(blank=True, max_length=20, validators=[common.text.validate_single_line], verbose_name='VAT number')),
                        ('vat_mention', models.CharField(blank=True, default='TVA non applicable, art. 293 B du CGI', max_length=200, validators=[common.text.validate_single_line], verbose_name='VAT mention')),
                        ('iban', models.CharField(blank=True, max_length=34, verbose_name='IBAN')),
                        ('bic', models.CharField(blank=True, max_length=11, verbose_name='BIC')),
                        ('time_zone', models.CharField(default='Europe/Paris', max_length=64, validators=[organisations.models.validate_time_zone], verbose_name='time zone')),
                        ('members', models.ManyToManyField(blank=True, related_name='organisations', through='organisations.Membership', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'organisation',
                        'verbose_name_plural': 'organisations',
                        'db_table': 'events_organisation',
                        'ordering': ['name'],
                    },
                ),
                migrations.AddField(
                    model_name='membership',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='organisations.organisation', verbose_name='organisation'),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.UniqueConstraint(fields=('organisation', 'user'), name='membership_unique_user'),
                ),
            ],
        ),
    ]
