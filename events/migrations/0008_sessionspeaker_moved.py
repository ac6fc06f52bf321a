import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0007_rules_orderings'),
        ('speakers', '0004_sessionspeaker_moved'),
    ]

    operations = [
        # SessionSpeaker moved to the events app with its table (db_table): only Django's state
        # changes; the database, its rows and its foreign keys stay as they are.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SessionSpeaker',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('speaker', 'speaker'), ('chair', 'chair'), ('moderator', 'moderator'), ('discussant', 'discussant'), ('signatory', 'signatory')], default='speaker', max_length=20, verbose_name='role')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='session_speakers', to='events.session', verbose_name='session')),
                        ('speaker', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='session_roles', to='speakers.speaker', verbose_name='speaker')),
                    ],
                    options={
                        'verbose_name': 'session role',
                        'verbose_name_plural': 'session roles',
                        'db_table': 'speakers_sessionspeaker',
                        'ordering': ['position', 'pk'],
                        'constraints': [models.UniqueConstraint(fields=('session', 'speaker', 'role'), name='session_speaker_unique_role')],
                    },
                ),
            ],
        ),
    ]
