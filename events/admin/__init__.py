"""The events back office: Django's admin autodiscovery imports this package, which registers
each submodule's ModelAdmins (partner feeds: the private calendars given to partners)."""

from events.admin import events, partner_feeds  # noqa: F401
