"""``manage.py auditconsole_demo``: a demo support desk, its history and its log files."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.shortcuts import resolve_url
from django.urls import reverse

from project.demo.accounts import LOGINS, MissingPermissionsError
from project.demo.history import HistoryReport
from project.demo.logfiles import LogFileReport
from project.demo.models import Customer
from project.demo.seed import DEFAULT_ENTRIES, DEFAULT_SEED, SeedResult, seed_demo

REFUSAL = (
    "Refusing to run with DEBUG off: the demo creates the logins admin/admin, "
    "support/support and staff/staff. Pass --force if this is a throwaway instance."
)


class Command(BaseCommand):
    help = (
        "Fill the console with a demo support desk: three logins, about 90 days of admin "
        "history (LogEntry) and a directory of realistic log files. Safe to run again: "
        "nothing that exists is duplicated or changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off, although it creates well-known passwords.",
        )
        parser.add_argument(
            "--entries",
            type=int,
            default=DEFAULT_ENTRIES,
            metavar="N",
            help=f"About how many LogEntry rows to write (default {DEFAULT_ENTRIES}); "
            "the desk's size follows. 0 writes the desk without history.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed (default {DEFAULT_SEED}, so every demo looks the same).",
        )
        parser.add_argument("--no-logs", action="store_true", help="Do not write log files.")
        parser.add_argument(
            "--reset-logs",
            action="store_true",
            help="Delete and rewrite the demo log files even if they exist.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(REFUSAL)
        if options["entries"] < 0:
            raise CommandError("--entries must be 0 or more.")
        if options["no_logs"] and options["reset_logs"]:
            raise CommandError("--no-logs and --reset-logs contradict each other.")
        try:
            result = seed_demo(
                entries=options["entries"],
                seed=options["seed"],
                logs=not options["no_logs"],
                reset_logs=options["reset_logs"],
            )
        except MissingPermissionsError as exc:
            raise CommandError(str(exc)) from exc
        self.report(result)

    def report(self, result: SeedResult) -> None:
        self.report_history(result.history)
        self.report_logs(result)
        if result.showcase is not None:
            url = reverse(
                "auditconsole:object",
                args=[ContentType.objects.get_for_model(Customer).pk, result.showcase.pk],
            )
            self.stdout.write(f"Every audit trail on one object: {url}")
        self.stdout.write(f"\nSign in at {resolve_url(settings.LOGIN_URL)} with:")
        for login in LOGINS:
            note = (
                ""
                if login.username in result.accounts.created
                else ("  (existing account, left unchanged)")
            )
            credentials = f"{login.username} / {login.password}"
            self.stdout.write(f"  {credentials:<20} {login.description}{note}")

    def report_history(self, history: HistoryReport | None) -> None:
        if history is None:
            self.stdout.write(
                "Demo records already present: nothing added "
                "(run `manage.py flush` first to start over)."
            )
            return
        deleted = sum(history.deleted.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo desk: {history.customers:,} customers, {history.tickets:,} tickets, "
                f"{history.invoices:,} invoices ({deleted} more deleted since, history kept)."
            )
        )
        additions, changes, deletions = (history.entries[flag] for flag in (1, 2, 3))
        self.stdout.write(
            f"LogEntry: {history.total_entries:,} rows over the last 90 days: "
            f"{additions:,} additions, {changes:,} changes "
            f"({history.with_values:,} with before/after values), {deletions:,} deletions."
        )

    def report_logs(self, result: SeedResult) -> None:
        if result.log_dir is None:
            self.stdout.write("Log files: skipped (--no-logs).")
            return
        self.stdout.write(f"Log files in {result.log_dir}:")
        for log_file in result.log_files:
            self.stdout.write(f"  {_describe(log_file)}")


def _describe(log_file: LogFileReport) -> str:
    state = "written" if log_file.created else "kept (exists)"
    return (
        f"{log_file.name:<22} {log_file.lines:>6,} lines {log_file.size / 1024:>8.1f} KB  {state}"
    )
