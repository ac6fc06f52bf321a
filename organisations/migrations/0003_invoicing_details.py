"""Invoicing details: a structured address, the VAT regime chosen among the usual bases (it
replaces the free VAT mention, read into it here), the accounts email and the payment terms."""

import re

import common.text
import django.core.validators
import organisations.models
import organisations.validators
from decimal import Decimal
from django.db import migrations, models


POSTCODE_CITY = re.compile(r"^(\d{5})\s+(.+)$")


def regime_of(mention: str, vat_number: str) -> str:
    mention = mention or ""
    if "261" in mention:
        return "261-4-4"
    if "256" in mention:
        return "256B"
    if "293" in mention:
        return "293B"
    return "subject" if vat_number else "293B"


def forwards(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    for organisation in Organisation.objects.all():
        organisation.vat_regime = regime_of(organisation.vat_mention, organisation.vat_number)
        lines = [line.strip() for line in organisation.address.splitlines() if line.strip()]
        match = POSTCODE_CITY.match(lines[-1]) if lines else None
        if match and not organisation.postcode:
            organisation.postcode, organisation.city = match.groups()
            organisation.address = "\n".join(lines[:-1])
        organisation.save(update_fields=["vat_regime", "postcode", "city", "address"])


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0002_content_types'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='city',
            field=models.CharField(blank=True, max_length=100, validators=[common.text.validate_single_line], verbose_name='city'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='country',
            field=models.CharField(default='FR', max_length=2, validators=[django.core.validators.RegexValidator('^[A-Z]{2}$', 'Enter a two-letter country code (FR).')], verbose_name='country'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='early_payment_discount',
            field=models.DecimalField(blank=True, decimal_places=2, help_text='Leave empty for none (the invoice says so).', max_digits=4, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.01')), django.core.validators.MaxValueValidator(Decimal('50'))], verbose_name='early-payment discount (%)'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='invoice_email',
            field=models.EmailField(blank=True, help_text="Printed on invoices for the payers' questions.", max_length=254, verbose_name='accounts email'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='late_payment_rate',
            field=models.DecimalField(blank=True, decimal_places=2, help_text="Leave empty for the legal default: the European Central Bank's rate plus 10 points.", max_digits=5, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='late-payment penalty rate (% a year)'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='payment_terms_days',
            field=models.PositiveSmallIntegerField(default=organisations.models.default_payment_terms, help_text='30 days by default; 50 days for public hospitals (at most 60).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='payment terms (days)'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='postcode',
            field=models.CharField(blank=True, max_length=16, validators=[common.text.validate_single_line], verbose_name='postcode'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='unpaid_seat_release_days',
            field=models.PositiveSmallIntegerField(blank=True, default=0, help_text='An unpaid seat is never released before its invoice is due. Leave empty to keep unpaid seats until you cancel them.', null=True, verbose_name='release unpaid seats (days after the due date)'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='vat_regime',
            field=models.CharField(choices=[('subject', 'subject to VAT (rates per ticket type)'), ('293B', 'VAT not applicable, art. 293 B of the CGI'), ('261-4-4', 'VAT exempt, art. 261-4-4° of the CGI (continuing training)'), ('256B', 'VAT not applicable, art. 256 B of the CGI (public body)')], default='293B', max_length=20, verbose_name='VAT'),
        ),
        migrations.AlterField(
            model_name='organisation',
            name='address',
            field=models.TextField(blank=True, validators=[common.text.validate_multi_line], verbose_name='street address'),
        ),
        migrations.AlterField(
            model_name='organisation',
            name='bic',
            field=models.CharField(blank=True, max_length=11, validators=[organisations.validators.validate_bic], verbose_name='BIC'),
        ),
        migrations.AlterField(
            model_name='organisation',
            name='iban',
            field=models.CharField(blank=True, max_length=34, validators=[organisations.validators.validate_iban], verbose_name='IBAN'),
        ),
        migrations.AlterField(
            model_name='organisation',
            name='siret',
            field=models.CharField(blank=True, max_length=14, validators=[organisations.validators.validate_siret], verbose_name='SIRET'),
        ),
        migrations.AlterField(
            model_name='organisation',
            name='vat_number',
            field=models.CharField(blank=True, max_length=20, validators=[organisations.validators.validate_vat_number], verbose_name='VAT number'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='organisation',
            name='vat_mention',
        ),
    ]
