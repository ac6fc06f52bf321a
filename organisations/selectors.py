"""The access rules: which organisations a user works for, and in what role."""

from functools import cached_property

from organisations.models import Membership


class OrganisationAccess:
    """The organisations a user reaches through their memberships, each set read once.

    Kept on the user object (`user.organisation_access`), which lives for one request: admin
    and API ask these many times per page."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def edited(self) -> set[int]:
        return set(
            Membership.objects.filter(user=self.user, role__in=Membership.EDITOR_ROLES).values_list(
                "organisation_id", flat=True
            )
        )

    @cached_property
    def owned(self) -> set[int]:
        return set(
            Membership.objects.filter(user=self.user, role=Membership.Role.OWNER).values_list(
                "organisation_id", flat=True
            )
        )

    @cached_property
    def staffed(self) -> set[int]:
        return set(
            Membership.objects.filter(user=self.user).values_list("organisation_id", flat=True)
        )


def organisation_access(user) -> OrganisationAccess:
    access = getattr(user, "organisation_access", None)
    if access is None:
        access = user.organisation_access = OrganisationAccess(user)
    return access


def organisations_edited_by(user) -> set[int]:
    """Ids of the organisations whose programme `user` may edit (owner or organiser)."""
    if not user or not user.is_authenticated:
        return set()
    return organisation_access(user).edited


def organisations_staffed_by(user) -> set[int]:
    """Ids of the organisations where `user` may check guests in: any membership (door staff,
    organiser, owner)."""
    if not user or not user.is_authenticated or not user.is_active:
        return set()
    return organisation_access(user).staffed


def may_change_legal_details(user, organisation) -> bool:
    """Whether `user` may change `organisation`'s legal, bank and payment-terms details:
    superusers and its owners only (an organiser edits the programme, not the IBAN that every
    unpaid invoice prints)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return organisation is not None and organisation.pk in organisation_access(user).owned
