"""Every owner of an organisation hears when its bank details change (organisations.signals
`bank_details_changed`): one email each, queued in the transaction of the change, telling who
changed what and when, the IBAN masked but for its last four characters."""

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format

from organisations.models import Membership, Organisation
from registrations.emails import EmailExtras, queue_email
from registrations.models import OutgoingEmail


def queue_bank_details_emails(sender, *, organisation, changes, changed_by, changed_at, **kwargs):
    """The receiver of `bank_details_changed` (connected in RegistrationsConfig.ready())."""
    facts = {
        "organisation_id": organisation.pk,
        "organisation": organisation.name,
        "changed_by": _name_of(changed_by),
        "changed_at": changed_at.isoformat(),
        "time_zone": organisation.time_zone,
        "changes": [
            {"field": change.field, "old": change.old, "new": change.new} for change in changes
        ],
    }
    owners = (
        Membership.objects.filter(organisation=organisation, role=Membership.Role.OWNER)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )
    for membership in owners:
        queue_email(OutgoingEmail.Kind.BANK_DETAILS_CHANGED, user=membership.user, facts=facts)


def _name_of(user) -> str:
    if user is None:
        return ""
    full_name = user.get_full_name().strip()
    username = user.get_username()
    if full_name:
        return f"{full_name} ({username})"
    return username


def bank_details_extras(email: OutgoingEmail, context: dict) -> EmailExtras:
    """The email's context: the changes with their fields' names in the recipient's language,
    and the moment in the organisation's time zone, in words of the recipient's language."""
    facts = email.facts
    local = timezone.localtime(datetime.fromisoformat(facts["changed_at"]), _zone(facts))
    return EmailExtras(
        context={
            "organisation_name": facts["organisation"],
            "changed_by": facts["changed_by"],
            "changed_on": date_format(local, "DATE_FORMAT"),
            "changed_time": date_format(local, "TIME_FORMAT"),
            "changes": [
                {
                    "label": Organisation._meta.get_field(change["field"]).verbose_name,
                    "old": change["old"],
                    "new": change["new"],
                }
                for change in facts["changes"]
            ],
        }
    )


def _zone(facts):
    return Organisation(time_zone=facts.get("time_zone") or "Europe/Paris").zone
