from django import template
from django.utils.translation import gettext as _

from notices.selectors import accessibility_status

register = template.Library()


@register.simple_tag
def accessibility_status_label() -> str:
    """The footer's link text, as the RGAA words it: "Accessibility: partially compliant"."""
    return _("Accessibility: %(status)s") % {"status": accessibility_status().label}
