"""The exception line a table row shows: picked out of real tracebacks, shortened, masked."""

from __future__ import annotations

import json
import logging
import sys
import traceback

import pytest
from pythonjsonlogger.json import JsonFormatter

from auditconsole.sources import exceptions
from auditconsole.sources.exceptions import ELLIPSIS, MAX_CHARS, last_exception, shorten, summary
from tests.sources.files.test_parsing import group, parse

HEADER = "2026-04-04 12:00:00,000 [ERROR] apps.alerts.tasks: Charging invoice failed"


def formatted(exc: BaseException) -> str:
    """``exc`` raised for real and formatted as logging formats it."""
    try:
        raise exc
    except BaseException as raised:
        return "".join(traceback.format_exception(raised)).rstrip("\n")


def chained() -> str:
    try:
        try:
            {}["missing"]
        except KeyError as exc:
            raise RuntimeError("lookup failed") from exc
    except RuntimeError as raised:
        return "".join(traceback.format_exception(raised)).rstrip("\n")
    raise AssertionError("unreachable")


def text_record(traceback_text: str, **kwargs):
    return group([HEADER, *traceback_text.splitlines()], **kwargs)


# -- the parsing layer: records say which exception they report -----------------------------


def test_a_text_record_with_a_traceback_reports_its_exception() -> None:
    record = text_record(formatted(KeyError("missing")))
    assert record.message == "Charging invoice failed"
    assert record.exception == "KeyError: 'missing'"


def test_a_chained_traceback_reports_the_exception_raised_last() -> None:
    record = text_record(chained())
    assert "KeyError: 'missing'" in record.traceback  # the cause is in the traceback...
    assert record.exception == "RuntimeError: lookup failed"  # ...the row names the last one


def test_python_json_logger_exc_info() -> None:
    formatter = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        {}["missing"]
    except KeyError:
        exc_info = sys.exc_info()
    log_record = logging.LogRecord(
        "apps.billing", logging.ERROR, "/srv/app/billing.py", 9, "charge failed", (), exc_info
    )
    record = parse(formatter.format(log_record))
    assert record.fields["exc_info"].startswith("Traceback (most recent call last):")
    assert record.exception == "KeyError: 'missing'"


def test_structlog_exception_field() -> None:
    # structlog's format_exc_info puts the formatted traceback under "exception".
    line = json.dumps(
        {"event": "job failed", "level": "error", "exception": formatted(ValueError("bad row 7"))}
    )
    assert parse(line).exception == "ValueError: bad row 7"


def test_structlog_dict_tracebacks() -> None:
    # structlog's dict_tracebacks: a list of stacks, the exception that was logged first.
    line = json.dumps(
        {
            "event": "job failed",
            "exception": [
                {"exc_type": "RuntimeError", "exc_value": "lookup failed", "frames": []},
                {"exc_type": "KeyError", "exc_value": "'missing'", "frames": []},
            ],
        }
    )
    record = parse(line)
    assert record.traceback == ""  # nothing to show as text on the record page...
    assert record.exception == "RuntimeError: lookup failed"  # ...but the row has its clue


def test_the_console_own_log_names_a_multi_line_exception_by_its_first_line() -> None:
    line = json.dumps(
        {"message": "Sending failed", "exception": formatted(ValueError("bad amount\nsecond line"))}
    )
    assert parse(line).exception == f"ValueError: bad amount {ELLIPSIS}"


def test_records_without_an_exception_report_none() -> None:
    assert parse(json.dumps({"message": "fine", "level": "info"})).exception == ""
    # Continuation lines that are not a traceback (a statement logged over several lines).
    assert group([HEADER, "SELECT *", "FROM invoices"]).exception == ""
    # A stack logged on purpose (stack_info) is not an exception.
    stack = 'Stack (most recent call last):\n  File "x.py", line 1, in <module>'
    assert parse(json.dumps({"message": "where?", "stack_info": stack})).exception == ""


def test_a_long_exception_line_is_shortened() -> None:
    record = text_record(formatted(ValueError("x" * 500)))
    assert len(record.exception) == MAX_CHARS
    assert record.exception.startswith("ValueError: xxx")
    assert record.exception.endswith(ELLIPSIS)
    assert "x" * 500 in record.traceback  # the record page still has all of it


def test_a_secret_in_the_exception_is_masked() -> None:
    text = text_record(formatted(PermissionError("login failed for password=hunter2")))
    assert text.exception == "PermissionError: login failed for password=********"
    line = json.dumps(
        {"message": "m", "exc_info": formatted(ConnectionError("token=abc123 refused"))}
    )
    record = parse(line)
    assert record.exception == "ConnectionError: token=******** refused"
    structured = parse(
        json.dumps({"event": "e", "exception": [{"exc_type": "E", "exc_value": "secret=s3"}]})
    )
    assert structured.exception == "E: secret=********"


def test_masking_comes_before_shortening() -> None:
    # The secret straddles the cut: shortening the masked line cannot reveal any of it.
    message = "y" * (MAX_CHARS - 30) + " password=hunter2hunter2hunter2hunter2"
    record = text_record(formatted(ValueError(message)))
    assert "hunter" not in record.exception
    assert len(record.exception) <= MAX_CHARS


# -- the line itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A syntax error: its caret line is indented, the exception comes after it.
        (
            'Traceback (most recent call last):\n  File "x.py", line 1\n    foo(\n       ^\n'
            "SyntaxError: '(' was never closed",
            "SyntaxError: '(' was never closed",
        ),
        # An exception formatted without a traceback (never raised).
        ("KeyError: 'missing'", "KeyError: 'missing'"),
        # Java and JavaScript print the exception first, then their frames.
        (
            "java.lang.IllegalStateException: closed\n\tat com.acme.Pool.get(Pool.java:42)",
            "java.lang.IllegalStateException: closed",
        ),
        ("TypeError: x is undefined\n    at f (app.js:3:9)", "TypeError: x is undefined"),
        # A traceback cut off before its exception names none.
        ('Traceback (most recent call last):\n  File "x.py", line 1, in <module>', ""),
        ("", ""),
    ],
)
def test_last_exception(text: str, expected: str) -> None:
    assert last_exception(text) == expected


def test_structured_tracebacks_that_name_nothing() -> None:
    assert exceptions.structured([]) == ""
    assert exceptions.structured(["not a stack"]) == ""
    assert exceptions.structured([{"exc_value": "no type"}]) == ""
    assert (
        exceptions.structured([{"exc_type": "StopIteration", "exc_value": ""}]) == "StopIteration"
    )
    assert exceptions.structured([{"exc_type": "E", "exc_value": "a\nb"}]) == f"E: a {ELLIPSIS}"
    assert summary("", {"exception": [{"frames": []}], "exc_text": "KeyError: 'x'"}) == (
        "KeyError: 'x'"
    )


def test_shorten_collapses_whitespace() -> None:
    assert shorten("ValueError:   a\tb ") == "ValueError: a b"
    assert shorten("e" * MAX_CHARS) == "e" * MAX_CHARS
    assert shorten("e" * (MAX_CHARS + 1)) == "e" * (MAX_CHARS - 1) + ELLIPSIS
