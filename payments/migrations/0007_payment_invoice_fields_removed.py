"""The payment's invoice fields, now the Invoice's (number, due date, reminder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_freeze_issued_invoices"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='payment',
            name='due_at',
        ),
        migrations.RemoveField(
            model_name='payment',
            name='invoice_number',
        ),
        migrations.RemoveField(
            model_name='payment',
            name='reminded_at',
        ),
    ]
