"""The one rule that says whether an organisation may issue invoices (`invoicing_problems`):
its legal and bank details complete, each checked by its check digits (validators.py)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from organisations.models import Organisation, VatRegime
from organisations.validators import clean_bic, clean_iban, clean_siret, clean_vat_number

CHECKS = {
    "siret": clean_siret,
    "vat_number": clean_vat_number,
    "iban": clean_iban,
    "bic": clean_bic,
}

# The details that bank transfers depend on: every owner hears when one changes.
BANK_FIELDS = ("iban", "bic", "legal_name")


def invoicing_problems(organisation: Organisation) -> list[str]:
    """What keeps `organisation` from issuing invoices, in words for its organisers; empty
    when its legal and bank details are complete and valid. The back office shows this list,
    the public form offers payment on invoice only when it is empty, and issuing checks it."""
    problems = []
    for field, label in (
        ("legal_name", _("legal name")),
        ("address", _("street address")),
        ("postcode", _("postcode")),
        ("city", _("city")),
        ("siret", _("SIRET")),
        ("iban", _("IBAN")),
        ("bic", _("BIC")),
    ):
        if not str(getattr(organisation, field) or "").strip():
            problems.append(_("The %(field)s is missing.") % {"field": label})
    if organisation.vat_regime == VatRegime.SUBJECT and not organisation.vat_number:
        problems.append(_("An organisation subject to VAT needs its VAT number."))
    for field, check in CHECKS.items():
        value = getattr(organisation, field)
        if not value:
            continue
        try:
            check(value)
        except ValidationError as error:
            problems.extend(error.messages)
    return problems


def may_invoice(organisation: Organisation) -> bool:
    return not invoicing_problems(organisation)
