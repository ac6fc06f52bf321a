"""One place where domain errors become HTTP answers: JSON naming the fields, never a 500."""

import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from api.serializers.fields import LANGUAGES
from registrations.services import (
    AlreadyRegistered,
    OfferNotAvailable,
    RegistrationError,
    SoldOut,
)

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    """DRF's handler, plus: a service's `ValidationError` gives 400 with the API's field names
    (`title_en` → `{"title": {"en": […]}}`); a database refusal that validation did not foresee
    (an IntegrityError from a constraint or trigger) gives 400 rather than 500; a registration
    rule's refusal (`RegistrationError`) gives 409 when the state of things refused it (already
    registered, sold out, no seat offer), 400 otherwise, under the field at fault."""
    if isinstance(exc, RegistrationError):
        exc = registration_error(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, IntegrityError):
        # Its first line names the constraint; PostgreSQL's DETAIL that follows quotes the
        # row's values (an email), which the log must not keep.
        logger.warning("Write refused by the database: %s", (str(exc).splitlines() or [""])[0])
        exc = exceptions.ValidationError(
            {
                api_settings.NON_FIELD_ERRORS_KEY: [
                    _("This change conflicts with other data. Reload and try again.")
                ]
            }
        )
    return drf_exception_handler(exc, context)


def validation_error_detail(error: DjangoValidationError):
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    detail: dict = {}
    for field, messages in error.message_dict.items():
        if any(f"{field}_{language}" in error.message_dict for language in LANGUAGES):
            # modeltranslation's base field repeats the error of its current language's
            # column: the per-language error says more.
            continue
        if field == NON_FIELD_ERRORS:
            detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(messages)
            continue
        base, _separator, language = field.rpartition("_")
        if base and language in LANGUAGES and not isinstance(detail.get(base), list):
            detail.setdefault(base, {})[language] = messages
        else:
            detail[field] = messages
    return detail


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


# Refusals caused by the state of things (trying again with the same data fails the same way),
# rather than by the data sent.
CONFLICTS = (AlreadyRegistered, SoldOut, OfferNotAvailable)


def registration_error(error: RegistrationError) -> exceptions.APIException:
    detail = {error.field or api_settings.NON_FIELD_ERRORS_KEY: [str(error.message)]}
    if isinstance(error, CONFLICTS):
        return Conflict(detail)
    return exceptions.ValidationError(detail)
