"""Everything ``manage.py auditconsole_demo`` does, callable without the command line.

Idempotent in three parts: accounts are created only when missing; the desk and its
LogEntry history are written only into a database without demo records; each log file
family only when its main file is missing (or ``reset_logs`` removes it first).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from project.demo.accounts import Accounts, ensure_accounts
from project.demo.catalogue import Catalogue
from project.demo.history import DeskHistory, HistoryReport
from project.demo.logfiles import LogFileReport, write_demo_logs
from project.demo.models import Customer, Invoice, Ticket
from project.demo.trails import append_audit_record, record_trails

DEFAULT_ENTRIES = 5000
#: Fixed so that every fresh demo shows the same desk (relative to the day it was made).
DEFAULT_SEED = 2026


@dataclass
class SeedResult:
    accounts: Accounts
    history: HistoryReport | None
    log_dir: Path | None
    log_files: list[LogFileReport] = field(default_factory=list)
    #: The customer whose page shows every trail (docs/trails.md), when written this run.
    showcase: Customer | None = None


def demo_records_present() -> bool:
    return any(model.objects.exists() for model in (Customer, Ticket, Invoice))


def seed_demo(
    *,
    entries: int = DEFAULT_ENTRIES,
    seed: int = DEFAULT_SEED,
    logs: bool = True,
    reset_logs: bool = False,
    log_dir: Path | None = None,
    now: datetime | None = None,
) -> SeedResult:
    now = now or timezone.now()
    with transaction.atomic():
        accounts = ensure_accounts()
        history = None
        showcase = None
        if not demo_records_present():
            desk = DeskHistory(accounts, random.Random(seed), now)
            desk.plan(entries)
            history = desk.write(with_entries=entries > 0)
            showcase = record_trails(accounts, now) if entries > 0 else None
    result = SeedResult(accounts=accounts, history=history, log_dir=None, showcase=showcase)
    if logs:
        result.log_dir = Path(log_dir or settings.LOG_DIR)
        result.log_files = write_demo_logs(
            result.log_dir,
            random.Random(seed),
            now,
            reset=reset_logs,
            catalogue=Catalogue.from_database(),
        )
        if showcase is not None:
            append_audit_record(result.log_dir, showcase, accounts.support, now)
    return result
