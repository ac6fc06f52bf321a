from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.http import urlencode

from audit.models import AuditEntry

register = template.Library()


@register.simple_tag(takes_context=True)
def trail_url(context, obj):
    """The address of `obj`'s entries in the trail, for a user who may read the trail ("" for
    the others: the trail is for owners and superusers)."""
    request = context.get("request")
    if request is None or obj is None or obj.pk is None:
        return ""
    model_admin = context.get("adminform") and context["adminform"].model_admin
    site = model_admin.admin_site if model_admin else None
    audit_admin = (
        site.get_model_admin(AuditEntry) if site and site.is_registered(AuditEntry) else None
    )
    if audit_admin is None or not audit_admin.has_module_permission(request):
        return ""
    query = urlencode(
        {
            "content_type__id__exact": ContentType.objects.get_for_model(obj).pk,
            "object_id": obj.pk,
        }
    )
    return f"{reverse('admin:audit_auditentry_changelist')}?{query}"
