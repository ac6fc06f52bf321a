"""The forms of the attendee's rights page (registrations/views/privacy.py). The rules are
the services' (registrations/privacy.py): the forms only carry the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations.forms.registration import AttendeeForm


class DetailsForm(AttendeeForm):
    """Correct name, organisation and title: open at any time."""

    organisation = forms.CharField(label=_("Organisation"), required=False)
    job_title = forms.CharField(label=_("Role or title"), required=False)


class EmailChangeForm(AttendeeForm):
    """A new email address, confirmed from that address before it applies."""

    first_name = None
    last_name = None
    email = forms.CharField(label=_("New email address"), required=False)


class LostLinkForm(AttendeeForm):
    """The address whose personal links are sent again."""

    first_name = None
    last_name = None
    email = forms.CharField(label=_("Email address"), required=False)
