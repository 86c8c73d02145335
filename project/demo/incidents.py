"""Small pieces of desk code that fail for real, so demo logs carry genuine tracebacks.

A hand-written traceback string would drift from what Python prints (chained
exceptions, the ``^^^^`` markers, library frames). Each function here raises through
real library code (json, decimal, datetime, Django validators) and :func:`capture`
returns the live ``exc_info`` for a logging formatter to render.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from types import TracebackType

from django.core.validators import validate_email

ExcInfo = tuple[type[BaseException], BaseException, TracebackType]

PLAN_PRICES = {"free": 0, "starter": 49, "team": 29, "enterprise": 1250}


class PaymentError(RuntimeError):
    """Raised when an invoice cannot be charged."""


def parse_webhook(rng: random.Random) -> dict:
    body = '{"event": "invoice.paid", "id"'  # cut short by a proxy timeout
    return json.loads(body)


def charge_invoice(rng: random.Random) -> Decimal:
    number = f"INV-2026-{rng.randrange(1, 900):04d}"
    amount = rng.choice(("12,50", "N/A"))
    try:
        return Decimal(amount).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        # Chained on purpose: logs show "The above exception was the direct cause ...".
        raise PaymentError(f"Cannot charge {number}: amount {amount!r} is not a number") from exc


def update_billing_contact(rng: random.Random) -> None:
    address = rng.choice(("billing@@example.com", "accounts at example.com"))
    validate_email(address)


def seat_price(rng: random.Random) -> int:
    total_cents, seats = rng.randrange(1000, 9000), 0
    return total_cents // seats


def plan_price(rng: random.Random) -> int:
    return PLAN_PRICES["enterprise-legacy"]


def parse_due_date(rng: random.Random) -> datetime:
    return datetime.strptime(f"{rng.randrange(10, 28)}/02/2026", "%Y-%m-%d")


def notify_customer(rng: random.Random) -> None:
    raise TimeoutError("SMTP relay smtp.internal:587 did not answer within 10 seconds")


#: (log message, failing desk code) pairs; the message is what the caller logs.
SCENARIOS: tuple[tuple[str, Callable[[random.Random], object]], ...] = (
    ("Webhook payload could not be parsed", parse_webhook),
    ("Charging invoice failed", charge_invoice),
    ("Billing contact update rejected", update_billing_contact),
    ("Seat price calculation failed", seat_price),
    ("Unknown plan in subscription sync", plan_price),
    ("Invoice import failed", parse_due_date),
    ("Ticket notification not sent", notify_customer),
)


def capture(rng: random.Random) -> tuple[str, ExcInfo]:
    """Run one failing scenario; return its log message and the caught ``exc_info``."""
    message, scenario = rng.choice(SCENARIOS)
    try:
        scenario(rng)
    except Exception as exc:
        # Start the traceback at the desk code, not at this helper.
        tb = exc.__traceback__.tb_next if exc.__traceback__ else None
        return message, (type(exc), exc, tb)  # type: ignore[return-value]
    raise AssertionError(f"scenario {message!r} did not fail")  # pragma: no cover
