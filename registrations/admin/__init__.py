"""The registrations back office: Django's admin autodiscovery imports this package, which
registers each submodule's ModelAdmins."""

from registrations.admin import guest_lists, registrations  # noqa: F401
