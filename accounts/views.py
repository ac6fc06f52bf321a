"""Staff password reset by email (Django's views, the email through the outbox) and the
page of a login refused by django-axes."""

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from accounts.forms import OutboxPasswordResetForm
from registrations.ratelimit import client_address, rate_limited


class AdminContextMixin:
    """The back office's header and links on the pages around its login."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


@method_decorator(rate_limited("password_reset"), name="dispatch")
class PasswordResetView(AdminContextMixin, auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(AdminContextMixin, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(AdminContextMixin, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The owner of the account is back: the failed logins against it, and those from the
        # address they reset it from, no longer count.
        reset_login_failures(username=form.user.get_username())
        reset_login_failures(ip=client_address(self.request))
        return response


class PasswordResetCompleteView(AdminContextMixin, auth_views.PasswordResetCompleteView):
    pass


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login refused after too many failures (AXES_LOCKOUT_CALLABLE):
    a page that says how long to wait and how to get back in now."""
    context = {
        **admin.site.each_context(request),
        "title": "",
        "minutes": settings.LOGIN_COOLOFF_MINUTES,
        "failure_limit": settings.LOGIN_FAILURE_LIMIT,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
