"""The actions the trail records: a short code and its readable label."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "registration.create": _("Registration created"),
    "registration.edit": _("Registration edited"),
    "registration.cancel": _("Registration cancelled"),
    "registration.claim": _("Offered seat claimed"),
    "registration.expire": _("Seat released (offer not claimed or payment not received)"),
    "registration.erase": _("Registration erased"),
    "registration.badge_reissue": _("Badge reissued"),
    "invitation.create": _("Invitation created"),
    "invitation.accept": _("Invitation accepted"),
    "invitation.decline": _("Invitation declined"),
    "invitation.withdraw": _("Invitation withdrawn"),
    "invitation.erase": _("Invitation erased"),
    "payment.mark_paid": _("Invoice marked paid"),
    "payment.paid": _("Payment received"),
    "payment.refund": _("Refund recorded"),
    "invoice.credit_note": _("Credit note issued"),
    "invoice.cancel": _("Invoice cancelled"),
    "checkin.annul": _("Admission annulled"),
    "checkin.override": _("Admitted despite a refusal"),
    "device.create": _("Scanner device created"),
    "device.change": _("Scanner device changed"),
    "device.revoke": _("Scanner device revoked"),
    "partner_feed.create": _("Partner feed created"),
    "partner_feed.change": _("Partner feed changed"),
    "partner_feed.revoke": _("Partner feed revoked"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "membership.create": _("Member added"),
    "membership.change": _("Member's role changed"),
    "membership.delete": _("Member removed"),
    "organisation.create": _("Organisation created"),
    "organisation.change": _("Organisation details changed"),
    "event.change": _("Event changed"),
    "session.create": _("Session created"),
    "session.change": _("Session changed"),
    "session.delete": _("Session deleted"),
    "speaker.create": _("Speaker created"),
    "speaker.change": _("Speaker changed"),
    "speaker.delete": _("Speaker deleted"),
    "speaker.photo": _("Speaker photo changed"),
    "speaker.erase": _("Speaker's personal data erased"),
    "privacy_notice.publish": _("Privacy notice published"),
    "site_text.change": _("Legal notice or accessibility statement changed"),
    "retention.apply": _("Personal data past its retention period anonymised"),
    "venue.create": _("Venue created"),
    "venue.change": _("Venue changed"),
    "venue.delete": _("Venue deleted"),
    "room.create": _("Room created"),
    "room.change": _("Room changed"),
    "room.delete": _("Room deleted"),
    "track.create": _("Track created"),
    "track.change": _("Track changed"),
    "track.delete": _("Track deleted"),
    "ticket_type.create": _("Ticket type created"),
    "ticket_type.change": _("Ticket type changed"),
    "ticket_type.delete": _("Ticket type deleted"),
    "checkpoint.create": _("Checkpoint created"),
    "checkpoint.change": _("Checkpoint changed"),
    "checkpoint.delete": _("Checkpoint deleted"),
}

# The actions about payments and invoices: their entries are kept for the accounting period
# (organisations.models.ACCOUNTING_RETENTION_MONTHS), not the trail's.
ACCOUNTING_PREFIXES = ("payment.", "invoice.")


def label(code: str) -> str:
    return str(ACTIONS.get(code, code))
