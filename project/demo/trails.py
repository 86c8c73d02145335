"""One customer's story told by every audit trail the demo has (docs/trails.md).

The desk's history is LogEntry's. For the customer of its newest recorded diff this adds
what a project that adopted the audit packages in turn would hold: simple-history's
records (its creation, a phone change with a reason), reversion's versions (an import,
with a comment), auditlog's entries, and that change recorded at once by the admin's log,
simple-history, reversion and auditlog, which the object page shows once with every
badge. The audit
log file gets an activity-audit record of the same customer. Each package is used only
when installed (``settings.INSTALLED_TRAIL_PACKAGES``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict

from auditconsole.changes import FieldChange, parse_changes
from project.demo import logshapes
from project.demo.accounts import Accounts
from project.demo.models import Customer

REMOTE_ADDR = "203.0.113.24"
#: The customer's fields a recorded change may name.
FIELDS = frozenset(f.attname for f in Customer._meta.fields if not f.primary_key)


def register_demo_trails() -> None:
    """Register the demo's customers with reversion and auditlog (at start-up, when the
    settings ask for it: the test suite does not, so its query counts stay the same)."""
    if not getattr(settings, "DEMO_TRAILS", False):
        return
    if apps.is_installed("reversion"):
        import reversion

        if not reversion.is_registered(Customer):
            reversion.register(Customer)
    if apps.is_installed("auditlog"):
        from auditlog.registry import auditlog

        if not auditlog.contains(Customer):
            auditlog.register(Customer)


def fields_of(customer: Customer) -> dict[str, Any]:
    return {f.attname: getattr(customer, f.attname) for f in Customer._meta.fields}


def showcase_change(ct: ContentType) -> tuple[LogEntry, Customer, list[FieldChange]] | None:
    """The newest change of a customer in the desk's history that carries a diff."""
    entries = LogEntry.objects.filter(content_type=ct, action_flag=CHANGE).order_by("-action_time")
    for entry in entries[:200]:
        changes = [c for c in parse_changes(entry.change_message) if c.field in FIELDS]
        customer = Customer.objects.filter(pk=entry.object_id).first()
        if changes and customer is not None:
            return entry, customer, changes
    return None


def record_trails(accounts: Accounts, now: datetime) -> Customer | None:
    """Write the showcase customer's records in every installed trail; the customer.

    The change is one the desk's LogEntry history already holds: the other trails record
    it at the same moment, by the same agent, as they would have.
    """
    found = showcase_change(ContentType.objects.get_for_model(Customer))
    if found is None:
        return None
    entry, customer, changes = found
    agent: Any = entry.user
    admin = accounts.admin
    after = {**fields_of(customer), **{c.field: c.new for c in changes}}
    before = {**after, **{c.field: c.old for c in changes}}
    changed = entry.action_time
    imported = changed - timedelta(hours=3)
    history = apps.is_installed("project.history")
    record: Any = Customer.history.model if history else None  # type: ignore[attr-defined]
    if history:
        record.objects.create(**before, history_date=imported, history_type="+", history_user=None)
    version(Customer(**before), admin, imported + timedelta(seconds=30), "Imported from the CRM")
    # The desk's change, recorded by three more trails within a second: shown once.
    if history:
        record.objects.create(
            **after,
            history_date=changed + timedelta(milliseconds=400),
            history_type="~",
            history_user=agent,
        )
    version(Customer(**after), agent, changed + timedelta(milliseconds=200), "")
    auditlog_entry(
        customer,
        agent,
        changed + timedelta(milliseconds=700),
        {c.field: [c.old_display, c.new_display] for c in changes},
    )
    # A phone number corrected since, with a reason: simple-history and auditlog.
    called = max(now - timedelta(hours=1), changed + timedelta(minutes=5))
    new_phone = "+44 20 7946 0018"
    current = fields_of(customer)
    if history:
        record.objects.create(
            **{**current, "phone": new_phone},
            history_date=called,
            history_type="~",
            history_user=admin,
            history_change_reason="Customer called with a new number",
        )
    auditlog_entry(
        customer,
        admin,
        called + timedelta(milliseconds=300),
        {"phone": [current["phone"], new_phone]},
    )
    Customer.objects.filter(pk=customer.pk).update(phone=new_phone)
    customer.refresh_from_db()
    return customer


def backdate_deletions(deleted: list[tuple[Any, datetime, Any]]) -> None:
    """``(pk, when, user)`` of customers the desk's story deleted: the records simple-history
    and auditlog wrote as the seeding deleted them (now, by nobody) moved to that moment and
    user, a fraction of a second after the admin's log, as a request would have recorded
    them. The object page then shows each deletion once, with every trail's badge, instead
    of a second, later deletion by an unknown user."""
    if apps.is_installed("project.history"):
        record: Any = Customer.history.model  # type: ignore[attr-defined]
        for pk, when, user in deleted:
            record.objects.filter(id=pk, history_type="-").update(
                history_date=when + timedelta(milliseconds=400), history_user=user
            )
    if apps.is_installed("auditlog"):
        from auditlog.models import LogEntry as AuditlogEntry

        content_type = ContentType.objects.get_for_model(Customer)
        for pk, when, user in deleted:
            AuditlogEntry.objects.filter(
                content_type=content_type, object_pk=str(pk), action=AuditlogEntry.Action.DELETE
            ).update(timestamp=when + timedelta(milliseconds=700), actor=user)


def version(customer: Customer, user: Any, when: datetime, comment: str) -> None:
    if not apps.is_installed("reversion"):
        return
    import reversion

    if not reversion.is_registered(Customer):
        return
    with reversion.create_revision(manage_manually=True):
        reversion.set_user(user)
        reversion.set_comment(comment)
        reversion.set_date_created(when)
        reversion.add_to_revision(customer)


def auditlog_entry(
    customer: Customer, user: Any, when: datetime, changes: dict[str, list[Any]]
) -> None:
    if not apps.is_installed("auditlog"):
        return
    from auditlog.models import LogEntry as AuditlogEntry

    AuditlogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Customer),
        object_pk=str(customer.pk),
        object_id=customer.pk,
        object_repr=str(customer),
        action=AuditlogEntry.Action.UPDATE,
        changes=changes,
        actor=user,
        timestamp=when,
        remote_addr=REMOTE_ADDR,
    )


def append_audit_record(log_dir: Path, customer: Customer, user: Any, when: datetime) -> None:
    """An activity-audit UPDATE of the customer at the end of ``audit.log``."""
    path = log_dir / "audit.log"
    if not path.exists():
        return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logshapes.ActivityAuditFormatter())
    try:
        handler.emit(
            logshapes.make_record(
                "audit.model",
                logshapes.AUDIT,
                f"UPDATE event for Customer (id: {customer.pk})",
                when,
                fields={
                    "model": "Customer",
                    "event_type": "UPDATE",
                    "instance_id": str(customer.pk),
                    "instance_repr": {
                        k: v.isoformat() if isinstance(v, datetime) else v
                        for k, v in model_to_dict(customer).items()
                    },
                    "user_id": str(user.pk),
                    "user_info": {"email": user.email},
                    "extra": {},
                },
            )
        )
    finally:
        handler.close()
