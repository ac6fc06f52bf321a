"""Publishing a privacy notice: a new version, numbered after the last, never an edit."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from notices.models import PrivacyNotice
from organisations.models import Organisation
from organisations.selectors import may_change_legal_details


def publish_privacy_notice(
    *, organisation: Organisation, text_fr: str, text_en: str, user
) -> PrivacyNotice:
    """Publish a new version of `organisation`'s notice, in force from now on: registrations
    made afterwards record it. Only its owners and superusers may (PermissionDenied);
    ValidationError when the French text is empty. Takes the organisation's row lock so two
    owners publishing at once get two numbers."""
    if not may_change_legal_details(user, organisation):
        raise PermissionDenied(_("Only the organisation's owners may publish its privacy notice."))
    text_fr, text_en = (text_fr or "").strip(), (text_en or "").strip()
    if not text_fr:
        raise ValidationError({"text_fr": _("Write the notice in French.")})
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        last = PrivacyNotice.objects.filter(organisation=organisation).aggregate(Max("version"))
        notice = PrivacyNotice.objects.create(
            organisation=organisation,
            version=(last["version__max"] or 0) + 1,
            text_fr=text_fr,
            text_en=text_en,
            published_at=timezone.now(),
            published_by=user,
        )
        audit.record(
            "privacy_notice.publish",
            notice,
            organisation=organisation,
            changes={"version": [notice.version - 1 or None, notice.version]},
        )
        return notice
