"""A stand-in for Stripe's servers, plugged in as the stripe library's HTTP client.

The library's own request code runs (parameter encoding, headers, idempotency key, response
parsing into StripeObjects); only the network is replaced. Each call is recorded. Sessions
live in memory and tests move them along (paid, expired) as Stripe would; webhooks are built
from them and signed with the library's own helper.
"""

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from stripe import HTTPClient, WebhookSignature

WEBHOOK_SECRET = "whsec_test_colloque"
# Stripe's own Checkout host, as the real API answers: the site's Content-Security-Policy lets
# the registration form lead there and nowhere else (the browser test answers it itself).
CHECKOUT_HOST = "https://checkout.stripe.com"


@dataclass
class Call:
    method: str
    path: str
    params: dict
    headers: dict = field(default_factory=dict)


class FakeStripe(HTTPClient):
    name = "fake"

    def __init__(self):
        super().__init__()
        self.calls: list[Call] = []
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self._by_idempotency_key: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.fail_next = 0

    # The interface the stripe library calls.
    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = dict(parse_qsl(parts.query)) if method == "get" else {}
        if post_data:
            body = post_data if isinstance(post_data, str) else post_data.decode()
            params.update(parse_qsl(body))
        with self._lock:
            self.calls.append(Call(method, parts.path, params, dict(headers or {})))
            if self.fail_next:
                self.fail_next -= 1
                return self._answer({"error": {"message": "Stripe is down"}}, 500)
            if method == "post" and parts.path == "/v1/checkout/sessions":
                return self._answer(self._create_session(params, headers or {}))
            if method == "post" and parts.path == "/v1/refunds":
                return self._answer(self._create_refund(params, headers or {}))
            prefix = "/v1/checkout/sessions/"
            if method == "get" and parts.path.startswith(prefix):
                session = self.sessions.get(parts.path.removeprefix(prefix))
                if session is not None:
                    return self._answer(session)
        return self._answer(
            {"error": {"type": "invalid_request_error", "message": "No such resource"}}, 404
        )

    def _answer(self, body: dict, status: int = 200):
        return json.dumps(body), status, {"Request-Id": f"req_{next(self._ids)}"}

    def _create_session(self, params: dict, headers) -> dict:
        key = headers.get("Idempotency-Key")
        if key in self._by_idempotency_key:
            return self.sessions[self._by_idempotency_key[key]]
        session_id = f"cs_test_{next(self._ids)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"{CHECKOUT_HOST}/c/pay/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": int(params["line_items[0][price_data][unit_amount]"]),
            "currency": params["line_items[0][price_data][currency]"],
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "expires_at": int(params["expires_at"]),
            "metadata": {
                name[len("metadata[") : -1]: value
                for name, value in params.items()
                if name.startswith("metadata[")
            },
            "payment_intent": None,
        }
        self.sessions[session_id] = session
        if key:
            self._by_idempotency_key[key] = session_id
        return session

    def _create_refund(self, params: dict, headers) -> dict:
        key = headers.get("Idempotency-Key")
        if key in self._by_idempotency_key:
            return self.refunds[self._by_idempotency_key[key]]
        intent = params["payment_intent"]
        session = next(s for s in self.sessions.values() if s["payment_intent"] == intent)
        refund_id = f"re_test_{next(self._ids)}"
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": session["amount_total"],
            "currency": session["currency"],
            "payment_intent": intent,
            "status": "succeeded",
        }
        self.refunds[refund_id] = refund
        if key:
            self._by_idempotency_key[key] = refund_id
        return refund

    # What Stripe does on its side.
    def pay(self, session_id: str, **changes) -> dict:
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", payment_intent=f"pi_{session_id}")
        session.update(changes)
        return session

    def expire(self, session_id: str) -> dict:
        session = self.sessions[session_id]
        session.update(status="expired")
        return session

    def checkout_calls(self) -> list[Call]:
        return [call for call in self.calls if call.path == "/v1/checkout/sessions"]

    def refund_calls(self) -> list[Call]:
        return [call for call in self.calls if call.path == "/v1/refunds"]


_event_ids = itertools.count(1)


def event(event_type: str, data_object: dict, *, event_id: str | None = None) -> str:
    """A Stripe event's JSON body, as the webhook receives it."""
    return json.dumps(
        {
            "id": event_id or f"evt_test_{next(_event_ids)}_{time.time_ns()}",
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "type": event_type,
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": data_object},
        }
    )


def signature(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """The Stripe-Signature header, from the stripe library's own helper."""
    return WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
