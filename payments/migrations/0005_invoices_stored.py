"""Invoices become stored documents (Invoice: the data printed and the PDF, frozen at issue),
with credit notes in a series of their own; payments point at their invoice.

The invoices issued before are frozen by the next migration; the one after removes the
payment's fields they replace."""

import common.text
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0009_content_types'),
        ('organisations', '0003_invoicing_details'),
        ('payments', '0004_payment_content_type'),
        ('registrations', '0022_ticket_vat_rate'),
    ]

    operations = [
        migrations.CreateModel(
            name='Invoice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('invoice', 'invoice'), ('credit_note', 'credit note')], default='invoice', max_length=20, verbose_name='kind')),
                ('number', models.CharField(max_length=30, unique=True, verbose_name='number')),
                ('status', models.CharField(choices=[('issued', 'issued'), ('paid', 'paid'), ('partially_credited', 'partially credited'), ('credited', 'cancelled by credit note')], default='issued', max_length=20, verbose_name='state')),
                ('issued_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='issued at')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='due on')),
                ('language', models.CharField(default='fr', max_length=8, verbose_name='language')),
                ('currency', models.CharField(default='EUR', max_length=3, verbose_name='currency')),
                ('total_net', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='total excluding VAT')),
                ('total_vat', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='VAT')),
                ('total_gross', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='total including VAT')),
                ('buyer_name', models.CharField(max_length=200, verbose_name='paying body')),
                ('buyer_email', models.EmailField(blank=True, max_length=254, verbose_name="payer's email")),
                ('purchase_order_number', models.CharField(blank=True, max_length=100, verbose_name='purchase order or commitment number')),
                ('data', models.JSONField(verbose_name='printed data')),
                ('pdf', models.BinaryField(verbose_name='PDF')),
                ('regenerated_at_migration', models.BooleanField(default=False, help_text='Issued before invoices were stored: its PDF was drawn from the data of the day of the migration.', verbose_name='drawn again at migration')),
                ('paid_at', models.DateTimeField(blank=True, null=True, verbose_name='paid at')),
                ('reminded_at', models.DateTimeField(blank=True, null=True, verbose_name='reminded at')),
            ],
            options={
                'verbose_name': 'invoice',
                'verbose_name_plural': 'invoices',
                'ordering': ['-issued_at', '-pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='invoicecounter',
            name='invoice_counter_once_per_year',
        ),
        migrations.AddField(
            model_name='invoicecounter',
            name='series',
            field=models.CharField(default='F', max_length=1, verbose_name='series'),
        ),
        migrations.AddField(
            model_name='payment',
            name='billing_email',
            field=models.EmailField(blank=True, max_length=254, verbose_name="payer's email"),
        ),
        migrations.AddField(
            model_name='payment',
            name='billing_service_code',
            field=models.CharField(blank=True, max_length=100, validators=[common.text.validate_single_line], verbose_name='Chorus Pro service code'),
        ),
        migrations.AddField(
            model_name='payment',
            name='billing_siret',
            field=models.CharField(blank=True, max_length=14, verbose_name="payer's SIRET"),
        ),
        migrations.AlterField(
            model_name='payment',
            name='purchase_order_number',
            field=models.CharField(blank=True, max_length=100, validators=[common.text.validate_single_line], verbose_name='purchase order or commitment number'),
        ),
        migrations.AddConstraint(
            model_name='invoicecounter',
            constraint=models.UniqueConstraint(fields=('organisation', 'series', 'year'), name='invoice_counter_once_per_year'),
        ),
        migrations.AddField(
            model_name='invoice',
            name='credited_invoice',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credit_notes', to='payments.invoice', verbose_name='credited invoice'),
        ),
        migrations.AddField(
            model_name='invoice',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to='events.event', verbose_name='event'),
        ),
        migrations.AddField(
            model_name='invoice',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation', verbose_name='organisation'),
        ),
        migrations.AddField(
            model_name='payment',
            name='credit_note',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credited_payments', to='payments.invoice', verbose_name='credit note'),
        ),
        migrations.AddField(
            model_name='payment',
            name='invoice',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='payments.invoice', verbose_name='invoice'),
        ),
        migrations.AddIndex(
            model_name='invoice',
            index=models.Index(fields=['organisation', 'kind', 'issued_at'], name='invoice_journal'),
        ),
        migrations.AddConstraint(
            model_name='invoice',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('credited_invoice__isnull', True), ('kind', 'invoice')), models.Q(('credited_invoice__isnull', False), ('kind', 'credit_note')), _connector='OR'), name='credit_note_names_its_invoice'),
        ),
    ]
