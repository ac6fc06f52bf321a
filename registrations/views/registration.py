"""Public registration pages: the form, its confirmation, the attendee's own page.

Views parse the request, call one service and render; the rules are in services.py.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from badges import render as badges
from checkin.attendance import certificate_available
from events import feeds, selectors
from events.ics import feeds as ics
from events.ics.invitations import as_attachment
from events.models import Session
from payments import services as payments
from payments.models import Payment
from registrations import emails, services
from registrations.forms.registration import RegistrationForm, registration_is_open
from registrations.http import private_page
from registrations.models import Registration, SessionSignup
from registrations.ratelimit import rate_limited
from registrations.signals import agenda_scope


@rate_limited("register")
def register(request, slug):
    """The public form. A closed or invitation-only event says so; a draft is not found."""
    event = get_object_or_404(selectors.published_events(), slug=slug)
    if not registration_is_open(event):
        return render(request, "registrations/register.html", {"event": event, "closed": True})
    form = RegistrationForm(request.POST if request.method == "POST" else None, event=event)
    already_registered = False
    if form.is_bound and form.is_valid():
        try:
            registration = _register_and_invoice(form)
        except payments.PaymentError as error:
            form.add_error(None, str(error.message))
        except services.AlreadyRegistered as error:
            already_registered = True
            form.add_registration_error(error)
        except services.RegistrationError as error:
            form.add_registration_error(error)
        else:
            if (
                registration.status == Registration.Status.PENDING_PAYMENT
                and not form.pays_on_invoice(registration)
                and payments.card_payment_allowed(registration.ticket_type)
            ):
                try:
                    payment = payments.start_checkout(registration=registration)
                except payments.PaymentError as error:
                    messages.error(request, str(error.message))
                else:
                    return redirect(payment.checkout_url)
            return redirect(
                "registrations:registered", slug=event.slug, token=registration.manage_token
            )
    return render(
        request,
        "registrations/register.html",
        {
            "event": event,
            "form": form,
            "already_registered": already_registered,
            "card_payment_available": payments.card_payment_available(),
        },
    )


def _register_and_invoice(form):
    """Register through the form, and open the invoice it asks for, in one transaction.

    An address already registered raises AlreadyRegistered after that transaction has
    committed: the service wrote the email with the link that the error's message promises."""
    with transaction.atomic():
        try:
            registration = form.register()
        except services.AlreadyRegistered as error:
            already_registered = error
        else:
            if form.pays_on_invoice(registration):
                payments.start_invoice(
                    registration=registration, billing=form.billing, group=form.invoice_group
                )
            return registration
    raise already_registered


def _registration_or_404(token: str, **filters) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event__organisation", "event__venue", "ticket_type"),
        manage_token=token,
        **filters,
    )


def _signed_up_sessions(registration: Registration):
    return [
        signup.session
        for signup in registration.signups.select_related("session__room").order_by(
            "session__start"
        )
    ]


def registered(request, slug, token):
    """What the form leads to: the registration's status and what happens next."""
    registration = _registration_or_404(token, event__slug=slug)
    return private_page(
        render(
            request,
            "registrations/registered.html",
            {
                "registration": registration,
                "event": registration.event,
                "sessions": _signed_up_sessions(registration),
                "card_payment_available": payments.card_payment_available(),
                "awaits_group_invoice": registration.payments.filter(
                    method=Payment.Method.INVOICE,
                    status=Payment.Status.CREATED,
                    invoice__isnull=True,
                ).exists(),
            },
        )
    )


def payment_return(request, token):
    """Where Stripe sends the attendee back after paying. It confirms nothing: only Stripe's
    signed webhook does. It shows the registration's status as it stands."""
    registration = _registration_or_404(token)
    return private_page(
        render(
            request,
            "registrations/payment_return.html",
            {
                "registration": registration,
                "event": registration.event,
                "payment": registration.payments.order_by("-created_at", "-pk")
                .select_related("invoice")
                .first(),
                "invoice_documents": payments.registration_documents(registration=registration),
            },
        )
    )


def manage(request, token):
    """The attendee's own page: details, calendar, cancellation and, for a seat offered from
    the waiting list, claiming it. Corrections (the name's spelling included) are the rights
    page's (views/privacy.py)."""
    registration = _registration_or_404(token)
    confirm_cancel = False
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel" and registration.is_active:
            if request.POST.get("confirm") == "yes":
                services.cancel_registration(registration=registration)
                messages.success(request, _("Your registration is cancelled."))
                return private_page(redirect(registration.get_personal_url()))
            confirm_cancel = True
        elif action == "pay" and registration.status == Registration.Status.PENDING_PAYMENT:
            try:
                payment = payments.start_checkout(registration=registration)
            except payments.PaymentError as error:
                messages.error(request, str(error.message))
                return private_page(redirect(registration.get_personal_url()))
            return private_page(redirect(payment.checkout_url))
        elif action == "claim":
            try:
                services.claim_offer(registration=registration)
            except services.OfferNotAvailable as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("The seat is yours: your registration is confirmed."))
            return private_page(redirect(registration.get_personal_url()))
        else:
            messages.error(request, _("This registration can no longer be changed."))
            return private_page(redirect(registration.get_personal_url()))
    offer_expired = (
        registration.status == Registration.Status.OFFERED
        and registration.offer_expires_at is not None
        and registration.offer_expires_at <= timezone.now()
    )
    return private_page(
        render(
            request,
            "registrations/manage.html",
            {
                "registration": registration,
                "event": registration.event,
                "sessions": _signed_up_sessions(registration),
                "companions": list(registration.companions.filter(status__in=Registration.ACTIVE)),
                "confirm_cancel": confirm_cancel,
                "offer_expired": offer_expired,
                "badge_qr": _badge_qr(registration),
                "certificate_available": certificate_available(registration=registration),
                "card_payment_available": payments.card_payment_available(),
                "payment": registration.payments.order_by("-created_at", "-pk")
                .select_related("invoice")
                .first(),
                "invoice_documents": payments.registration_documents(registration=registration),
                "paid_payments": registration.payments.exclude(paid_at=None).order_by(
                    "paid_at", "pk"
                ),
            },
        )
    )


def manage_invoice(request, token, number):
    """An invoice or credit note of the attendee's registration, as issued (the stored PDF)."""
    registration = _registration_or_404(token)
    document = payments.registration_document(registration=registration, number=number)
    if document is None:
        raise Http404
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return private_page(response)


def _has_badge(registration: Registration) -> bool:
    payment = None
    if registration.status == Registration.Status.PENDING_PAYMENT:
        payment = registration.payments.order_by("-created_at", "-pk").first()
    return services.shows_badge(registration=registration, payment=payment)


def _badge_qr(registration: Registration):
    """The badge's QR code, drawn in the page (an inline SVG), once the attendee has one."""
    if not _has_badge(registration):
        return None
    return badges.qr_svg_path(registration.badge_token)


def manage_badge(request, token):
    """The attendee's badge as a PNG, to print or to show on a phone; none without a seat."""
    registration = _registration_or_404(token)
    if not _has_badge(registration):
        raise Http404
    response = HttpResponse(badges.badge_png(registration), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="badge-{registration.event.slug}.png"'
    return private_page(response)


def manage_calendar(request, token):
    """The calendar invitation of the registration: REQUEST while it stands, CANCEL once it or
    the event is cancelled; the same as the emails carry (see emails.registration_calendar)."""
    registration = _registration_or_404(token)
    filename, content, mimetype = as_attachment(
        f"{registration.event.slug}.ics", emails.registration_calendar(registration)
    )
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private_page(response)


@feeds.calendar_feed
def manage_agenda(request, token, *, alarm):
    """The attendee's own calendar to subscribe to: the event (all day when it spans several
    days) and the sessions they signed up for, tentative while the seat is not confirmed and
    cancelled once the registration is. Private, like every page of the personal link.

    Its validators are kept in the shared cache like every feed's, forgotten by the changes of
    the programme and of the registration and its sign-ups (registrations/signals.py)."""

    def find() -> feeds.Feed | None:
        signups = {"signup_count": Count("signups"), "last_signup_at": Max("signups__created_at")}
        registration = (
            Registration.objects.filter(manage_token=token)
            .select_related("event__venue")
            .annotate(**signups)
            .first()
        )
        if registration is None:
            return None
        event = registration.event
        stamp = max(
            moment
            for moment in (
                event.programme_changed_at,
                registration.created_at,
                registration.confirmed_at,
                registration.cancelled_at,
                registration.last_signup_at,
            )
            if moment is not None
        )
        if not registration.is_active:
            status = "CANCELLED"
        elif registration.status == Registration.Status.CONFIRMED:
            status = "CONFIRMED"
        else:
            status = "TENTATIVE"

        def build() -> bytes:
            signed_up = SessionSignup.objects.filter(registration_id=registration.pk)
            sessions = Session.objects.filter(
                event_id=event.pk, pk__in=signed_up.values("session_id")
            )
            facts, credits = feeds.programme_facts(feeds.programme_rows(sessions))
            sequence = registration.calendar_sequence
            entries = [ics.event_entry(event, status_if_on=status, sequence=sequence)]
            entries += ics.session_entries(
                facts, credits, events={event.pk: event}, status_if_on=status, sequence=sequence
            )
            return ics.feed_calendar(
                name=_("%(event)s — my agenda") % {"event": event.title},
                events=[event],
                entries=entries,
                stamp=stamp,
                alarm_minutes=alarm,
            )

        return feeds.Feed(
            variant=(
                f"agenda:{registration.pk}:{registration.status}:"
                f"{registration.calendar_sequence}:{registration.signup_count}"
            ),
            stamp=stamp,
            filename=f"{event.slug}-agenda",
            build=build,
            is_private=True,
        )

    response = feeds.serve_feed(
        request, address=f"agenda:{token}", alarm=alarm, find=find, scope=agenda_scope(token)
    )
    if response is None:
        raise Http404
    return private_page(response)


def invitation(request, token):
    raise Http404
