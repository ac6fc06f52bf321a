"""The consent boxes' wording, shared by the forms that show them and the registration that
records what was accepted (with the privacy notice's version and the time)."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

PROCESSING = _(
    "I agree that the organisers process my data to manage my registration and my attendance."
)
PROCESSING_WITH_PLUS_ONES = _(
    "I agree that the organisers process my data (and that of my plus-ones) to run this event."
)
PHOTOS = _("I agree to appear in photos taken during the event.")
PHOTOS_INVITATION = _("I agree to be photographed during the event.")
NEWS = _("I would like news of the organisers' future events.")


def consent_wording(*, photos: bool, news: bool, language: str, invitation: bool = False) -> str:
    """The boxes ticked, one a line, in the words the person read (their language)."""
    with translation.override(language):
        lines = [str(PROCESSING_WITH_PLUS_ONES if invitation else PROCESSING)]
        if photos:
            lines.append(str(PHOTOS_INVITATION if invitation else PHOTOS))
        if news:
            lines.append(str(NEWS))
    return "\n".join(lines)
