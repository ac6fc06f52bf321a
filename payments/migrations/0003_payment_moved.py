import common.text
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0002_content_types'),
        ('registrations', '0020_checkin_moved'),
    ]

    operations = [
        # Payment moved to the payments app with its table (db_table): only Django's state
        # changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Payment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('method', models.CharField(choices=[('card', 'card (Stripe)'), ('invoice', 'invoice (bank transfer)')], default='card', max_length=20, verbose_name='method')),
                        ('status', models.CharField(choices=[('created', 'checkout started'), ('paid', 'paid'), ('failed', 'failed'), ('expired', 'expired'), ('refunded', 'refunded')], default='created', max_length=20, verbose_name='status')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=8, verbose_name='amount')),
                        ('currency', models.CharField(max_length=3, verbose_name='currency')),
                        ('stripe_session_id', models.CharField(blank=True, max_length=255, null=True, unique=True, verbose_name='Stripe Checkout Session')),
                        ('stripe_payment_intent', models.CharField(blank=True, db_index=True, max_length=255, verbose_name='Stripe payment intent')),
                        ('checkout_url', models.URLField(blank=True, max_length=2000, verbose_name='checkout address')),
                        ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='checkout expires at')),
                        ('amount_refunded', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=8, verbose_name='amount refunded')),
                        ('refunded_at', models.DateTimeField(blank=True, null=True, verbose_name='refunded at')),
                        ('stripe_refund_id', models.CharField(blank=True, max_length=255, verbose_name='Stripe refund')),
                        ('flag', models.CharField(blank=True, choices=[('', 'none'), ('mismatch', 'amount or currency mismatch'), ('refund_due', 'refund due')], default='', max_length=20, verbose_name='needs attention')),
                        ('flag_note', models.TextField(blank=True, verbose_name='note')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                        ('paid_at', models.DateTimeField(blank=True, null=True, verbose_name='paid at')),
                        ('invoice_number', models.CharField(blank=True, max_length=30, null=True, unique=True, verbose_name='invoice number')),
                        ('purchase_order_number', models.CharField(blank=True, max_length=100, validators=[common.text.validate_single_line], verbose_name='purchase order number')),
                        ('billing_name', models.CharField(blank=True, max_length=200, validators=[common.text.validate_single_line], verbose_name='paying body')),
                        ('billing_address', models.TextField(blank=True, validators=[common.text.validate_multi_line], verbose_name='billing address')),
                        ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='due on')),
                        ('reminded_at', models.DateTimeField(blank=True, null=True, verbose_name='reminded at')),
                        ('registration', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='registrations.registration', verbose_name='registration')),
                    ],
                    options={
                        'verbose_name': 'payment',
                        'verbose_name_plural': 'payments',
                        'db_table': 'registrations_payment',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.AlterField(
                    model_name='stripeevent',
                    name='payment',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='stripe_events', to='payments.payment', verbose_name='payment'),
                ),
                migrations.AddIndex(
                    model_name='payment',
                    index=models.Index(fields=['flag'], name='payment_flag'),
                ),
            ],
        ),
    ]
