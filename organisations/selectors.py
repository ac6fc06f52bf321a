"""The access rules: which organisations a user works for, and in what role."""

from organisations.models import Membership


def organisations_edited_by(user) -> set[int]:
    """Ids of the organisations whose programme `user` may edit (owner or organiser).

    Cached on the user object for the request: admin and API ask it many times per page."""
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_colloque_edited_organisations", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user=user, role__in=Membership.EDITOR_ROLES).values_list(
                "organisation_id", flat=True
            )
        )
        user._colloque_edited_organisations = cached
    return cached


def organisations_staffed_by(user) -> set[int]:
    """Ids of the organisations where `user` may check guests in: any membership (door staff,
    organiser, owner)."""
    if not user or not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_colloque_staffed_organisations", None)
    if cached is None:
        cached = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
        user._colloque_staffed_organisations = cached
    return cached
