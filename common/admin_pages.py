"""What the intermediate page of a back-office action (a reason, a payer asked before acting)
carries back to the action: see templates/admin/includes/action_selection.html."""

from django.contrib.admin import helpers


def action_selection(request, action: str) -> dict:
    """The template context of the selection the page posts back: the ticked rows and whether
    "select all" was chosen, as Django's change list sent them."""
    return {
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": "1" if request.POST.get("select_across") == "1" else "0",
    }
