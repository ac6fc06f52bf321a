from rest_framework.permissions import SAFE_METHODS, BasePermission

from organisations.selectors import organisations_edited_by


class ReadOnlyOrOrganiser(BasePermission):
    """Anyone may read what is public; writes need an owner or organiser of the object's
    organisation. Querysets do the scoping of reads; this checks writes."""

    # The schema offers anonymous access (`{}` security) to the reads of views using this.
    allows_anonymous_reads = True

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        # Door staff and users of no organisation are authenticated but edit nothing.
        return bool(request.user and request.user.is_authenticated) and bool(
            organisations_edited_by(request.user)
        )

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        organisation_id = (
            obj.organisation_id if hasattr(obj, "organisation_id") else obj.event.organisation_id
        )
        return organisation_id in organisations_edited_by(request.user)
