"""The shapes real projects write their logs in, and realistic records to fill them.

Shared by the seeding command (backdated records) and the live writer (records "now"),
so both produce byte-for-byte the same formats:

* SmallStack's production JSON, via python-json-logger::

    {"time": "2026-03-04 14:23:01,123", "level": "INFO", "name": "apps.tickets.views",
     "module": "views", "message": "Ticket 42 closed by admin"}

* django-activity-audit's CRUD, LOGIN and Request-Response records (audit.log, api.log);
* the classic text format ``2026-04-04 12:34:56,789 [INFO] name: message`` with
  multi-line tracebacks (django.log);
* structlog's JSONRenderer output (worker.log), written as structlog would, without it;
* SmallStack's ``update-history.jsonl``, written by a shell script.

Records are real :class:`logging.LogRecord` objects formatted by real formatters; only
their ``created`` time is set by hand, which is how a backdated record is told apart from
one made now.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from project.demo import incidents
from project.demo.catalogue import Catalogue
from project.demo.vocabulary import AGENTS, RESOLUTIONS, TICKET_SUBJECTS, Person

APP_FORMAT = "%(asctime)s %(levelname)s %(name)s %(module)s %(message)s"
APP_RENAMES = {"asctime": "time", "levelname": "level"}
TEXT_FORMAT = "%(asctime)s [%(levelname)s] %(name)s: %(message)s"

# django-activity-audit's custom levels (AUDIT and API are documented as 21 and 22).
AUDIT, API, LOGIN = 21, 22, 23
LEVEL_NAMES = {AUDIT: "AUDIT", API: "API", LOGIN: "LOGIN"}

APP_ROOT = "/srv/app"
DJANGO_LOG_PATH = "/srv/app/.venv/lib/python3.12/site-packages/django/utils/log.py"


def app_formatter() -> JsonFormatter:
    """SmallStack's production formatter: python-json-logger with two renamed fields."""
    return JsonFormatter(APP_FORMAT, rename_fields=APP_RENAMES)


def text_formatter() -> logging.Formatter:
    return logging.Formatter(TEXT_FORMAT)


class ActivityAuditFormatter(logging.Formatter):
    """django-activity-audit's Audit/API/Login formatters in one, chosen by level name.

    The package stamps local time with milliseconds after a dot ("2025-08-16
    17:06:32.403") and then copies a fixed list of record attributes per record kind.
    """

    FIELDS: dict[str, tuple[str, ...]] = {
        "AUDIT": (
            "model",
            "event_type",
            "instance_id",
            "instance_repr",
            "user_id",
            "user_info",
            "extra",
        ),
        "API": (
            "service_name",
            "request_type",
            "protocol",
            "user_id",
            "user_info",
            "request_repr",
            "response_repr",
            "error_message",
            "execution_time",
        ),
        "LOGIN": ("user_id", "user_info", "event", "success", "error", "extra"),
    }

    def format(self, record: logging.LogRecord) -> str:
        # Local time, as the package writes it.
        local = datetime.fromtimestamp(record.created)
        stamp = local.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        data: dict[str, Any] = {
            "timestamp": stamp,
            "level": record.levelname,
            "name": record.name,
            "message": record.getMessage(),
        }
        for name in self.FIELDS.get(record.levelname, ()):
            data[name] = getattr(record, name, None)
        return json.dumps(data)


def make_record(
    name: str,
    level: int,
    msg: str,
    when: datetime,
    *,
    args: tuple[Any, ...] = (),
    exc_info: incidents.ExcInfo | None = None,
    fields: dict[str, Any] | None = None,
    pathname: str | None = None,
    func: str | None = None,
    lineno: int = 1,
) -> logging.LogRecord:
    """A LogRecord as ``logger.log()`` would make it, but stamped at ``when``."""
    pathname = pathname or f"{APP_ROOT}/{name.replace('.', '/')}.py"
    record = logging.LogRecord(name, level, pathname, lineno, msg, args, exc_info, func)
    if level in LEVEL_NAMES:
        # Set on the record rather than with logging.addLevelName(), which would change
        # level names for the whole process.
        record.levelname = LEVEL_NAMES[level]
    created = when.timestamp()
    record.created = created
    record.msecs = int((created - int(created)) * 1000) + 0.0
    for key, value in (fields or {}).items():
        setattr(record, key, value)
    return record


@dataclass(frozen=True)
class Actor:
    """Someone acting on the desk, as the log files identify them."""

    user_id: int
    person: Person

    @property
    def username(self) -> str:
        return self.person.username

    @property
    def user_info(self) -> dict[str, str]:
        # django-activity-audit fills attributes a user model lacks with "".
        return {
            "title": "",
            "email": f"{self.person.username}@support.example.com",
            "first_name": self.person.first_name,
            "middle_name": "",
            "last_name": self.person.last_name,
            "sex": "",
            "date_of_birth": "",
        }


ACTORS: tuple[Actor, ...] = tuple(Actor(index + 4, person) for index, person in enumerate(AGENTS))
USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "python-requests/2.32.3",
    "DeskSync/4.2 (+https://sync.example.com)",
)


class LogFactory:
    """Realistic records for each log file, drawn from a seeded ``random.Random``."""

    def __init__(self, rng: random.Random, catalogue: Catalogue | None = None) -> None:
        self.rng = rng
        self.catalogue = catalogue or Catalogue()

    # --- small helpers --------------------------------------------------------------

    def actor(self) -> Actor:
        return self.rng.choice(ACTORS)

    def ticket_id(self) -> int:
        return self.rng.choice(self.catalogue.tickets)

    def customer(self) -> tuple[int, str, str]:
        """``(pk, name, email)`` of a customer of the desk."""
        return self.rng.choice(self.catalogue.customers)

    def invoice_number(self, when: datetime) -> str:
        """An invoice of ``when``'s year (of any year when the desk has none that year)."""
        catalogue = self.catalogue.invoices
        numbers = catalogue.get(when.year) or catalogue.get(max(catalogue, default=0))
        if numbers:
            return self.rng.choice(numbers)
        return f"INV-{when.year}-{self.rng.randrange(1, 700):04d}"

    def ip(self) -> str:
        # Documentation ranges (RFC 5737): never a real client.
        return f"{self.rng.choice(('203.0.113', '198.51.100', '192.0.2'))}.{self.rng.randrange(1, 255)}"

    def token(self, length: int = 32) -> str:
        return f"{self.rng.getrandbits(4 * length):0{length}x}"

    def duration_ms(self, slow: bool = False) -> int:
        return int(self.rng.lognormvariate(6.5 if slow else 3.5, 0.6))

    # --- app.log (python-json-logger) -----------------------------------------------

    def app(self, when: datetime) -> logging.LogRecord:
        rng = self.rng
        if rng.random() < 0.02:
            return self.app_error(when)
        actor, ticket = self.actor(), self.ticket_id()
        choice = rng.choices(range(10), weights=(8, 6, 5, 4, 4, 14, 6, 3, 2, 2))[0]
        if choice == 0:
            return make_record(
                "apps.tickets.views",
                logging.INFO,
                "Ticket %s closed by %s",
                when,
                args=(ticket, actor.username),
                func="form_valid",
                lineno=41,
                fields={"user_id": actor.user_id, "ticket_id": ticket, "status": "closed"},
            )
        if choice == 1:
            assignee = self.actor()
            return make_record(
                "apps.tickets.views",
                logging.INFO,
                "Ticket %s assigned to %s",
                when,
                args=(ticket, assignee.username),
                func="form_valid",
                lineno=63,
                fields={"user_id": actor.user_id, "ticket_id": ticket},
            )
        if choice == 2:
            return make_record(
                "apps.tickets.views",
                logging.INFO,
                "Ticket %s created: %s",
                when,
                args=(ticket, rng.choice(TICKET_SUBJECTS)),
                func="form_valid",
                lineno=28,
            )
        if choice == 3:
            return make_record(
                "apps.billing.tasks",
                logging.INFO,
                "Invoice %s sent to %s",
                when,
                args=(self.invoice_number(when), self.customer()[2]),
                func="send_invoice",
                lineno=88,
                fields={"duration_ms": self.duration_ms(True)},
            )
        if choice == 4:
            return make_record(
                "apps.accounts.views",
                logging.INFO,
                "User %s logged in",
                when,
                args=(actor.username,),
                func="form_valid",
                lineno=19,
                fields={"user_id": actor.user_id},
            )
        if choice == 5:
            method, path, status = rng.choice(
                (
                    ("GET", "/api/v1/tickets/", 200),
                    ("GET", f"/api/v1/tickets/{ticket}/", 200),
                    ("PATCH", f"/api/v1/tickets/{ticket}/", 200),
                    ("GET", "/api/v1/customers/", 200),
                    ("POST", "/api/v1/tickets/", 201),
                    ("GET", f"/api/v1/tickets/{ticket}/", 404),
                )
            )
            return make_record(
                "apps.api.middleware",
                logging.INFO,
                "%s %s %s",
                when,
                args=(method, path, status),
                func="__call__",
                lineno=34,
                fields={"duration_ms": self.duration_ms()},
            )
        if choice == 6:
            return make_record(
                "django.request",
                logging.WARNING,
                "Not Found: %s",
                when,
                args=(rng.choice(("/favicon.ico", "/wp-login.php", "/.env", "/robots.txt")),),
                pathname=DJANGO_LOG_PATH,
                func="log_response",
                lineno=253,
            )
        if choice == 7:
            return make_record(
                "apps.accounts.views",
                logging.WARNING,
                "Failed login for %s from %s",
                when,
                args=(rng.choice((actor.username, "admin", "root", "test")), self.ip()),
                func="form_invalid",
                lineno=31,
            )
        if choice == 8:
            report = rng.choice(("ticket-backlog", "sla-breaches", "revenue-by-plan"))
            return make_record(
                "apps.reports.queries",
                logging.WARNING,
                "Report %s took %d ms",
                when,
                args=(report, self.duration_ms(True) * 4),
                func="run",
                lineno=112,
                fields={"duration_ms": self.duration_ms(True) * 4},
            )
        return make_record(
            "apps.billing.tasks",
            logging.INFO,
            "Payment received for %s",
            when,
            args=(self.invoice_number(when),),
            func="reconcile",
            lineno=140,
            fields={"status": "paid", "duration_ms": self.duration_ms()},
        )

    def app_error(self, when: datetime) -> logging.LogRecord:
        message, exc_info = incidents.capture(self.rng)
        if self.rng.random() < 0.4:
            path = f"/api/v1/invoices/{self.invoice_number(when)}/pay/"
            return make_record(
                "django.request",
                logging.ERROR,
                "Internal Server Error: %s",
                when,
                args=(path,),
                exc_info=exc_info,
                pathname=DJANGO_LOG_PATH,
                func="log_response",
                lineno=253,
            )
        return make_record(
            "apps.billing.tasks",
            logging.ERROR,
            message,
            when,
            exc_info=exc_info,
            func="run_job",
            lineno=57,
            fields={"ticket_id": self.ticket_id()},
        )

    # --- audit.log (django-activity-audit CRUD and LOGIN) ---------------------------

    def audit(self, when: datetime) -> logging.LogRecord:
        if self.rng.random() < 0.2:
            return self.login(when)
        return self.crud(when)

    def crud(self, when: datetime) -> logging.LogRecord:
        rng, actor = self.rng, self.actor()
        model = rng.choices(("Ticket", "Customer", "Invoice"), weights=(6, 2, 3))[0]
        event_type = rng.choices(("CREATE", "UPDATE", "DELETE"), weights=(3, 8, 1))[0]
        stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if model == "Ticket":
            instance_id = str(self.ticket_id())
            instance_repr: dict[str, Any] = {
                "subject": rng.choice(TICKET_SUBJECTS),
                "status": rng.choice(("open", "pending", "closed")),
                "priority": rng.choice(("low", "normal", "high", "urgent")),
                "customer_id": self.customer()[0],
                "assignee_id": actor.user_id,
                "created": stamp,
            }
            if instance_repr["status"] == "closed":
                instance_repr["resolution_note"] = rng.choice(RESOLUTIONS)
        elif model == "Customer":
            pk, name, email = self.customer()
            instance_id = str(pk)
            instance_repr = {
                "name": name,
                "email": email,
                "plan": rng.choice(("free", "starter", "team", "enterprise")),
                "created": stamp,
            }
        else:
            instance_id = self.invoice_number(when)
            instance_repr = {
                "amount": f"{rng.randrange(4900, 90000) / 100:.2f}",
                "currency": rng.choice(("EUR", "USD", "GBP")),
                "status": rng.choice(("draft", "sent", "paid", "void")),
                "due_date": (when + timedelta(days=30)).date().isoformat(),
                "created": stamp,
            }
        return make_record(
            "audit.model",
            AUDIT,
            f"{event_type} event for {model} (id: {instance_id})",
            when,
            pathname=f"{APP_ROOT}/.venv/lib/python3.12/site-packages/activity_audit/signals.py",
            func="push_log",
            lineno=118,
            fields={
                "model": model,
                "event_type": event_type,
                "instance_id": instance_id,
                "instance_repr": instance_repr,
                "user_id": str(actor.user_id),
                "user_info": actor.user_info,
                "extra": {},
            },
        )

    def login(self, when: datetime) -> logging.LogRecord:
        rng, actor = self.rng, self.actor()
        event, success = rng.choices(
            (("login", True), ("logout", True), ("login", False)), weights=(6, 3, 1)
        )[0]
        message = {
            ("login", True): "User logged in",
            ("logout", True): "User logged out",
            ("login", False): "Login failed",
        }[(event, success)]
        return make_record(
            "audit.login",
            LOGIN,
            message,
            when,
            pathname=f"{APP_ROOT}/.venv/lib/python3.12/site-packages/activity_audit/utils.py",
            func="push_usage_log",
            lineno=131,
            fields={
                "user_id": str(actor.user_id) if success else "",
                "user_info": actor.user_info,
                "event": event,
                "success": success,
                "error": "" if success else "Invalid username or password",
                "extra": {
                    "ip_address": self.ip(),
                    "user_agent": rng.choice(USER_AGENTS),
                    "status_code": 200 if success else 401,
                },
            },
        )

    # --- api.log (django-activity-audit Request-Response) ---------------------------

    def api(self, when: datetime) -> logging.LogRecord:
        rng, actor = self.rng, self.actor()
        if rng.random() < 0.15:
            return self.api_external(when, actor)
        ticket = self.ticket_id()
        bearer = {"Authorization": f"Bearer {self.token(40)}"}
        session = {"Cookie": f"sessionid={self.token(32)}; csrftoken={self.token(32)}"}
        kind = rng.choices(range(6), weights=(6, 5, 3, 2, 1, 1))[0]
        body: Any = None
        query: dict[str, str] = {}
        headers = {"Content-Type": "application/json", "User-Agent": rng.choice(USER_AGENTS)}
        error = None
        if kind == 0:
            method, path, status = "GET", "/api/v1/tickets/", 200
            query = {"status": rng.choice(("open", "pending")), "page": str(rng.randrange(1, 5))}
            headers |= bearer
            response: Any = {
                "count": rng.randrange(20, 300),
                "results": [{"id": ticket, "subject": rng.choice(TICKET_SUBJECTS)}],
            }
        elif kind == 1:
            method, path = "GET", f"/api/v1/tickets/{ticket}/"
            headers |= session
            status = rng.choices((200, 404), weights=(9, 1))[0]
            response = (
                {"id": ticket, "status": "open", "subject": rng.choice(TICKET_SUBJECTS)}
                if status == 200
                else {"detail": "Not found."}
            )
        elif kind == 2:
            method, path, status = "PATCH", f"/api/v1/tickets/{ticket}/", 200
            headers |= bearer
            body = {"status": "closed", "resolution_note": rng.choice(RESOLUTIONS)}
            response = {"id": ticket, "status": "closed"}
        elif kind == 3:
            method, path = "POST", "/api/v1/auth/login/"
            success = rng.random() < 0.8
            status = 200 if success else 401
            body = {"username": actor.username, "password": f"hunter{rng.randrange(10, 99)}!"}
            if success:
                response = {"token": self.token(40), "expires_in": 3600}
            else:
                response = {"detail": "Invalid credentials."}
                error = "Invalid credentials."
        elif kind == 4:
            method, path, status = "GET", "/api/v1/health/", 200
            response = {"status": "ok"}
        else:
            method, path, status = "POST", f"/api/v1/invoices/{self.invoice_number(when)}/pay/", 500
            headers |= bearer | session
            body = {"card_token": f"tok_{self.token(24)}", "amount": "49.00"}
            response = {"detail": "Internal server error."}
            error = "PaymentError: card processor unavailable"
        request: dict[str, Any] = {
            "method": method,
            "path": path,
            "query_params": query,
            "headers": headers,
            "user": actor.username if "Authorization" in headers or "Cookie" in headers else None,
            "body": body if body is not None else {},
        }
        return make_record(
            "audit.request",
            API,
            "Audit Internal Request",
            when,
            pathname=f"{APP_ROOT}/.venv/lib/python3.12/site-packages/activity_audit/middleware.py",
            func="__call__",
            lineno=97,
            fields={
                "service_name": "support_desk",
                "request_type": "internal",
                "protocol": "https",
                "user_id": str(actor.user_id),
                "user_info": actor.user_info,
                "request_repr": request,
                "response_repr": {
                    "status_code": status,
                    "headers": {"Content-Type": "application/json"},
                    "body": response,
                },
                "error_message": error,
                "execution_time": self.duration_ms() / 1000,
            },
        )

    def api_external(self, when: datetime, actor: Actor) -> logging.LogRecord:
        rng = self.rng
        declined = rng.random() < 0.1
        cents = rng.randrange(4900, 90000)
        return make_record(
            "audit.request",
            API,
            "Audit External Service",
            when,
            pathname=f"{APP_ROOT}/.venv/lib/python3.12/site-packages/activity_audit/protocols.py",
            func="_log_request",
            lineno=74,
            fields={
                "service_name": "payments",
                "request_type": "external",
                "protocol": "https",
                "user_id": str(actor.user_id),
                "user_info": actor.user_info,
                "request_repr": {
                    "endpoint": "api.payments.example/v1/charges",
                    "method": "POST",
                    "headers": {"Authorization": f"Bearer sk_demo_{self.token(24)}"},
                    "body": {"amount": cents, "currency": "eur", "source": f"tok_{self.token(24)}"},
                },
                "response_repr": {
                    "status_code": 402 if declined else 200,
                    "body": (
                        {"error": "card_declined", "errorDescription": "Your card was declined."}
                        if declined
                        else {"id": f"ch_{self.token(24)}", "status": "succeeded", "error": ""}
                    ),
                },
                "error_message": "card_declined" if declined else "",
                "execution_time": self.duration_ms(True) / 1000,
            },
        )

    # --- django.log (classic text) --------------------------------------------------

    def django(self, when: datetime) -> logging.LogRecord:
        rng = self.rng
        if rng.random() < 0.04:
            return self.django_error(when)
        choice = rng.choices(range(6), weights=(5, 4, 3, 2, 2, 1))[0]
        if choice == 0:
            return make_record(
                "apps.alerts.drivers.grafana",
                logging.INFO,
                "Parsed %d alerts from webhook",
                when,
                args=(rng.randrange(1, 6),),
                func="parse",
                lineno=45,
            )
        if choice == 1:
            return make_record(
                "apps.tickets.signals",
                logging.INFO,
                "Ticket %s status changed to %s",
                when,
                args=(self.ticket_id(), rng.choice(("pending", "closed", "open"))),
                func="status_changed",
                lineno=22,
            )
        if choice == 2:
            return make_record(
                "apps.health.checks",
                logging.INFO,
                "Database OK in %d ms",
                when,
                args=(self.duration_ms(),),
                func="check_database",
                lineno=17,
            )
        if choice == 3:
            return make_record(
                "apps.billing.tasks",
                logging.INFO,
                "Generated %d invoices for cycle %s",
                when,
                args=(rng.randrange(5, 60), when.strftime("%Y-%m")),
                func="run_cycle",
                lineno=73,
            )
        if choice == 4:
            return make_record(
                "apps.health.checks",
                logging.WARNING,
                "Disk usage at %d%% on /var",
                when,
                args=(rng.randrange(80, 95),),
                func="check_disk",
                lineno=30,
            )
        return make_record(
            "django.security.csrf",
            logging.WARNING,
            "Forbidden (%s): %s",
            when,
            args=("CSRF token missing.", "/accounts/login/"),
            pathname=DJANGO_LOG_PATH,
            func="log_response",
            lineno=253,
        )

    def django_error(self, when: datetime) -> logging.LogRecord:
        message, exc_info = incidents.capture(self.rng)
        return make_record(
            "apps.alerts.tasks",
            logging.ERROR,
            message,
            when,
            exc_info=exc_info,
            func="deliver",
            lineno=66,
        )

    # --- worker.log (structlog JSON) ------------------------------------------------

    def worker_job(self, when: datetime) -> list[dict[str, Any]]:
        """One background job: started, then finished or failed (and retried)."""
        rng = self.rng
        job_id = self.token(12)
        task = rng.choice(
            ("send_invoice_email", "sync_crm_contacts", "close_stale_tickets", "rebuild_sla_report")
        )
        queue = "billing" if task == "send_invoice_email" else "default"
        events = [_structlog("job started", "info", when, job_id=job_id, task=task, queue=queue)]
        duration = self.duration_ms(task == "rebuild_sla_report")
        done = when + timedelta(milliseconds=duration)
        if rng.random() < 0.06:
            message, exc_info = incidents.capture(rng)
            exception = logging.Formatter().formatException(exc_info)
            events.append(
                _structlog(
                    "job failed",
                    "error",
                    done,
                    job_id=job_id,
                    task=task,
                    error=message,
                    exception=exception,
                )
            )
            events.append(
                _structlog(
                    "retrying job",
                    "warning",
                    done + timedelta(milliseconds=5),
                    job_id=job_id,
                    task=task,
                    attempt=2,
                    delay_s=30,
                )
            )
        else:
            events.append(
                _structlog(
                    "job finished", "info", done, job_id=job_id, task=task, duration_ms=duration
                )
            )
        return events

    # --- update-history.jsonl (bin/update.sh) ---------------------------------------

    def update(self, when: datetime, old_sha: str) -> dict[str, Any]:
        rng = self.rng
        status = rng.choices(("success", "up_to_date", "failed"), weights=(10, 6, 2))[0]
        failed_step = (
            rng.choice(("pull", "migrate", "collectstatic")) if status == "failed" else None
        )
        # A failure after the pull rolls back to the old commit; either way nothing moved.
        rolled_back = failed_step in {"migrate", "collectstatic"}
        return {
            "timestamp": when.astimezone(UTC).isoformat(timespec="seconds"),
            "old_sha": old_sha,
            "new_sha": self.token(7) if status == "success" else old_sha,
            "status": status,
            "commits": rng.randrange(1, 12) if status == "success" else 0,
            "mode": "venv",
            "auto_update": rng.random() < 0.7,
            "failed_step": failed_step,
            "rolled_back": rolled_back,
        }


def _structlog(event: str, level: str, when: datetime, **fields: Any) -> dict[str, Any]:
    """An event dict after structlog's add_log_level, add_logger_name and TimeStamper(utc)."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"event": event, "level": level, "logger": "apps.worker", "timestamp": stamp, **fields}


def structlog_line(event: dict[str, Any]) -> str:
    """structlog's JSONRenderer: plain ``json.dumps`` of the event dict."""
    return json.dumps(event)


def update_history_line(record: dict[str, Any]) -> str:
    # update.sh writes compact JSON, which is why `grep '"status":"failed"'` works on it.
    return json.dumps(record, separators=(",", ":"))
