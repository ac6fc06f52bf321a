from django.contrib.admin.apps import AdminConfig


class ColloqueAdminConfig(AdminConfig):
    """Django's admin with Colloque's site (events/admin_site.py) as `admin.site`."""

    default_site = "events.admin_site.ColloqueAdminSite"
