"""Every auditconsole setting, read through one object.

Each property reads ``settings.AUDITCONSOLE_<NAME>`` on every access rather than caching
it at import time, so ``override_settings`` in tests and per-request changes both work.

The value comes back as configured, with no conversion, the way django-cors-headers
reads its settings. Converting here (``int("50")``, ``bool("False")``) would hide a wrong
type from :mod:`auditconsole.checks`, which validates ``conf.<NAME>`` and reports it as a
system check, and would turn the string ``"False"`` into ``True``. So the return types
below are what the checks guarantee once ``manage.py check`` passes, not what this module
enforces; the rest of the app relies on them and uses the values as they are.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

_T = TypeVar("_T")

DEFAULT_REDACT_KEYS: tuple[str, ...] = (
    "password",
    "passwd",
    "secret",
    "token",
    "cookie",
    "authorization",
    "api_key",
    "apikey",
    "session",
    "csrf",
)


class Settings:
    def _get(self, name: str, default: _T) -> _T:
        # Typed as the default, which is what the checks make it (see above), not converted.
        value: _T = getattr(settings, f"AUDITCONSOLE_{name}", default)
        return value

    @property
    def LOG_SOURCES(self) -> dict[str, dict[str, Any]]:
        return self._get("LOG_SOURCES", {})

    @property
    def TRAILS(self) -> dict[str, dict[str, Any]] | None:
        """The audit trails by key; ``None`` (unset): LogEntry plus each installed package's."""
        return self._get("TRAILS", None)

    @property
    def TRAIL_LOGS_WINDOW_SECONDS(self) -> float:
        """ "Logs around this moment": the log browse this many seconds either side."""
        return self._get("TRAIL_LOGS_WINDOW_SECONDS", 300)

    @property
    def TRAIL_LOGS_USER_FIELD(self) -> str | None:
        """The log records' field holding a user id, to narrow "logs around" to the user."""
        return self._get("TRAIL_LOGS_USER_FIELD", None)

    @property
    def REDACT_KEYS(self) -> tuple[str, ...]:
        """Key names (case-insensitive substrings) whose values are masked everywhere."""
        keys: Any = self._get("REDACT_KEYS", DEFAULT_REDACT_KEYS)
        # A list or set is frozen, not converted: the same keys, as the tuple this property
        # promises, which no caller can use to mutate the setting. Anything else, a bare
        # string included, comes back as configured for auditconsole.E006 to report.
        return tuple(keys) if isinstance(keys, list | set | frozenset) else keys

    @property
    def REDACTED_PLACEHOLDER(self) -> str:
        return self._get("REDACTED_PLACEHOLDER", "********")

    @property
    def SCOPE_TO_MODEL_PERMISSIONS(self) -> bool:
        """Limit each non-superuser to LogEntry rows of models they may view."""
        return self._get("SCOPE_TO_MODEL_PERMISSIONS", True)

    @property
    def PAGE_SIZE(self) -> int:
        return self._get("PAGE_SIZE", 50)

    @property
    def EXPORT_MAX_ROWS(self) -> int:
        return self._get("EXPORT_MAX_ROWS", 1_000_000)

    @property
    def EXPORT_AUDIT_SOURCE(self) -> str | None:
        """The log source that reads export records back (user pages); ``None``: none."""
        return self._get("EXPORT_AUDIT_SOURCE", "console")

    @property
    def EXPORT_REQUIRE_RECORD(self) -> bool:
        """Refuse an export whose record cannot be written to the log (NIST SP 800-53 AU-5)."""
        return self._get("EXPORT_REQUIRE_RECORD", True)

    @property
    def SIGNING_KEY(self) -> str | bytes | None:
        """The Ed25519 private key that signs export manifests, as PEM text."""
        return self._get("SIGNING_KEY", None)

    @property
    def SIGNING_KEY_FILE(self) -> str | os.PathLike[str] | None:
        """Or the file holding it (PEM), readable by the console's user only."""
        return self._get("SIGNING_KEY_FILE", None)

    @property
    def ACCESS_LOG(self) -> bool:
        """Record the console's own reads (pages opened, searches, tails) in its log."""
        return self._get("ACCESS_LOG", True)

    @property
    def ACCESS_LOG_EVENTS(self) -> tuple[str, ...]:
        """Which reads are recorded: some of ``object``, ``user``, ``record``, ``search``, ``tail``."""
        from auditconsole.access.events import EVENTS

        events: Any = self._get("ACCESS_LOG_EVENTS", EVENTS)
        # Frozen like REDACT_KEYS; anything else comes back as configured for the checks.
        return tuple(events) if isinstance(events, list | set | frozenset) else events

    @property
    def MAX_LINE_BYTES(self) -> int:
        """Lines longer than this are truncated for display and flagged."""
        return self._get("MAX_LINE_BYTES", 64 * 1024)

    @property
    def TAIL_INITIAL_LINES(self) -> int:
        return self._get("TAIL_INITIAL_LINES", 100)

    @property
    def TAIL_MAX_DOM_LINES(self) -> int:
        return self._get("TAIL_MAX_DOM_LINES", 2000)

    @property
    def LOGOUT_URL(self) -> str | _StrPromise:
        """URL name or path of the host project's logout view (it must accept POST)."""
        return self._get("LOGOUT_URL", "logout")

    @property
    def TAIL_POLL_SECONDS(self) -> float:
        return self._get("TAIL_POLL_SECONDS", 1.0)

    @property
    def TAIL_STREAM(self) -> bool:
        """Push the live tail over Server-Sent Events when the page is served over ASGI."""
        return self._get("TAIL_STREAM", True)

    @property
    def TAIL_STREAM_MAX_SECONDS(self) -> float:
        """A stream's life; the page then opens a new one from its position."""
        return self._get("TAIL_STREAM_MAX_SECONDS", 300.0)

    @property
    def TAIL_STREAM_HEARTBEAT_SECONDS(self) -> float:
        """Silence after which a stream sends a comment, so proxies keep it open."""
        return self._get("TAIL_STREAM_HEARTBEAT_SECONDS", 15.0)

    @property
    def TAIL_STREAM_SESSION_SECONDS(self) -> float:
        """How often an open stream checks that its session is still signed in."""
        return self._get("TAIL_STREAM_SESSION_SECONDS", 30.0)

    @property
    def TAIL_STREAMS_PER_PROCESS(self) -> int:
        """Open streams one server process holds; over it, pages poll instead."""
        return self._get("TAIL_STREAMS_PER_PROCESS", 1000)

    @property
    def TAIL_STREAMS_PER_USER(self) -> int:
        """Open streams one user holds in one process; over it, their pages poll."""
        return self._get("TAIL_STREAMS_PER_USER", 20)

    @property
    def SCAN_BUDGET_SECONDS(self) -> float:
        """How long one browse request may scan log files before offering to continue."""
        return self._get("SCAN_BUDGET_SECONDS", 3.0)

    @property
    def SCAN_BUDGET_BYTES(self) -> int:
        """How many bytes one browse request may scan before offering to continue."""
        return self._get("SCAN_BUDGET_BYTES", 1024 * 1024 * 1024)

    @property
    def FACET_CACHE_KEYS(self) -> int:
        """How many per-minute counts a process keeps for the facets of log files (each
        about 150 bytes); the files counted least recently are forgotten first."""
        return self._get("FACET_CACHE_KEYS", 200_000)

    @property
    def FACET_ESTIMATE_ROWS(self) -> int:
        """Above this many matching rows (and rows in the table), PostgreSQL's activity
        facets are estimated from a sample of the table (:mod:`auditconsole.activity.estimates`)
        rather than counted; the page says so."""
        return self._get("FACET_ESTIMATE_ROWS", 2_000_000)


conf = Settings()
