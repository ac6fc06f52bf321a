"""The RSVP form of a personal invitation: the guest's own names, consents and the names of
their plus-ones.

Every text goes through `services.clean_attendee`, the one rule for names from any channel;
the form only maps its errors onto the fields. How many plus-ones a guest may bring is the
service's rule too: the form passes on every pair it was sent, even beyond the fields it shows,
so that a tampered request is refused by `accept_invitation` with its message.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registrations import consents, services
from registrations.models import Invitation

# plus_one_<n>_first_name / plus_one_<n>_last_name, n counting from 1.
PLUS_ONE_FIELD = re.compile(r"^plus_one_([1-9][0-9]{0,2})_(first_name|last_name)$")


class _RawTextField(forms.CharField):
    """A text field with no rule of its own: `services.clean_attendee` trims, bounds and
    checks it, with the same messages as every other channel."""

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=False, **kwargs)
        self.validators = []


def _name_widget(autocomplete: str, *, required: bool) -> forms.TextInput:
    attrs = {"autocomplete": autocomplete, "maxlength": 100, "spellcheck": "false"}
    if required:
        attrs["required"] = True
    return forms.TextInput(attrs=attrs)


class AcceptInvitationForm(forms.Form):
    first_name = _RawTextField(
        label=_("First name"), widget=_name_widget("given-name", required=True)
    )
    last_name = _RawTextField(
        label=_("Last name"), widget=_name_widget("family-name", required=True)
    )
    consent_processing = forms.BooleanField(
        label=consents.PROCESSING_WITH_PLUS_ONES,
        required=True,
        error_messages={"required": _("Please accept the processing of your data to register.")},
    )
    consent_photos = forms.BooleanField(label=consents.PHOTOS_INVITATION, required=False)

    def __init__(self, *args, invitation: Invitation, language: str, **kwargs):
        kwargs.setdefault(
            "initial", {"first_name": invitation.first_name, "last_name": invitation.last_name}
        )
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.language = language
        for number in range(1, invitation.plus_ones_allowed + 1):
            self.fields[f"plus_one_{number}_first_name"] = _RawTextField(
                label=_("First name"), widget=_name_widget("off", required=False)
            )
            self.fields[f"plus_one_{number}_last_name"] = _RawTextField(
                label=_("Last name"), widget=_name_widget("off", required=False)
            )

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor, what, message) for each error, plus-ones' fields named with their number."""
        summary = [("", "", message) for message in self.non_field_errors()]
        for name in self.fields:
            messages = self.errors.get(name, [])
            bound = self[name]
            match = PLUS_ONE_FIELD.match(name)
            what = (
                _("Plus-one %(number)s, %(field)s")
                % {"number": match[1], "field": str(bound.label).lower()}
                if match
                else bound.label
            )
            summary.extend((bound.id_for_label, what, message) for message in messages)
        return summary

    def plus_one_fields(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        """The plus-ones' fields in pairs, for the template."""
        return [
            (number, self[f"plus_one_{number}_first_name"], self[f"plus_one_{number}_last_name"])
            for number in range(1, self.invitation.plus_ones_allowed + 1)
        ]

    def clean(self):
        cleaned = super().clean()
        invitation = self.invitation
        try:
            cleaned["attendee"] = services.clean_attendee(
                {
                    "first_name": cleaned.get("first_name"),
                    "last_name": cleaned.get("last_name"),
                    # What the organisers invited: the guest confirms their names only.
                    "email": invitation.email,
                    "organisation": invitation.organisation,
                    "job_title": invitation.job_title,
                    "language": self.language,
                    "consent_processing": cleaned.get("consent_processing"),
                    "consent_photos": cleaned.get("consent_photos"),
                }
            )
        except ValidationError as error:
            self._add_errors(error, prefix="")
        cleaned["plus_ones"] = self._clean_plus_ones()
        return cleaned

    def _clean_plus_ones(self) -> list[tuple[str, str]]:
        plus_ones = []
        for number, (first_name, last_name) in sorted(self._submitted_pairs().items()):
            if not (first_name or "").strip() and not (last_name or "").strip():
                continue
            try:
                companion = services.clean_attendee(
                    {"first_name": first_name, "last_name": last_name}, require_email=False
                )
            except ValidationError as error:
                self._add_errors(error, prefix=f"plus_one_{number}_", number=number)
            else:
                plus_ones.append((companion.first_name, companion.last_name))
        return plus_ones

    def _submitted_pairs(self) -> dict[int, tuple[str, str]]:
        """Every plus-one pair in the request, the ones the form shows and any others."""
        pairs: dict[int, dict[str, str]] = {}
        for key in self.data:
            match = PLUS_ONE_FIELD.match(key)
            if match:
                number, part = int(match[1]), match[2]
                pairs.setdefault(number, {})[part] = self.data.get(key)
        return {
            number: (pair.get("first_name", ""), pair.get("last_name", ""))
            for number, pair in pairs.items()
        }

    def _add_errors(self, error: ValidationError, *, prefix: str, number: int | None = None):
        for name, messages in error.message_dict.items():
            field = f"{prefix}{name}"
            for message in messages:
                if field in self.fields:
                    self.add_error(field, message)
                elif number is not None:
                    self.add_error(
                        None,
                        _("Plus-one %(number)d: %(message)s")
                        % {"number": number, "message": message},
                    )
                else:
                    self.add_error(None, message)
