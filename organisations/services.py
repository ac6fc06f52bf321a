"""Writes to organisations that other apps hear of: `save_organisation`."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from organisations.invoicing import BANK_FIELDS
from organisations.models import Organisation
from organisations.signals import bank_details_changed

# The organisation's details the audit trail shows before → after (the IBAN masked).
AUDITED_FIELDS = tuple(
    field.name
    for field in Organisation._meta.get_fields()
    if field.concrete and not field.many_to_many and not field.primary_key
)


@dataclass(frozen=True)
class BankDetailChange:
    """One bank detail that changed: the field's name, and its old and new values as an email
    may show them (an IBAN masked but for its last four characters)."""

    field: str
    old: str
    new: str


def mask_iban(value: str) -> str:
    """ "•••• 0185" for an IBAN ending in 0185: enough to recognise it, not to use it; the
    length is not told either. "" stays ""."""
    value = (value or "").replace(" ", "")
    if not value:
        return ""
    return f"•••• {value[-4:]}"


def shown_value(field: str, value) -> str:
    value = str(value or "")
    return mask_iban(value) if field == "iban" else value


def save_organisation(*, organisation: Organisation, changed_by=None, now=None) -> list:
    """Save `organisation` as given (validated by the caller, e.g. a ModelForm), and announce
    a change of its bank details (`bank_details_changed`) in the same transaction, so that the
    owners' emails are queued with the change or not at all.

    Locks the organisation's row while comparing with what was stored. Who may change these
    details (owners and superusers) is the caller's check. Returns the BankDetailChange list
    (empty: nothing of BANK_FIELDS changed, nothing sent)."""
    with transaction.atomic():
        before = None
        if organisation.pk is not None:
            before = (
                Organisation.objects.select_for_update()
                .filter(pk=organisation.pk)
                .values(*BANK_FIELDS)
                .first()
            )
        stored = (
            Organisation.objects.filter(pk=organisation.pk).first()
            if organisation.pk is not None
            else None
        )
        organisation.save()
        changed = audit.field_changes(
            stored, organisation, AUDITED_FIELDS, masked={"iban": mask_iban}
        )
        # A save that changes nothing (the page saved for its members' rows) is no change.
        if stored is None or changed:
            audit.record(
                "organisation.change" if stored is not None else "organisation.create",
                organisation,
                changes=changed,
                organisation=organisation,
            )
        if before is None:
            return []
        changes = [
            BankDetailChange(
                field=field,
                old=shown_value(field, before[field]),
                new=shown_value(field, getattr(organisation, field)),
            )
            for field in BANK_FIELDS
            if str(before[field] or "") != str(getattr(organisation, field) or "")
        ]
        if changes:
            bank_details_changed.send(
                sender=Organisation,
                organisation=organisation,
                changes=changes,
                changed_by=changed_by,
                changed_at=now or timezone.now(),
            )
    return changes
