"""Legal and bank identifiers checked by their check digits: SIRET and VAT numbers with
python-stdnum, IBAN and BIC with schwifty. A number that only looks right ("FR76 1234") is
refused. Each `clean_*` returns the compact form; each `validate_*` is a model validator."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat
from stdnum.exceptions import ValidationError as NumberError
from stdnum.fr import siret


def clean_siret(value: str) -> str:
    """A SIRET in its compact form (14 digits), its check digit verified; "" stays ""."""
    value = siret.compact(value or "")
    if value and not siret.is_valid(value):
        raise ValidationError(
            _("This SIRET number is not valid: 14 digits whose check digit matches."),
            code="siret",
        )
    return value


def clean_vat_number(value: str) -> str:
    """An intra-Community VAT number in its compact form ("FR40303265045"), verified."""
    value = vat.compact(value or "")
    if not value:
        return ""
    try:
        return vat.validate(value)
    except NumberError:
        raise ValidationError(
            _("This VAT number is not valid (e.g. FR40303265045)."), code="vat_number"
        ) from None


def clean_iban(value: str) -> str:
    """An IBAN in its compact form, its country, length and check digits verified."""
    value = (value or "").replace(" ", "").upper()
    if not value:
        return ""
    try:
        return IBAN(value).compact
    except SchwiftyException:
        raise ValidationError(
            _("This IBAN is not valid: check its length and its digits."), code="iban"
        ) from None


def clean_bic(value: str) -> str:
    """A BIC (8 or 11 characters), its structure and country verified."""
    value = (value or "").replace(" ", "").upper()
    if not value:
        return ""
    try:
        return BIC(value).compact
    except SchwiftyException:
        raise ValidationError(
            _("This BIC is not valid (8 or 11 letters and digits)."), code="bic"
        ) from None


def validate_siret(value: str) -> None:
    clean_siret(value)


def validate_vat_number(value: str) -> None:
    clean_vat_number(value)


def validate_iban(value: str) -> None:
    clean_iban(value)


def validate_bic(value: str) -> None:
    clean_bic(value)
