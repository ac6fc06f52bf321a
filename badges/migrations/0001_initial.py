import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('events', '0006_organisations_moved'),
        ('registrations', '0018_badges_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # BadgeSheet moved to the badges app with its table (db_table):
        # only Django's state changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BadgeSheet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('layout', models.CharField(choices=[('a6', 'A6 (105 × 148 mm), 4 per A4 page'), ('a7', 'A7 (74 × 105 mm), 8 per A4 page'), ('card_90x55', 'Card 90 × 55 mm, 10 per A4 page'), ('card_85x54', 'Card 85 × 54 mm (credit card size), 10 per A4 page')], default='a6', max_length=20, verbose_name='layout')),
                        ('status', models.CharField(choices=[('queued', 'queued'), ('running', 'being built'), ('done', 'ready'), ('failed', 'failed')], default='queued', max_length=10, verbose_name='status')),
                        ('total', models.PositiveIntegerField(default=0, verbose_name='badges')),
                        ('done', models.PositiveIntegerField(default=0, verbose_name='badges drawn')),
                        ('pdf', models.BinaryField(null=True)),
                        ('pdf_size', models.PositiveIntegerField(default=0, editable=False, verbose_name='size (bytes)')),
                        ('language', models.CharField(default='fr', editable=False, max_length=5, verbose_name='language')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='requested at')),
                        ('finished_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='finished at')),
                        ('error', models.TextField(blank=True, editable=False, verbose_name='error')),
                        ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='badge_sheets', to='events.event', verbose_name='event')),
                    ],
                    options={
                        'verbose_name': 'badge sheet',
                        'verbose_name_plural': 'badge sheets',
                        'db_table': 'registrations_badgesheet',
                        'ordering': ['-created_at', '-pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('done__lte', models.F('total'))), name='badge_sheet_done_within_total')],
                    },
                ),
            ],
        ),
    ]
