"""The console as ``make run`` serves it, walked by every demo login.

The rest of the suite runs with ``DEBUG`` off (tests/settings.py), so a defect that shows only
under the development settings goes unseen: Django's debug SQL logging once turned every
activity export into a 500. This walk starts the real project exactly as ``make run`` does
(``DEBUG=1``, ``project.settings``, SQLite under a fresh var dir, ``migrate``,
``auditconsole_demo``, ``runserver --noreload``; the demo writer is left out, it only feeds
the live tail) and, signed in through the login form as each demo user, visits everything
reachable from the console index:

* every link and GET form (with its default values) in the console, loaded in Chromium so
  that its htmx panels run for real; for the superuser, the Django admin pages the console
  links to, without crawling the admin any further;
* every ``hx-get`` fragment, fetched as htmx sends it (``HX-Request``, ``HX-Target``);
* every export: the confirmation pages, and their files read to the end.

It fails on any 5xx (a page, a fragment, a file, or a request a page makes on its own), on a
status the login should not get (the ``staff`` login's 403 on console pages is expected), on
any traceback or ERROR record in the server's output, and on any browser console error or
CSP violation. Each URL pattern is sampled, not exhausted: per kind and URL name,
:data:`SAMPLES` URLs, and then only those that bring a log source (each has its own format
and columns) or a query parameter not seen yet.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import Resolver404, resolve

from project.demo.accounts import LOGINS, Login
from tests.browser.conftest import WATCH, collect_console_errors, settle, sign_in, violations
from tests.security.console_urls import SOURCE_KWARGS
from tests.services import free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = "/audit/"
ADMIN = "/admin/"

#: URLs visited per kind and URL name, beyond those that bring a log source or a query
#: parameter not seen yet for it. (Sets of query keys would not do: the activity filters and
#: facets combine into hundreds of them.)
SAMPLES = 3


@dataclass(frozen=True)
class Role:
    """How far a demo login gets."""

    superuser: bool = False
    #: Without console permissions, every console URL answers 403: that is not a defect.
    console: bool = True

    @property
    def expected(self) -> frozenset[int]:
        return frozenset() if self.console else frozenset({403})


#: The demo's logins (the README's table, project/demo/accounts.py), by username.
ROLES = {"admin": Role(superuser=True), "support": Role(), "staff": Role(console=False)}

#: The environment variables project/settings.py reads: none may leak in from the test
#: process (tests.settings sets SECRET_KEY and AUDITCONSOLE_VAR_DIR, the PostgreSQL pass
#: DATABASE_URL), or the server would not run as ``make run`` runs it.
READ_BY_SETTINGS = frozenset(
    re.findall(
        r"""(?:environ\.get|env_bool|env_list)\(\s*["'](\w+)["']""",
        (ROOT / "project" / "settings.py").read_text(),
    )
)


def development_env(var_dir: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in READ_BY_SETTINGS and not name.startswith("DJANGO_")
    }
    # Unbuffered, so that the log file holds a request's records as soon as it is answered.
    return {
        **env,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "AUDITCONSOLE_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
    }


@dataclass
class DevServer:
    url: str
    log: Path

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_records(self, start: int = 0) -> list[Record]:
        """The server's output from byte ``start`` on."""
        with self.log.open("rb") as handle:
            handle.seek(start)
            return list(records(handle.read(), start))


def manage(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def wait_until_up(server: DevServer, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"runserver exited ({process.returncode}):\n{server.log.read_text()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"runserver did not answer within {timeout} s:\n{server.log.read_text()}")


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """The standalone project with its demo data, served by ``runserver`` under DEBUG."""
    var_dir = tmp_path_factory.mktemp("development-var")
    env = development_env(var_dir)
    manage("migrate", "--noinput", env=env)
    manage("auditconsole_demo", env=env)
    port = free_port()
    server = DevServer(url=f"http://127.0.0.1:{port}", log=var_dir / "runserver.log")
    with server.log.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(server, process)
        startup = [record.text for record in server.log_records() if record.is_error]
        if startup:
            pytest.fail("runserver logged errors at start:\n" + "\n".join(startup))
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C, as in a terminal running `make run`
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- The server's output ------------------------------------------------------------------

#: A record as auditconsole.logconfig.TEXT_FORMAT writes it: ``2026-04-04 12:34:56,789 [INFO] ...``.
RECORD_START = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \[(?P<level>[A-Z]+)\] ", re.M)
ERROR_LEVELS = frozenset({"ERROR", "CRITICAL"})
TRACEBACK = "Traceback (most recent call last)"


@dataclass(frozen=True)
class Record:
    offset: int  # in bytes, like the log's size when a visit starts
    level: str | None  # None for output written outside logging
    text: str

    @property
    def is_error(self) -> bool:
        if self.level in ERROR_LEVELS:
            return True
        # Django logs a 4xx at WARNING with its exception (the status is judged on its own).
        # Any other traceback was printed outside logging by a request that broke (wsgiref
        # prints one when a streamed response fails): it trails the record before it.
        return TRACEBACK in self.text and self.level != "WARNING"


def records(data: bytes, start: int = 0) -> Iterator[Record]:
    """The records in ``data``; lines that do not start one belong to the one before."""
    matches = {match.start(): match["level"].decode() for match in RECORD_START.finditer(data)}
    starts = sorted({0, *matches})
    for begin, end in zip(starts, [*starts[1:], len(data)], strict=True):
        text = data[begin:end].decode(errors="replace").rstrip()
        if text.strip():
            yield Record(start + begin, matches.get(begin), text)


# --- The walk -----------------------------------------------------------------------------

#: Everything a page offers: links, GET forms as submitted with their defaults, and hx-get
#: elements with the headers htmx would send (a form's hx-get carries its fields).
OFFERS = """() => {
  const found = [];
  const withFields = (action, form) => {
    const url = new URL(action, document.baseURI);
    url.search = new URLSearchParams(new FormData(form)).toString();
    return url.href;
  };
  const targetId = (el) => {
    const holder = el.closest("[hx-target]");
    const spec = holder ? holder.getAttribute("hx-target") : "this";
    if (spec === "this") return (holder || el).id;
    const target = document.querySelector(spec);
    return target ? target.id : "";
  };
  // getAttribute: an SVG link's href is not a string.
  for (const a of document.querySelectorAll("a[href]")) {
    found.push({kind: "page", url: new URL(a.getAttribute("href"), document.baseURI).href});
  }
  for (const form of document.querySelectorAll("form")) {
    if ((form.getAttribute("method") || "get").toLowerCase() === "get") {
      found.push({kind: "page", url: withFields(form.getAttribute("action") || "", form)});
    }
  }
  for (const el of document.querySelectorAll("[hx-get]")) {
    const action = el.getAttribute("hx-get");
    const url = el.tagName === "FORM" ? withFields(action, el) : new URL(action, document.baseURI).href;
    const headers = {"HX-Request": "true", "HX-Current-URL": location.href};
    if (targetId(el)) headers["HX-Target"] = targetId(el);
    if (el.id) headers["HX-Trigger"] = el.id;
    found.push({kind: "fragment", url, headers});
  }
  return found;
}"""


@dataclass(frozen=True)
class Visit:
    kind: str  # "page" (in the browser), "fragment" (as htmx asks) or "download"
    path: str
    found_on: str
    headers: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.kind} {self.path}"


def excerpt(record: str, tail: int = 16) -> list[str]:
    """A record's first line and the end of its traceback, where the exception is."""
    lines = record.splitlines()
    if len(lines) <= tail + 2:
        return lines
    return [lines[0], f"... ({len(lines) - tail - 1} lines)", *lines[-tail:]]


@dataclass
class Problem:
    visit: Visit
    what: str
    log: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.visit} (found on {self.visit.found_on}): {self.what}"]
        for record in self.log:
            lines.extend("    | " + line for line in excerpt(record))
        return "\n".join(lines)


class Walk:
    """Breadth first from the console index, one login, one browser page."""

    def __init__(self, page: Any, server: DevServer, login: Login) -> None:
        self.page = page
        self.server = server
        self.login = login
        self.role = ROLES[login.username]
        self.origin = urlsplit(server.url).netloc
        self.queue: deque[Visit] = deque()
        self.seen: set[tuple[str, str]] = set()
        self.sampled: Counter[tuple[Any, ...]] = Counter()
        self.covered: defaultdict[tuple[Any, ...], set[str]] = defaultdict(set)
        self.sources: defaultdict[tuple[Any, ...], set[Any]] = defaultdict(set)
        self.problems: list[Problem] = []
        self.visited: list[tuple[int, Visit]] = []  # (log offset at its start, visit)
        self.statuses: dict[Visit, int] = {}
        self.failed_requests: list[str] = []
        page.on("response", self._watch_response)

    def _watch_response(self, response: Any) -> None:
        # What the page asks for on its own (htmx panels, scripts, styles) is checked too.
        if response.status >= 500:
            self.failed_requests.append(f"{response.status} {response.url}")

    def offer(
        self, kind: str, url: str, found_on: str, headers: dict[str, str] | None = None
    ) -> None:
        parts = urlsplit(url)
        if parts.netloc != self.origin:
            return
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path.startswith(ADMIN):
            # The superuser's Django admin: the pages the console links to, as a sample.
            if not self.role.superuser or kind != "page":
                return
        elif not parts.path.startswith(CONSOLE):
            return  # login and logout, static files, anything else outside the console
        try:
            match = resolve(parts.path)
        except Resolver404:
            name, source = parts.path, ()  # visited all the same: it must not be a 5xx
        else:
            name = match.view_name
            source = tuple(sorted(kv for kv in match.kwargs.items() if kv[0] in SOURCE_KWARGS))
        if name.endswith("_export_csv"):
            kind = "download"
        keys = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
        pattern = (kind, name)
        if (kind, path) in self.seen:
            return
        if (
            self.sampled[pattern] >= SAMPLES
            and keys <= self.covered[pattern]
            and source in self.sources[pattern]
        ):
            return
        self.seen.add((kind, path))
        self.sampled[pattern] += 1
        self.covered[pattern] |= keys
        self.sources[pattern].add(source)
        self.queue.append(Visit(kind, path, found_on, tuple(sorted((headers or {}).items()))))

    def run(self) -> None:
        self._sign_in()
        self.offer("page", self.server.url + CONSOLE, "the sign-in redirect")
        while self.queue:
            visit = self.queue.popleft()
            self.visited.append((self.server.log_size(), visit))
            try:
                status = getattr(self, f"_{visit.kind}")(visit)
            except Exception as exc:  # a timeout, a cut-off download: reported, not raised
                self.problems.append(Problem(visit, f"{type(exc).__name__}: {exc}"))
                continue
            self.statuses[visit] = status
            if status >= 500 or (status >= 400 and status not in self.role.expected):
                self.problems.append(Problem(visit, f"status {status}"))
        self._attribute_server_errors()

    def _sign_in(self) -> None:
        visit = Visit("page", "/accounts/login/", "the README's demo logins")
        self.visited.append((self.server.log_size(), visit))
        sign_in(self.page, self.login.username, self.login.password)
        self.problems.extend(
            Problem(visit, f"console: {error}")
            for error in self.page.console_errors
            if not self._expected_error(error)
        )
        self.page.console_errors.clear()

    def _expected_error(self, error: str) -> bool:
        # Chromium reports a document's 4xx as a console error: the login's due ones are not.
        return any(f"status of {code} " in error for code in self.role.expected)

    def _page(self, visit: Visit) -> int:
        page = self.page
        errors_before = len(page.console_errors)
        self.failed_requests.clear()
        response = page.goto(visit.path)
        if response is None:
            raise RuntimeError("the browser did not load a document")
        settle(page)
        status = response.status
        problems = [f"CSP: {v}" for v in violations(page)]
        problems += [f"request answered {failed}" for failed in self.failed_requests]
        content_type = response.headers.get("content-type", "")
        if not (content_type.startswith("text/html") or visit.path.endswith(".json")):
            # A page sent as anything else shows its source (a view attribute named
            # ``content_type`` once became the header).
            problems.append(f"page sent as {content_type!r}")
        problems += [
            f"console: {error}"
            for error in page.console_errors[errors_before:]
            if not (status in self.role.expected and self._expected_error(error))
        ]
        self.problems.extend(Problem(visit, problem) for problem in problems)
        if not urlsplit(page.url).path.startswith(ADMIN):
            for offer in page.evaluate(OFFERS):
                self.offer(offer["kind"], offer["url"], visit.path, offer.get("headers"))
        return status

    def _fragment(self, visit: Visit) -> int:
        response = self.page.request.get(visit.path, headers=dict(visit.headers))
        response.body()
        return response.status

    def _download(self, visit: Visit) -> int:
        response = self.page.request.get(visit.path)
        body = response.body()  # the whole streamed file: an error mid-stream raises here
        if response.ok and not response.headers.get("content-type", "").startswith("text/csv"):
            self.problems.append(Problem(visit, f"not a CSV file: {body[:200]!r}"))
        return response.status

    def _attribute_server_errors(self) -> None:
        """Each error in the server's output goes to the visit under way when it was written."""
        logged: defaultdict[Visit, list[str]] = defaultdict(list)
        for record in self.server.log_records(self.visited[0][0]):
            if record.is_error:
                visit = next(v for begin, v in reversed(self.visited) if begin <= record.offset)
                logged[visit].append(record.text)
        for visit, texts in logged.items():
            problem = next((p for p in self.problems if p.visit == visit), None)
            if problem is None:
                problem = Problem(visit, "the server logged an error")
                self.problems.append(problem)
            problem.log = texts

    def report(self) -> str:
        order = {visit: index for index, (_, visit) in enumerate(self.visited)}
        problems = sorted(self.problems, key=lambda problem: order[problem.visit])
        return "\n\n".join(str(problem) for problem in problems)


@pytest.mark.parametrize("login", LOGINS, ids=lambda login: login.username)
def test_every_page_fragment_and_export_works_under_debug(
    login: Login,
    chromium: Any,
    dev_server: DevServer,
) -> None:
    context = chromium.new_context(base_url=dev_server.url)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.add_init_script(WATCH)
        collect_console_errors(page)
        walk = Walk(page, dev_server, login)
        walk.run()
    finally:
        context.close()
    counts = Counter(visit.kind for visit in walk.statuses)
    if walk.role.console:
        assert {"page", "fragment", "download"} <= set(counts), f"too little was walked: {counts}"
    else:
        assert set(walk.statuses.values()) == {403}, walk.statuses
    if walk.problems:
        pytest.fail(
            f"{len(walk.problems)} problem(s) walking the console as {login.username!r} "
            f"under DEBUG ({dict(counts)} visited); server log: {dev_server.log}\n\n"
            + walk.report(),
            pytrace=False,
        )


def test_the_server_output_is_judged_record_by_record() -> None:
    """What counts as an error in runserver's output, and where each record starts (in bytes)."""
    output = (
        "Performing system checks...\n"
        "2026-01-01 10:00:00,000 [WARNING] django.request: Forbidden (Permission denied): /audit/\n"
        "Traceback (most recent call last):\n  ...\nPermissionDenied\n"
        "2026-01-01 10:00:01,000 [INFO] auditconsole.exports: élodie exported 0 rows\n"
        "Traceback (most recent call last):\n  ...\nValueError: unsupported format character\n"
        '2026-01-01 10:00:01,001 [ERROR] django.server: "GET /audit/x HTTP/1.1" 500 59\n'
        "Exception in thread Thread-3:\nTraceback (most recent call last):\n"
    ).encode()
    found = list(records(output, start=100))
    assert [(r.level, r.is_error) for r in found] == [
        (None, False),
        ("WARNING", False),  # a 4xx with its exception: the status is judged on its own
        ("INFO", True),  # a traceback printed outside logging, after this record
        ("ERROR", True),
    ]
    assert found[3].text.endswith("Traceback (most recent call last):")  # trailing output joins
    assert all(output[r.offset - 100 :].decode().startswith(r.text) for r in found)
