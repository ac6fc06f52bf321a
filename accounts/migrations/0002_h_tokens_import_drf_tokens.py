"""DRF's tokens (`rest_framework.authtoken`, one per user, the key stored in clear) become API
tokens stored as the digest of the same key, so that the programs using them keep working; then
the clear keys are deleted. Not reversible: the keys are gone (the tokens stay as API tokens)."""

import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import translation


def import_drf_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    with translation.override(settings.LANGUAGE_CODE):
        name = translation.gettext("Imported token")
    for token in Token.objects.all().iterator():
        ApiToken.objects.create(
            user_id=token.user_id,
            name=name,
            digest=hashlib.sha256(token.key.encode()).hexdigest(),
            prefix=token.key[:8],
            created_at=token.created,
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_h_tokens_apitoken"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [
        migrations.RunPython(import_drf_tokens, migrations.RunPython.noop, elidable=False),
    ]
