"""No request can make the console read a file it was not configured to read.

Every parameter that names a source, a file, a record or a position is attacked with the
strings below, in the path and in the query string. Each attack must be refused (a 404,
a 400, or a page that shows the refusal and no records), never answered with a 500, and
never by reading anything outside the configured directories. That last point is not
inferred from the answer: every path the process opens during the request is recorded
(``builtins.open`` and ``os.open`` are wrapped, not replaced) and checked.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import stat
import sys
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from auditconsole.sources import cursor as cursors
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from tests.security.conftest import CANARY, World
from tests.security.console_urls import ConsoleUrl, Samples, body_of, console_urls
from tests.security.guards import hang_guard
from tests.sources.helpers import config

URLS = console_urls()
KEY_URLS = [url for url in URLS if "key" in url.params]
REF_URLS = [url for url in URLS if "ref" in url.params]
LOG_URLS = [url for url in URLS if "key" in url.params or url.is_merged]
#: The views that continue from a ``?cursor=`` (others, like exports, must ignore it).
CURSOR_VIEWS = frozenset({"source", "merged", "tail", "tail_merged"})
PLACEHOLDER = "zzplaceholderzz"

#: Attack strings for anything that names a source, file, record or position. {canary}
#: and {logs} are filled in with real paths of the test's files.
ATTACKS: tuple[str, ...] = (
    "../etc/passwd",
    "../../../../../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "..%2F..%2F..%2Fetc%2Fshadow",
    "%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%252e%252e%252fetc%252fpasswd",  # double-encoded
    "....//....//etc/passwd",
    "..././..././etc/passwd",
    "..;/..;/etc/passwd",
    "/etc/passwd",
    "//etc/passwd",
    "/proc/self/environ",
    "/dev/zero",
    "C:\\Windows\\win.ini",
    "..\\..\\..\\windows\\win.ini",
    "..%5c..%5cwindows%5cwin.ini",
    "app.log\x00",
    "app\x00.log",
    "app%00",
    "app.log%00.txt",
    "\u2025/etc/passwd",  # two-dot leader
    "\uff0e\uff0e/etc/passwd",  # fullwidth full stops
    "%c0%ae%c0%ae/etc/passwd",  # overlong UTF-8 dots
    "%e0%80%ae%e0%80%ae%c0%af",
    "%u002e%u002e/etc/passwd",
    "app/../../outside/secret.log",
    "app/../ledger",
    "app.log",
    "app.log.1",
    "~root",
    "~/.ssh/id_rsa",
    "file:///etc/passwd",
    "{canary}",
    "{logs}/../outside/secret.log",
    "../outside/secret.log",
    "{logs}",
    ".",
    "..",
    "...",
    "app\r\nX-Injected: 1",
    " app",
    "app%20",
    "APP",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "$(cat /etc/passwd)",
    "app|cat /etc/passwd",
    "<script>alert(1)</script>",
    "a" * 5000,
    "%",
    "%%32%65",
)
#: Files no request may open (the canary's directory is added per test).
FORBIDDEN_PREFIXES = ("/etc/", "/proc/", "/dev/", "/root/", "/sys/")


def attacks(world: World) -> list[str]:
    canary, logs = str(world.outside / "secret.log"), str(world.logs)
    return [a.replace("{canary}", canary).replace("{logs}", logs) for a in ATTACKS]


def test_enough_attack_strings() -> None:
    assert len(set(ATTACKS)) >= 30
    assert KEY_URLS and REF_URLS, "the walk found no URL naming a source or a record"


# -- observing what is opened ----------------------------------------------------------------


class OpenedFiles:
    """Paths the process opened while ``watching``, checked against the configured dirs."""

    def __init__(self, allowed_dirs: list[Path], forbidden_dirs: list[Path]) -> None:
        self.paths: list[str] = []
        self.allowed = [os.path.realpath(d) for d in allowed_dirs]
        self.forbidden = [os.path.realpath(d) for d in forbidden_dirs]
        # The program itself: templates, Python modules, installed packages.
        self.code = [
            os.path.realpath(p)
            for p in {sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parents[2])}
        ]

    def record(self, path: Any) -> None:
        if isinstance(path, int):
            return
        with contextlib.suppress(TypeError, ValueError):
            self.paths.append(os.fsdecode(os.fspath(path)))

    def outside(self) -> list[str]:
        """Opened paths that are neither log files of the configuration nor program code."""
        bad = []
        for path in self.paths:
            real = os.path.realpath(os.path.abspath(path))
            if (
                any(_within(real, d) for d in self.forbidden)
                or real.startswith(FORBIDDEN_PREFIXES)
                or not any(_within(real, d) for d in self.allowed + self.code)
            ):
                bad.append(path)
        return bad


def _within(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:
        return False


@pytest.fixture
def opened(world: World, monkeypatch: pytest.MonkeyPatch) -> OpenedFiles:
    watcher = OpenedFiles([world.logs], [world.outside])
    real_open, real_os_open = builtins.open, os.open

    def watched_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        watcher.record(file)
        return real_open(file, *args, **kwargs)

    def watched_os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        watcher.record(path)
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watched_open)
    monkeypatch.setattr(io, "open", watched_open)
    monkeypatch.setattr(os, "open", watched_os_open)
    return watcher


# -- the checks ------------------------------------------------------------------------------


def refused(response: Any) -> bool:
    """A 400/404, or a page that says the request was refused and shows no record."""
    if response.status_code in (400, 404):
        return True
    if response.status_code != 200:
        return False
    body = body_of(response)
    return b"form-errors" in body and b'class="log-row' not in body


def check(
    client: Client, path: str, opened: OpenedFiles, *, must_refuse: bool = True
) -> str | None:
    """None if ``path`` is handled safely, else what went wrong."""
    start = len(opened.paths)
    with hang_guard():
        response = client.get(path)
    body = body_of(response)
    if response.status_code >= 500:
        return f"{path!r}: {response.status_code}"
    if CANARY.encode() in body:
        return f"{path!r}: the canary was shown"
    if must_refuse and not refused(response):
        return f"{path!r}: answered {response.status_code} instead of refusing"
    bad = OpenedFiles.outside(_Slice(opened, start))
    if bad:
        return f"{path!r}: opened {bad}"
    return None


class _Slice(OpenedFiles):
    def __init__(self, watcher: OpenedFiles, start: int) -> None:
        self.__dict__.update(watcher.__dict__)
        self.paths = watcher.paths[start:]


def in_path(url: ConsoleUrl, samples: Samples, **attack: str) -> list[str]:
    """The URL with each attacked kwarg spliced in, raw (as far as a URL allows) and encoded."""
    placeholders = {name: f"{PLACEHOLDER}{i}" for i, name in enumerate(attack)}
    base = samples.path_for(url, **placeholders)
    variants = []
    for safe in ("/%", ""):
        path = base
        for name, value in attack.items():
            path = path.replace(placeholders[name], quote(value, safe=safe))
        variants.append(path)
    return list(dict.fromkeys(variants))


@pytest.fixture
def root(world: World) -> Client:
    """The most privileged caller: if a superuser cannot escape, nobody can."""
    client = Client()
    client.force_login(world.users["superuser"])
    return client


def test_source_keys_in_paths_are_refused(
    world: World, samples: Samples, root: Client, opened: OpenedFiles
) -> None:
    problems = []
    for url in KEY_URLS:
        for attack in attacks(world):
            for path in in_path(url, samples, key=attack):
                problems.append(check(root, path, opened))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_record_refs_in_paths_are_refused(
    world: World, samples: Samples, root: Client, opened: OpenedFiles
) -> None:
    problems = []
    for url in REF_URLS:
        for attack in attacks(world):
            if "/" in attack:
                # A slash cannot be inside <str:ref>: the encoded form is the real test.
                paths = [in_path(url, samples, ref=attack)[-1]]
            else:
                paths = in_path(url, samples, ref=attack)
            problems.extend(check(root, path, opened) for path in paths)
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_cursors_and_sources_in_query_strings_are_refused(
    world: World, samples: Samples, root: Client, opened: OpenedFiles
) -> None:
    problems = []
    for url in LOG_URLS:
        base = samples.path_for(url)
        joiner = "&" if "?" in base else "?"
        # Views that ignore a cursor (exports, record pages) get a sample of the attacks.
        strings = attacks(world) if url.name in CURSOR_VIEWS else attacks(world)[::6]
        for attack in strings:
            problems.append(
                check(
                    root,
                    base + joiner + urlencode({"cursor": attack}),
                    opened,
                    must_refuse=url.name in CURSOR_VIEWS,
                )
            )
            if url.is_merged:
                path = url.reverse(**samples.kwargs_for(url)) + "?" + urlencode({"sources": attack})
                problems.append(check(root, path, opened))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_file_parameters_are_ignored(
    world: World, samples: Samples, root: Client, opened: OpenedFiles
) -> None:
    """No console URL takes a file name; one offered anyway reads nothing new."""
    problems = []
    for url in LOG_URLS:
        base = samples.path_for(url)
        joiner = "&" if "?" in base else "?"
        for attack in [*attacks(world)[::8], str(world.outside / "secret.log")]:
            query = urlencode({"file": attack, "path": attack, "name": attack, "stream": attack})
            problems.append(check(root, base + joiner + query, opened, must_refuse=False))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)
    assert opened.paths, "the watcher saw no file opened at all: it is not watching"


# -- the files themselves turned hostile -----------------------------------------------------


def every_log_page(samples: Samples) -> list[str]:
    return [samples.path_for(url) for url in LOG_URLS] + [reverse("auditconsole:sources")]


def visit_all(client: Client, paths: list[str], opened: OpenedFiles) -> list[str]:
    return [p for p in (check(client, path, opened, must_refuse=False) for path in paths) if p]


def test_symlink_swapped_in_after_configuration(
    world: World, samples: Samples, root: Client, opened: OpenedFiles
) -> None:
    old_ref = samples.values["ref"]()
    pages = every_log_page(samples)
    live = world.logs / "app.log"
    live.unlink()
    live.symlink_to(world.outside / "secret.log")
    (world.logs / "app.log.2").symlink_to("/etc/passwd")
    problems = visit_all(root, pages, opened)
    problems.append(
        check(
            root, reverse("auditconsole:record", args=["app", old_ref]), opened, must_refuse=False
        )
    )
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)
    sources_page = root.get(reverse("auditconsole:sources")).content.decode()
    assert "resolves outside the log directory" in sources_page


def test_symlink_swapped_in_between_discovery_and_open(world: World) -> None:
    """The window between listing a directory and opening a file is closed too."""
    source = get_source("app")
    stream = source.discover().streams[0]
    live = stream.files[0]
    Path(live.path).unlink()
    Path(live.path).symlink_to(world.outside / "secret.log")
    with pytest.raises(OSError), source.record_reader().open(stream, live):
        pass  # pragma: no cover - the open must fail


def test_a_file_replaced_by_another_between_discovery_and_open(world: World) -> None:
    source = get_source("app")
    stream = source.discover().streams[0]
    live = stream.files[0]
    os.replace(world.outside / "secret.log", live.path)  # same name, another inode
    with pytest.raises(OSError), source.record_reader().open(stream, live):
        pass  # pragma: no cover


def test_fifo_and_device_files_are_refused_without_hanging(
    world: World, samples: Samples, root: Client, opened: OpenedFiles, settings: Any
) -> None:
    os.mkfifo(world.logs / "app.log.2")
    (world.logs / "app.log.3").symlink_to("/dev/zero")
    with contextlib.suppress(PermissionError, OSError):  # needs CAP_MKNOD
        os.mknod(world.logs / "app.log.4", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    # A glob source that matches a FIFO as its live file.
    os.mkfifo(world.logs / "pipe.log")
    settings.AUDITCONSOLE_LOG_SOURCES = {
        **settings.AUDITCONSOLE_LOG_SOURCES,
        "globbed": config(world.logs / "*.log"),
    }
    pages = [
        *every_log_page(samples),
        reverse("auditconsole:source", args=["globbed"]),
        reverse("auditconsole:tail", args=["globbed"]) if "tail" in {u.name for u in URLS} else "",
    ]
    problems = visit_all(root, [p for p in pages if p], opened)
    assert not problems, "\n".join(problems)
    listing = root.get(reverse("auditconsole:sources")).content.decode()
    assert "not a regular file" in listing
    assert "resolves outside the log directory" in listing  # the /dev/zero symlink


# -- forged and tampered positions ------------------------------------------------------------


def browse_cursor(client: Client, settings: Any, key: str = "app") -> str:
    settings.AUDITCONSOLE_PAGE_SIZE = 10
    response = client.get(reverse("auditconsole:source", args=[key]))
    return response.context["next_url"].split("cursor=", 1)[1]


def flipped(token: str) -> list[str]:
    """The token with one character changed, at several places (payload and signature)."""
    positions = sorted({0, 1, len(token) // 3, len(token) // 2, len(token) - 2, len(token) - 1})
    out = []
    for i in positions:
        replacement = "A" if token[i] != "A" else "B"
        out.append(token[:i] + replacement + token[i + 1 :])
    return out


def unsigned(state: Any) -> list[str]:
    raw = json.dumps(state)
    return [
        raw,
        signing.b64_encode(raw.encode()).decode(),
        signing.b64_encode(raw.encode()).decode() + ":forged",
        "." + signing.b64_encode(zlib.compress(raw.encode())).decode() + ":AAAA",
    ]


def test_tampered_and_forged_page_cursors_are_refused(
    world: World, root: Client, opened: OpenedFiles, settings: Any
) -> None:
    token = unquote(browse_cursor(root, settings))
    assert cursors.loads(cursors.PAGE, "app", token)  # the genuine one works
    state = cursors.loads(cursors.PAGE, "app", token)
    forged = [
        *flipped(token),
        *unsigned(["app", state]),
        cursors.dumps(cursors.PAGE, "django", state),  # issued for another source
        cursors.dumps(cursors.REF, "app", state),  # another kind of token
        cursors.dumps(cursors.TAIL, "app", state),
        token[:-10],
        token + "x",
    ]
    base = reverse("auditconsole:source", args=["app"])
    problems = [check(root, base + "?" + urlencode({"cursor": f}), opened) for f in forged]
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_tampered_and_forged_record_refs_are_refused(
    world: World, samples: Samples, root: Client, opened: OpenedFiles
) -> None:
    ref = samples.values["ref"]()
    state = cursors.loads(cursors.REF, "app", ref)
    ledger_state = get_source("ledger").page(Query()).records[0].ref.to_state()
    forged = [
        *flipped(ref),
        *[f for f in unsigned(["app", state]) if "/" not in f],
        cursors.dumps(cursors.REF, "ledger", ledger_state),  # another source's record
        cursors.dumps(cursors.PAGE, "app", state),
    ]
    problems = [
        check(root, reverse("auditconsole:record", args=["app", quote(f, safe="")]), opened)
        for f in forged
    ]
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_validly_signed_positions_cannot_aim_outside(
    world: World, root: Client, opened: OpenedFiles
) -> None:
    """Even with the signing key (a leak, or a bug), a position names no path.

    Positions name files by ``(st_dev, st_ino)`` among the files the source discovered;
    the canary's identity or a path in the stream name finds nothing to read.
    """
    canary = os.stat(world.outside / "secret.log")
    dev, ino = canary.st_dev, canary.st_ino
    crc = zlib.crc32((world.outside / "secret.log").read_bytes().split(b"\n")[0])
    escape = "../outside/secret.log"
    page_states = [
        {"app.log": [escape, dev, ino, None, None, None, None]},
        {"app.log": ["app.log", dev, ino, 0, None, 0, crc]},
        {escape: ["secret.log", dev, ino, None, None, None, None]},
        {"app.log": ["app.log", dev, ino, 10**12, None, None, None]},
    ]
    ref_states = [
        [escape, dev, ino, 0, crc],
        ["app.log", dev, ino, 0, crc],
        [str(world.outside / "secret.log"), dev, ino, 0, crc],
    ]
    tail_states = [
        {"app.log": {"d": dev, "i": ino, "o": 0, "h": 0}},
        {escape: {"d": dev, "i": ino, "o": 0, "h": 0}},
    ]
    paths = [
        reverse("auditconsole:source", args=["app"])
        + "?"
        + urlencode({"cursor": cursors.dumps(cursors.PAGE, "app", s)})
        for s in page_states
    ] + [
        reverse("auditconsole:record", args=["app", cursors.dumps(cursors.REF, "app", s)])
        for s in ref_states
    ]
    if "tail" in {url.name for url in URLS}:
        paths += [
            reverse("auditconsole:tail", args=["app"])
            + "?"
            + urlencode({"cursor": cursors.dumps(cursors.TAIL, "app", s)})
            for s in tail_states
        ]
    problems = [p for p in (check(root, path, opened, must_refuse=False) for path in paths) if p]
    assert not problems, "\n".join(problems)


def test_the_watcher_sees_log_files_opened_and_flags_foreign_ones(
    world: World, root: Client, opened: OpenedFiles
) -> None:
    assert root.get(reverse("auditconsole:source", args=["app"])).status_code == 200
    logs = os.path.realpath(world.logs)
    assert any(_within(os.path.realpath(p), logs) for p in opened.paths)
    assert opened.outside() == []
    opened.record(world.outside / "secret.log")
    opened.record(b"/etc/passwd")
    opened.record(3)  # a descriptor is not a path
    assert opened.outside() == [str(world.outside / "secret.log"), "/etc/passwd"]
