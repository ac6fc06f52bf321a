import common.text
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('events', '0006_organisations_moved'),
        ('registrations', '0020_checkin_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Checkpoint, ScannerDevice and CheckIn moved to the checkin app with their tables (db_table):
        # only Django's state changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Checkpoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, validators=[common.text.validate_single_line], verbose_name='name')),
                        ('name_fr', models.CharField(max_length=120, null=True, validators=[common.text.validate_single_line], verbose_name='name')),
                        ('name_en', models.CharField(max_length=120, null=True, validators=[common.text.validate_single_line], verbose_name='name')),
                        ('allows_reentry', models.BooleanField(default=False, help_text='A badge already scanned here is let in again (shown as a return).', verbose_name='re-entry allowed')),
                        ('records_exits', models.BooleanField(default=False, verbose_name='exit scans')),
                        ('admits_unpaid_invoices', models.BooleanField(default=True, help_text='Public bodies pay after the event (service fait): a registration whose invoice is issued but unpaid is let in.', verbose_name='admit unpaid invoices')),
                        ('opens_at', models.DateTimeField(blank=True, help_text='Empty: two hours before the event or one hour before the session.', null=True, verbose_name='opens at')),
                        ('closes_at', models.DateTimeField(blank=True, help_text='Empty: the end of the event or session.', null=True, verbose_name='closes at')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkpoints', to='events.event', verbose_name='event')),
                        ('session', models.ForeignKey(blank=True, help_text="Leave empty for the event's entrance.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='checkpoints', to='events.session', verbose_name='session')),
                    ],
                    options={
                        'verbose_name': 'checkpoint',
                        'verbose_name_plural': 'checkpoints',
                        'db_table': 'registrations_checkpoint',
                        'ordering': ['event_id', 'position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ScannerDevice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text='For example “Entrée nord”.', max_length=100, validators=[common.text.validate_single_line], verbose_name='gate')),
                        ('token_digest', models.CharField(editable=False, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                        ('revoked_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='revoked at')),
                        ('last_seen_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last seen')),
                        ('checkpoint', models.ForeignKey(blank=True, help_text="Empty: the event's entrance.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='devices', to='checkin.checkpoint', verbose_name='default checkpoint')),
                        ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scanner_devices', to='events.event', verbose_name='event')),
                    ],
                    options={
                        'verbose_name': 'scanner device',
                        'verbose_name_plural': 'scanner devices',
                        'db_table': 'registrations_scannerdevice',
                        'ordering': ['event_id', 'name', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='CheckIn',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('gate', models.CharField(max_length=150, verbose_name='gate')),
                        ('direction', models.CharField(choices=[('entry', 'entry'), ('exit', 'exit')], default='entry', max_length=5, verbose_name='direction')),
                        ('result', models.CharField(choices=[('ok', 'admitted'), ('already_checked_in', 'already checked in'), ('unknown', 'unknown badge'), ('cancelled', 'registration cancelled'), ('not_paid', 'not paid'), ('wrong_event', "another event's badge"), ('not_valid_now', 'not valid here or now')], max_length=20, verbose_name='result')),
                        ('reason', models.CharField(blank=True, max_length=30, verbose_name='reason')),
                        ('is_first_entry', models.BooleanField(default=False, editable=False)),
                        ('scanned_at', models.DateTimeField(verbose_name='scanned at')),
                        ('attendance_day', models.DateField(verbose_name='day')),
                        ('received_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='received at')),
                        ('nonce', models.CharField(max_length=64, verbose_name='client nonce')),
                        ('is_offline', models.BooleanField(default=False, verbose_name='scanned offline')),
                        ('client_result', models.CharField(blank=True, choices=[('ok', 'admitted'), ('already_checked_in', 'already checked in'), ('unknown', 'unknown badge'), ('cancelled', 'registration cancelled'), ('not_paid', 'not paid'), ('wrong_event', "another event's badge"), ('not_valid_now', 'not valid here or now')], max_length=20, verbose_name='answer shown offline')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkins', to='events.event', verbose_name='event')),
                        ('registration', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='checkins', to='registrations.registration', verbose_name='registration')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='scanned by')),
                        ('checkpoint', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checkins', to='checkin.checkpoint', verbose_name='checkpoint')),
                        ('device', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='checkins', to='checkin.scannerdevice', verbose_name='device')),
                    ],
                    options={
                        'verbose_name': 'check-in',
                        'verbose_name_plural': 'check-ins',
                        'db_table': 'registrations_checkin',
                        'ordering': ['-scanned_at', '-pk'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='checkpoint',
                    constraint=models.UniqueConstraint(condition=models.Q(('session__isnull', True)), fields=('event',), name='checkpoint_one_entrance_per_event'),
                ),
                migrations.AddConstraint(
                    model_name='checkpoint',
                    constraint=models.UniqueConstraint(condition=models.Q(('session__isnull', False)), fields=('session',), name='checkpoint_one_per_session'),
                ),
                migrations.AddConstraint(
                    model_name='checkpoint',
                    constraint=models.CheckConstraint(condition=models.Q(('opens_at__isnull', True), ('closes_at__isnull', True), ('closes_at__gt', models.F('opens_at')), _connector='OR'), name='checkpoint_closes_after_opening'),
                ),
                migrations.AddIndex(
                    model_name='checkin',
                    index=models.Index(fields=['registration', 'checkpoint'], name='checkin_registration'),
                ),
                migrations.AddIndex(
                    model_name='checkin',
                    index=models.Index(fields=['checkpoint', 'result', 'scanned_at'], name='checkin_arrivals'),
                ),
                migrations.AddConstraint(
                    model_name='checkin',
                    constraint=models.UniqueConstraint(fields=('event', 'nonce'), name='checkin_nonce_once_per_event'),
                ),
                migrations.AddConstraint(
                    model_name='checkin',
                    constraint=models.UniqueConstraint(condition=models.Q(('is_first_entry', True)), fields=('registration', 'checkpoint', 'attendance_day'), name='checkin_one_first_entry_a_day'),
                ),
            ],
        ),
    ]
