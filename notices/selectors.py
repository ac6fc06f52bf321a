"""The notices in force: each organisation's current privacy notice, the site's legal notice
and accessibility statement. Each is created from its default the first time it is asked for,
so a page or a consent record always has a version to name."""

from django.core.cache import cache
from django.db import IntegrityError, transaction

from notices.defaults import (
    default_accessibility_statement,
    default_legal_notice,
    default_privacy_texts,
)
from notices.models import AccessibilityStatement, LegalNotice, PrivacyNotice
from organisations.models import Organisation


def current_privacy_notice(organisation: Organisation | int) -> PrivacyNotice:
    """The organisation's latest published notice (given the organisation or its id); version
    1, the default filled from its details, when none has been published yet. One query when a
    version exists."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    notice = (
        PrivacyNotice.objects.filter(organisation_id=organisation_id).order_by("-version").first()
    )
    if notice is not None:
        return notice
    if isinstance(organisation, int):
        organisation = Organisation.objects.get(pk=organisation_id)
    text_fr, text_en = default_privacy_texts(organisation)
    try:
        with transaction.atomic():
            return PrivacyNotice.objects.create(
                organisation=organisation, version=1, text_fr=text_fr, text_en=text_en
            )
    except IntegrityError:
        # Created at the same moment by another request.
        return PrivacyNotice.objects.get(organisation=organisation, version=1)


def _singleton(model, defaults: dict):
    record = model.objects.order_by("pk").first()
    if record is None:
        record, _created = model.objects.get_or_create(pk=1, defaults=defaults)
    return record


def legal_notice() -> LegalNotice:
    return _singleton(LegalNotice, default_legal_notice())


def accessibility_statement() -> AccessibilityStatement:
    return _singleton(AccessibilityStatement, default_accessibility_statement())


# The accessibility statement's status, which every page's footer shows: cached with no expiry,
# forgotten when the statement is saved (notices.signals), so that pages read it for free.
ACCESSIBILITY_STATUS_KEY = "notices:accessibility-status"


def accessibility_status() -> str:
    """The statement's compliance status (AccessibilityStatement.Status): from the cache, else
    read (the statement created from its default if absent) and cached."""
    status = cache.get(ACCESSIBILITY_STATUS_KEY)
    if status is None:
        status = accessibility_statement().status
        cache.set(ACCESSIBILITY_STATUS_KEY, status, timeout=None)
    return status


def cached_accessibility_status() -> str | None:
    """The status only if it is cached (None otherwise): for the pages that must not touch the
    database (the 429 page of a rate-limited client)."""
    return cache.get(ACCESSIBILITY_STATUS_KEY)


def status_label(status: str | None):
    """How a page says the status ("partially compliant", translated when shown); None for
    none."""
    return AccessibilityStatement.Status(status).label if status else None


def forget_accessibility_status() -> None:
    cache.delete(ACCESSIBILITY_STATUS_KEY)
