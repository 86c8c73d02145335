"""The writing side of the audit trail, in Django's own terms: LogEntry rows.

    from auditconsole.audit import CHANGE, log_action

    log_action(request.user, ticket, CHANGE, "Escalated to tier 2",
               changes={"priority": ("normal", "urgent")})

There is no audit model of our own: everything lands in ``django.contrib.admin``'s LogEntry
table, so the admin's history pages keep working and the console reads one table. See
``docs/audit-trail.md``.
"""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, DELETION

from auditconsole.audit.log import log_action, log_actions
from auditconsole.audit.messages import build_change_message
from auditconsole.audit.values import json_safe
from auditconsole.audit.views import AuditMixin
from auditconsole.changes import EXTRA_KEY

__all__ = [
    "ADDITION",
    "CHANGE",
    "DELETION",
    "EXTRA_KEY",
    "AuditMixin",
    "build_change_message",
    "json_safe",
    "log_action",
    "log_actions",
]
