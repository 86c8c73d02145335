"""``manage.py auditconsole_demo_writer``: append realistic log lines until stopped."""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from project.demo.catalogue import Catalogue
from project.demo.writer import LiveWriter, stop_on_signals


class Command(BaseCommand):
    help = (
        "Append about one realistic line per second to the demo's app.log (and now and then "
        "to audit.log, api.log and django.log) until Ctrl+C or SIGTERM, for the live tail."
    )
    # Writing log files needs neither the database nor a clean system check.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help="Pause between lines (default 1.0).",
        )
        parser.add_argument(
            "--count",
            type=int,
            default=None,
            metavar="N",
            help="Stop after N app.log lines instead of running until interrupted.",
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed.")

    def handle(self, *args: Any, **options: Any) -> None:
        interval, count = options["interval"], options["count"]
        if interval < 0:
            raise CommandError("--interval must be 0 or more.")
        if count is not None and count < 1:
            raise CommandError("--count must be 1 or more.")
        log_dir = Path(settings.LOG_DIR)
        stop = threading.Event()
        self.stdout.write(f"Appending to {log_dir / 'app.log'}; Ctrl+C or SIGTERM stops.")
        # The audit records name the desk's own tickets, customers and invoices.
        catalogue = Catalogue.from_database()
        rng = random.Random(options["seed"])
        with LiveWriter(log_dir, rng, catalogue) as writer, stop_on_signals(stop):
            written = writer.run(count=count, interval=interval, stop=stop)
        self.stdout.write(f"Stopped after {written:,} lines.")
