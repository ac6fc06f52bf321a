"""The back office's site: Django's admin site, with a "view on site" shortcut that checks.

Django's shortcut (`/admin/r/<content type>/<id>/`) redirects any staff user to any object's
`get_absolute_url()`, whatever the object's organisation: with sequential ids, door staff could
walk through every organisation's drafts and private sessions. Here it leads only to objects
the user may view in this back office (their ModelAdmin's queryset and view permission, which
follow the organisation), and answers "not found" for everything else, unregistered models
included. Models whose address is a secret (an attendee's page, an RSVP page, a partner's feed)
do not expose it as their absolute URL at all.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponseRedirect
from django.urls import path


class ColloqueAdminSite(admin.AdminSite):
    def get_urls(self):
        # First, so that it answers instead of Django's shortcut of the same address and name.
        shortcut = path(
            "r/<int:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [shortcut, *super().get_urls()]

    def view_on_site(self, request, content_type_id, object_id):
        """Redirect to the public page of an object the user may view here, or 404."""
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            model = None
        if model is None or not self.is_registered(model):
            raise Http404
        model_admin = self.get_model_admin(model)
        obj = model_admin.get_object(request, object_id)
        if obj is None or not model_admin.has_view_permission(request, obj):
            raise Http404
        if not model_admin.view_on_site:
            raise Http404
        if callable(model_admin.view_on_site):
            url = model_admin.view_on_site(obj)
        else:
            get_absolute_url = getattr(obj, "get_absolute_url", None)
            url = get_absolute_url() if callable(get_absolute_url) else None
        if not url:
            raise Http404
        return HttpResponseRedirect(url)
