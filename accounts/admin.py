"""Accounts in the back office: each person's API tokens, and django-axes' log of logins, for
superusers only: it holds every account's attempts and addresses. (AXES_ENABLE_ADMIN is off so
that axes does not register it for all staff.)"""

from importlib import import_module

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from accounts import tokens
from accounts.models import ApiToken
from organisations.selectors import organisations_edited_by
from registrations.http import private_page


class SuperusersOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting an attempt lifts its lockout.
        return request.user.is_active and request.user.is_superuser


@admin.register(AccessAttempt)
class LoginAttemptAdmin(SuperusersOnly, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class LoginLogAdmin(SuperusersOnly, AccessLogAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessFailureLog)
class LoginFailureLogAdmin(SuperusersOnly, AccessFailureLogAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


# DRF's own token page showed every key in clear to every superuser; its tokens are now
# API tokens (accounts.ApiToken), stored as digests. Its admin module registers the page (the
# app stays installed for the migration that imported its tokens, after this one): imported
# here first, so that the page can be taken away whatever the order of autodiscovery.
import_module("rest_framework.authtoken.admin")
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


def may_hold_tokens(user) -> bool:
    """Who makes API tokens here: superusers, and the staff who edit an organisation (owners
    and organisers: the membership is the permission, as everywhere in the back office). A
    token acts with its holder's rights; door staff, who see nothing in the back office, scan
    with the scanner page or a scanner device."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or bool(organisations_edited_by(user))


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(_("Choose an expiry date in the future."))
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """A person's API tokens: each staff member sees and manages their own (superusers see
    everyone's list). *Add* asks a name and an optional expiry, then shows the key once, in
    the answer to that form: no address shows it again. Tokens are revoked, never deleted."""

    form = ApiTokenForm
    list_display = ["name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix"]
    actions = ["revoke_tokens"]
    change_form_template = "admin/accounts/apitoken/change_form.html"
    view_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user=request.user)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return [*self.list_display[:2], "user", *self.list_display[2:]]
        return self.list_display

    def get_list_filter(self, request):
        return ["user"] if request.user.is_superuser else []

    def get_fields(self, request, obj=None):
        return ["name", "expires_at"] if obj is None else self.view_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.view_fields

    def has_module_permission(self, request):
        return may_hold_tokens(request.user)

    def has_view_permission(self, request, obj=None):
        if not may_hold_tokens(request.user):
            return False
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    def has_add_permission(self, request):
        return may_hold_tokens(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # nothing to edit: revoke it and make another

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay, for the trail

    def save_form(self, request, form, change):
        """A token is only ever added, for the person adding it, by the service: the key it
        returns rides on the new object to `response_add`, which shows it; it is stored
        nowhere."""
        token, key = tokens.create_token(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data["expires_at"],
        )
        token.shown_key = key
        return token

    def save_model(self, request, obj, form, change):
        """Saved by create_token in save_form."""

    def save_related(self, request, form, formsets, change):
        """Nothing related."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # One way out of the form: the page that shows the key.
        context.update(show_save_and_add_another=False, show_save_and_continue=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Your new API token"),
            "token": obj,
            "key": obj.shown_key,
        }
        response = TemplateResponse(request, "admin/accounts/apitoken/key.html", context)
        return private_page(response)

    def get_urls(self):
        return [
            path(
                "<int:token_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="accounts_apitoken_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request, token_id):
        """Asks, then revokes one token (the change page's *Revoke* button)."""
        token = self.get_queryset(request).filter(pk=token_id).first()
        if token is None or not self.has_view_permission(request, token):
            raise Http404
        change_url = reverse("admin:accounts_apitoken_change", args=[token.pk])
        if token.is_revoked:
            return HttpResponseRedirect(change_url)
        if not tokens.may_revoke(request.user, token):
            raise PermissionDenied
        if request.method == "POST":
            tokens.revoke_token(token=token, by=request.user)
            self.log_change(request, token, gettext("Revoked."))
            self.message_user(
                request,
                gettext("Token “%(name)s” revoked: its key is refused from now on.")
                % {"name": token.name},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Revoke the token “%(name)s”?") % {"name": token.name},
            "original": token,
        }
        return TemplateResponse(request, "admin/accounts/apitoken/revoke.html", context)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_tokens(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            if tokens.may_revoke(request.user, token):
                tokens.revoke_token(token=token, by=request.user)
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
