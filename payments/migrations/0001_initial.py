import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('organisations', '0002_content_types'),
        ('registrations', '0017_payments_moved'),
    ]

    operations = [
        # InvoiceCounter and StripeEvent moved to the payments app with their tables (db_table):
        # only Django's state changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StripeEvent',
                    fields=[
                        ('id', models.CharField(max_length=255, primary_key=True, serialize=False)),
                        ('type', models.CharField(max_length=100, verbose_name='type')),
                        ('outcome', models.CharField(blank=True, max_length=255, verbose_name='outcome')),
                        ('payload', models.JSONField(verbose_name='payload')),
                        ('received_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='received at')),
                        ('payment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='stripe_events', to='registrations.payment', verbose_name='payment')),
                    ],
                    options={
                        'verbose_name': 'Stripe event',
                        'verbose_name_plural': 'Stripe events',
                        'db_table': 'registrations_stripeevent',
                        'ordering': ['-received_at'],
                    },
                ),
                migrations.CreateModel(
                    name='InvoiceCounter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('last_number', models.PositiveIntegerField(default=0, verbose_name='last number')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'invoice counter',
                        'verbose_name_plural': 'invoice counters',
                        'db_table': 'registrations_invoicecounter',
                        'constraints': [models.UniqueConstraint(fields=('organisation', 'year'), name='invoice_counter_once_per_year')],
                    },
                ),
            ],
        ),
    ]
