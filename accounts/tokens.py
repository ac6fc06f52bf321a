"""API tokens: made with a random key shown once, stored as its digest, revoked, never deleted.

Every creation and revocation is in the audit trail (`token.create`, `token.revoke`) with the
token's name and prefix, never its key. The entries belong to no organisation: a token is the
person's, whatever organisations they work for, so superusers read them in the trail."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken
from audit import services as audit
from common.text import check_text

PREFIX_LENGTH = 8
# How often a token's last use is written, at most: a write per API request would cost more
# than the figure is worth to the person reading it.
LAST_USE_PRECISION = timedelta(minutes=1)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(*, user, name: str, expires_at=None, now=None) -> tuple[ApiToken, str]:
    """Make a token for `user` named `name` (what it is for), valid until `expires_at` if
    given, and return it with its key: the key is shown only now, the database keeps its
    digest. Raises ValidationError (by field) on an empty or multi-line name or an expiry in
    the past; nothing is saved then."""
    now = now or timezone.now()
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the token after what it is for.")})
    try:
        check_text(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValidationError({"name": _("Keep the name under 100 characters.")})
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("Choose an expiry date in the future.")})
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            digest=key_digest(key),
            prefix=key[:PREFIX_LENGTH],
            created_at=now,
            expires_at=expires_at,
        )
        changes = {
            "user": [None, user.get_username()],
            "name": [None, token.name],
            "prefix": [None, token.prefix],
        }
        if expires_at is not None:
            changes["expires_at"] = [None, expires_at]
        audit.record("token.create", token, changes=changes)
    return token, key


def may_revoke(user, token: ApiToken) -> bool:
    """A person revokes their own tokens; a superuser anyone's (a key that leaked)."""
    return bool(user and user.is_active) and (user.is_superuser or token.user_id == user.pk)


def revoke_token(*, token: ApiToken, by=None, now=None) -> ApiToken:
    """From now on the token's key is refused; the token stays, for the trail. `by` is the
    person asking (None: the system or a command), who must be allowed to (`may_revoke`), or
    PermissionDenied is raised. Revoking a revoked token changes nothing and records nothing."""
    if by is not None and not may_revoke(by, token):
        raise PermissionDenied
    with transaction.atomic():
        # Two revocations at once record one entry: the second finds it done.
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now or timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
        if revoked:
            audit.record("token.revoke", token, changes={"revoked_at": [None, token.revoked_at]})
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The token (with its user) whose key is `key`, revoked and expired ones included: the
    caller says why it refuses them."""
    return ApiToken.objects.select_related("user").filter(digest=key_digest(key)).first()


def note_token_used(token: ApiToken, *, now=None) -> None:
    """Record the token's use, at most once a minute: skipped when the token as read is
    recent enough, and the update's condition settles two workers that read it together."""
    now = now or timezone.now()
    since = now - LAST_USE_PRECISION
    if token.last_used_at is not None and token.last_used_at > since:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=since)
    ).update(last_used_at=now)
    token.last_used_at = now
