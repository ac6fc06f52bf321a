# Run by the code BEFORE the app split (`manage.py shell`), after seed_demo: registrations made
# through that code's own services, a card payment, invoices (one paid), check-ins and a badge
# sheet whose build task stays queued under its old path (registrations.tasks.build_badge_sheet),
# and a DRF API token whose key is kept in clear (after.py finds it turned into a digest).
import sys
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from events.models import Event, Membership, Organisation
from registrations import checkin, payments, services
from registrations.models import BadgeSheet, Payment, Registration, TicketType

event = Event.objects.get(slug="protection-sociale-et-territoires-2027")
Organisation.objects.filter(pk=event.organisation_id).update(
    legal_name="Sciences Po Lyon", address="14 avenue Berthelot\n69007 Lyon", siret="19691774400019"
)
user = get_user_model().objects.create_user("migcheck", "migcheck@example.org", is_staff=True)
Membership.objects.create(organisation_id=event.organisation_id, user=user, role="owner")
Token.objects.create(user=user, key="9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")
paid = TicketType.objects.create(
    event=event,
    category="professional",
    name_fr="Tarif plein",
    name_en="Full price",
    price=Decimal("120.00"),
    capacity=50,
    is_public=True,
    position=9,
    allows_card=True,
    allows_invoice=True,
)
made = []
for n in range(6):
    attendee = services.clean_attendee(
        {
            "first_name": f"Camille{n}",
            "last_name": "Migration",
            "email": f"mig{n}@example.org",
            "organisation": "CPAM du Rhône",
            "consent_processing": True,
        }
    )
    made.append(
        services.register_attendee(event=event, ticket_type=paid, attendee=attendee, public=False)
    )
billing = payments.clean_billing(
    {"billing_name": "CPAM du Rhône", "billing_address": "276 cours Émile Zola\n69100 Villeurbanne"}
)
for registration in made[:3]:
    invoice = payments.start_invoice(registration=registration, billing=billing)
payments.mark_invoice_paid(payment=invoice)
Payment.objects.create(
    registration=made[3],
    method="card",
    status="paid",
    amount=Decimal("120.00"),
    currency="EUR",
    stripe_session_id="cs_test_migcheck",
    stripe_payment_intent="pi_test_migcheck",
)
services.confirm_paid_registration(registration=made[3])
entrance = checkin.entrance_checkpoint(event)
for n, registration in enumerate(Registration.objects.filter(event=event, status="confirmed")[:5]):
    checkin.check_in(
        checkpoint=entrance, nonce=f"migcheck-{n}", registration_id=registration.pk, user=user
    )
with transaction.atomic():
    services.queue_badge_sheet(event=event, layout=BadgeSheet.Layout.A6, user=user)
sys.stdout.write(
    f"filled: {Registration.objects.count()} registrations, {Payment.objects.count()} payments\n"
)
