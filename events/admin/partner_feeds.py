"""Back office of partner feeds: create one, copy its address for the partner, revoke it."""

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events import partner_feeds
from events.models import PartnerFeed
from organisations.admin import OrganisationScopedAdmin


@admin.register(PartnerFeed)
class PartnerFeedAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "includes_private_sessions", "created_at", "revoked"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]
    search_fields = ["name"]
    fields = [
        "organisation",
        "name",
        "events",
        "includes_private_sessions",
        "address",
        "created_at",
        "revoked_at",
    ]
    readonly_fields = ["address", "created_at", "revoked_at"]
    filter_horizontal = ["events"]
    actions = ["revoke_feeds"]

    def get_readonly_fields(self, request, obj=None):
        # A feed stays with its organisation; a revoked one is kept only as a record.
        if obj is not None and obj.is_revoked:
            return [*self.fields]
        return [*self.readonly_fields, "organisation"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = {
            "name": form.cleaned_data["name"],
            "events": list(form.cleaned_data["events"]),
            "includes_private_sessions": form.cleaned_data["includes_private_sessions"],
        }
        if change:
            partner_feeds.update_partner_feed(feed=obj, data=data)
            return
        feed = partner_feeds.create_partner_feed(
            organisation=obj.organisation, created_by=request.user, **data
        )
        obj.pk, obj.token = feed.pk, feed.token

    def save_related(self, request, form, formsets, change):
        pass  # the service has set the shared events

    @admin.display(description=_("address to give the partner"))
    def address(self, feed):
        if feed.pk is None:
            return _("Shown once the feed is saved.")
        if feed.is_revoked:
            return _("Revoked: this address answers “not found”.")
        url = settings.SITE_URL + feed.get_feed_url()
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description=_("revoked"), boolean=True)
    def revoked(self, feed):
        return feed.is_revoked

    @admin.action(description=_("Revoke the selected feeds"))
    def revoke_feeds(self, request, queryset):
        feeds = list(queryset.filter(revoked_at__isnull=True))
        for feed in feeds:
            partner_feeds.revoke_partner_feed(feed=feed)
        self.message_user(
            request,
            ngettext("%(count)d feed revoked.", "%(count)d feeds revoked.", len(feeds))
            % {"count": len(feeds)},
        )
