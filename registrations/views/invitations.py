"""The RSVP page of a personal invitation: `/invitations/<token>/`.

The token is the guest's identity: the page shows that invitation and its registration only,
never another guest's. It is private (not cached, not indexed, no referrer sent with its
links) since its address is a key. Answers go through `services.accept_invitation` and
`services.decline_invitation`, which hold the rules (deadline, plus-ones, seats).
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from registrations import services
from registrations.forms.invitations import AcceptInvitationForm
from registrations.http import private_page
from registrations.models import Invitation, Registration
from registrations.ratelimit import rate_limited

ACCEPT = "accept"
DECLINE = "decline"


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("invitation")
def invitation(request, token):
    invitation = get_object_or_404(
        Invitation.objects.select_related("event__venue", "event__organisation", "ticket_type"),
        token=token,
    )
    form = None
    status = 200
    if request.method == "POST" and _invitation_is_open(invitation):
        answer = request.POST.get("answer")
        if answer == DECLINE:
            try:
                services.decline_invitation(invitation=invitation)
            except services.InvitationClosed:
                invitation.refresh_from_db()
                status = 409
            else:
                return private_page(HttpResponseRedirect(request.path))
        elif answer == ACCEPT:
            form = AcceptInvitationForm(
                request.POST, invitation=invitation, language=_invitation_language()
            )
            if form.is_valid():
                try:
                    services.accept_invitation(
                        invitation=invitation,
                        attendee=form.cleaned_data["attendee"],
                        plus_ones=form.cleaned_data["plus_ones"],
                    )
                except services.InvitationClosed:
                    invitation.refresh_from_db()
                    status = 409
                except services.RegistrationError as error:
                    field = error.field if error.field in form.fields else None
                    form.add_error(field, error.message)
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    return private_page(HttpResponseRedirect(request.path))
        else:
            status = 400
    elif request.method == "POST":
        # Answers are closed (deadline passed, invitation withdrawn, event cancelled): the
        # page says so and nothing changes.
        status = 409
    return _invitation_page(request, invitation, form=form, status=status)


def _invitation_is_open(invitation: Invitation) -> bool:
    return invitation.is_open() and not invitation.event.is_cancelled


def _invitation_language() -> str:
    language = (get_language() or "fr").split("-")[0]
    return language if language in services.LANGUAGES else "fr"


def _invitation_page(request, invitation: Invitation, *, form, status: int):
    registration = Registration.objects.filter(invitation=invitation).first()
    is_open = _invitation_is_open(invitation)
    attending = registration is not None and registration.is_active
    if is_open and not attending and form is None:
        form = AcceptInvitationForm(invitation=invitation, language=_invitation_language())
    context = {
        "invitation": invitation,
        "event": invitation.event,
        "registration": registration if attending else None,
        "companions": _invitation_companions(registration) if attending else [],
        "is_open": is_open,
        "is_withdrawn": invitation.answer == Invitation.Answer.REVOKED,
        "has_declined": invitation.answer == Invitation.Answer.DECLINED and not attending,
        # Accepted, then cancelled from the manage page: they may accept again.
        "has_cancelled": invitation.answer == Invitation.Answer.ACCEPTED and not attending,
        "form": form if is_open and not attending else None,
        "ACCEPT": ACCEPT,
        "DECLINE": DECLINE,
    }
    response = render(request, "registrations/invitation.html", context, status=status)
    return private_page(response)


def _invitation_companions(registration: Registration) -> list[Registration]:
    return list(registration.companions.filter(status__in=Registration.ACTIVE).order_by("pk"))
