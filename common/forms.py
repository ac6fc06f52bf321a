"""Forms several apps' back-office pages share."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.text import validate_multi_line


class ErasureReasonForm(forms.Form):
    """The reason for erasing someone's personal data, and the confirmation that it cannot be
    undone (a person's request served by the organisers: attendees, guests, speakers)."""

    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_multi_line],
        help_text=_(
            "Why the data is erased (e.g. “request received by email on 3 March”). Kept in the "
            "history; write no personal data here."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
