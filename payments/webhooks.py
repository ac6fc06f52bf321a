"""Stripe's webhook: POST /payments/stripe/webhook/ (outside the language prefixes).

Subscribe to checkout.session.completed, checkout.session.async_payment_succeeded,
checkout.session.async_payment_failed, checkout.session.expired and charge.refunded. Answers:
200 once an event is handled (or recognised as already handled, or of no concern), 400 for a
missing secret, a bad signature, a stale timestamp, an unreadable body, a signed body that is
not a Stripe event of the expected shape, or a session Stripe says does not exist (nothing is
recorded), 503 only for what passes: the seat lock not taken in time, or Stripe unreachable
while re-reading the session (Stripe delivers again later).
"""

import logging

import stripe
from django.db import OperationalError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from audit.context import ActorKind, Channel, acting
from payments import services as payments

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        with acting(channel=Channel.WEBHOOK, kind=ActorKind.WEBHOOK, label="Stripe"):
            result = payments.handle_webhook(request.body, request.headers.get("Stripe-Signature"))
    except payments.WebhookRejected as error:
        logger.warning("Stripe webhook rejected: %s", error)
        return JsonResponse({"error": "invalid webhook"}, status=400)
    except OperationalError as error:
        logger.warning("Stripe webhook could not take its locks: %s", error)
        return JsonResponse({"error": "busy, retry later"}, status=503)
    except stripe.InvalidRequestError as error:
        logger.warning("Stripe webhook names a session Stripe does not know: %s", error)
        return JsonResponse({"error": "invalid webhook"}, status=400)
    except stripe.StripeError as error:
        logger.warning("Stripe webhook could not re-read the session: %s", error)
        return JsonResponse({"error": "payment provider unreachable, retry later"}, status=503)
    return JsonResponse(
        {"id": result.event_id, "outcome": result.outcome, "duplicate": result.duplicate}
    )
