"""What only the payment side keeps: each organisation's invoice counters and the Stripe
events received.

The payments themselves (registrations.Payment) stay in registrations this round: the check-in
code there reads them, and moves to checkin/ (above payments) in the next round.
The tables keep their first names (see migrations/0001_initial.py).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation


class InvoiceCounter(models.Model):
    """The last invoice number given by an organisation in a year: the next invoice takes the
    row under a lock and adds one, so numbers follow each other without gaps or repeats."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        # The table created when the model lived in `registrations`, kept so that no row moves.
        db_table = "registrations_invoicecounter"
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="invoice_counter_once_per_year"
            )
        ]

    def __str__(self):
        return f"{self.organisation_id}-{self.year}: {self.last_number}"


class StripeEvent(models.Model):
    """Each Stripe event, stored once by its id: a second delivery of the same event is
    recognised and does nothing."""

    id = models.CharField(primary_key=True, max_length=255)
    type = models.CharField(_("type"), max_length=100)
    payment = models.ForeignKey(
        "registrations.Payment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stripe_events",
        verbose_name=_("payment"),
    )
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)

    class Meta:
        # The table created when the model lived in `registrations`, kept so that no row moves.
        db_table = "registrations_stripeevent"
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.id}"
