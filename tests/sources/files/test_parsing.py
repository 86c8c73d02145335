"""Every shape of line the sources meet, as real formatters write them."""

from __future__ import annotations

import json
import logging
import sys
import zlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pythonjsonlogger.json import JsonFormatter

from auditconsole.sources.files.parsing import AUTO, JSON, TEXT, Origin, Parser

ORIGIN = Origin("app", "app.log", "app.log", (1, 2), "Application")
KEYS = ("password", "token", "cookie", "authorization", "session", "secret")


def parser(fmt: str = AUTO, zone=UTC, **kwargs) -> Parser:
    return Parser(fmt=fmt, zone=zone, redact_keys=KEYS, **kwargs)


def parse(line: str | bytes, fmt: str = AUTO, **kwargs):
    data = line.encode() if isinstance(line, str) else line
    return parser(fmt, **kwargs).parse_line(data, ORIGIN, 100, 100 + len(data) + 1)


def test_python_json_logger_with_renamed_fields() -> None:
    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(module)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level"},
    )
    try:
        raise ValueError("bad total")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "apps.billing",
        logging.ERROR,
        "/srv/app/billing.py",
        9,
        "charge %s failed",
        ("INV-1",),
        exc_info,
    )
    record.user_id = 14
    record.password = "hunter2"
    line = formatter.format(record)
    parsed = parse(line, zone=ZoneInfo("Europe/Paris"))
    assert not parsed.malformed
    assert (parsed.level, parsed.levelno, parsed.logger) == ("ERROR", 40, "apps.billing")
    assert parsed.message == "charge INV-1 failed"
    assert parsed.time is not None and parsed.time.tzinfo == ZoneInfo("Europe/Paris")
    assert parsed.fields["module"] == "billing"
    assert parsed.fields["user_id"] == 14
    assert parsed.fields["password"] == "********"
    assert "hunter2" not in parsed.raw
    assert "ValueError: bad total" in parsed.traceback
    assert set(parsed.fields) >= {"module", "user_id", "exc_info"}
    assert not {"time", "level", "name", "message"} & set(parsed.fields)
    assert parsed.data["level"] == "ERROR"


def test_python_json_logger_default_names() -> None:
    parsed = parse(
        '{"asctime": "2026-04-04 12:34:56,789", "levelname": "WARNING", "name": "django.request", "message": "Not Found: /x"}'
    )
    assert parsed.time == datetime(2026, 4, 4, 12, 34, 56, 789000, tzinfo=UTC)
    assert (parsed.level, parsed.logger, parsed.message) == (
        "WARNING",
        "django.request",
        "Not Found: /x",
    )


def test_smallstack_plain_record() -> None:
    parsed = parse(
        '{"time": "2026-03-04 14:23:01", "level": "INFO", "name": "apps.tickets.views", "module": "views", "message": "Ticket 42 closed by admin"}'
    )
    assert parsed.time == datetime(2026, 3, 4, 14, 23, 1, tzinfo=UTC)
    assert parsed.fields == {"module": "views"}
    assert parsed.raw.startswith('{"time"')
    assert parsed.checksum == zlib.crc32(
        b'{"time": "2026-03-04 14:23:01", "level": "INFO", "name": "apps.tickets.views", "module": "views", "message": "Ticket 42 closed by admin"}'
    )
    assert (parsed.source, parsed.file, parsed.offset, parsed.source_label) == (
        "app",
        "app.log",
        100,
        "Application",
    )


def test_structlog_json_renderer() -> None:
    line = json.dumps(
        {
            "event": "job finished",
            "level": "info",
            "logger": "worker.jobs",
            "timestamp": "2026-04-04T12:34:56.789123Z",
            "job_id": "a1",
            "duration_ms": 12,
        }
    )
    parsed = parse(line)
    assert (parsed.level, parsed.logger, parsed.message) == ("INFO", "worker.jobs", "job finished")
    assert parsed.time == datetime(2026, 4, 4, 12, 34, 56, 789123, tzinfo=UTC)
    assert parsed.fields == {"job_id": "a1", "duration_ms": 12}


def test_structlog_exception_field_is_the_traceback() -> None:
    parsed = parse(
        json.dumps(
            {
                "event": "job failed",
                "level": "error",
                "exception": "Traceback (most recent call last):\n  boom",
            }
        )
    )
    assert parsed.traceback.startswith("Traceback")


def test_activity_audit_crud_record() -> None:
    line = json.dumps(
        {
            "timestamp": "2025-08-16 17:06:32.403",
            "level": "AUDIT",
            "name": "audit.model",
            "message": "CREATE event for User (id: 6f77)",
            "model": "User",
            "event_type": "CREATE",
            "instance_id": "6f77",
            "instance_repr": {"name": "Test", "is_active": True},
            "user_id": "14ab",
            "user_info": {"email": "e@example.com"},
            "extra": {},
        }
    )
    parsed = parse(line)
    assert (parsed.level, parsed.levelno, parsed.logger) == ("AUDIT", 21, "audit.model")
    assert parsed.time == datetime(2025, 8, 16, 17, 6, 32, 403000, tzinfo=UTC)
    assert parsed.lookup("instance_repr.is_active") is True


def test_activity_audit_api_record_masks_headers() -> None:
    line = json.dumps(
        {
            "timestamp": "2025-05-19 15:25:27.836",
            "level": "API",
            "name": "audit.request",
            "message": "Audit Internal Request",
            "request_repr": {
                "method": "POST",
                "path": "/api/login/",
                "headers": {"Authorization": "Bearer abc", "Cookie": "sessionid=s"},
                "body": {"username": "ann", "password": "pw"},
            },
            "response_repr": {"status_code": 200, "body": {"token": "t0k"}},
            "execution_time": 5.37,
        }
    )
    parsed = parse(line)
    assert (parsed.level, parsed.levelno) == ("API", 22)
    assert parsed.lookup("request_repr.headers.Authorization") == "********"
    assert parsed.lookup("request_repr.body.password") == "********"
    assert parsed.lookup("response_repr.body.token") == "********"
    for secret in ("Bearer abc", "sessionid=s", '"pw"', "t0k"):
        assert secret not in parsed.raw


def test_activity_audit_login_record() -> None:
    parsed = parse(
        json.dumps(
            {
                "timestamp": "2025-05-19 15:25:27.836",
                "level": "LOGIN",
                "name": "audit.login",
                "message": "Login failed",
                "success": False,
            }
        )
    )
    assert (parsed.level, parsed.levelno) == ("LOGIN", 23)


def test_update_history_has_no_level_logger_or_message() -> None:
    line = '{"timestamp":"2026-04-03T09:15:22Z","old_sha":"a1b2c3d","new_sha":"e4f5g6h","status":"success","commits":4,"mode":"venv","auto_update":false,"failed_step":null,"rolled_back":false}'
    parsed = parse(line)
    assert parsed.time == datetime(2026, 4, 3, 9, 15, 22, tzinfo=UTC)
    assert (parsed.level, parsed.levelno, parsed.logger, parsed.message) == ("", 0, "", "")
    assert parsed.summary.startswith("old_sha=a1b2c3d new_sha=e4f5g6h status=success commits=4")
    assert "auto_update=false" in parsed.summary


def test_ecs_style_dotted_and_nested_level_and_epoch_ts() -> None:
    dotted = parse(
        '{"@timestamp": "2026-04-04T12:34:56.789Z", "log.level": "warn", "message": "m"}'
    )
    assert (dotted.level, dotted.time) == (
        "WARNING",
        datetime(2026, 4, 4, 12, 34, 56, 789000, tzinfo=UTC),
    )
    nested = parse('{"ts": 1775306096.5, "log": {"level": "error", "logger": "x"}, "msg": "m"}')
    assert nested.level == "ERROR"
    assert nested.time == datetime.fromtimestamp(1775306096.5, tz=UTC)
    assert nested.fields["log"] == {"level": "error", "logger": "x"}  # nested keys are kept
    assert nested.message == "m"
    severity = parse('{"severity": "CRITICAL", "logger_name": "svc", "event": {"a": 1}}')
    assert (severity.level, severity.logger, severity.message) == ("CRITICAL", "svc", '{"a":1}')


def test_unparseable_time_value_stays_a_field() -> None:
    parsed = parse('{"time": "soon", "timestamp": "2026-04-04T00:00:00Z", "message": "m"}')
    assert parsed.time == datetime(2026, 4, 4, tzinfo=UTC)
    assert parsed.fields["time"] == "soon"


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("not json at all", "not JSON"),
        ('{"level": "ERROR", "message": "cut', "not valid JSON"),
        ("[1, 2]", "not a JSON object but an array"),
        ('"just a string"', "not a JSON object but a string"),
        ("42", "not a JSON object but a number"),
        ("null", "not a JSON object but a literal"),
    ],
)
def test_malformed_lines_are_kept_and_flagged(line: str, error: str) -> None:
    parsed = parse(line, JSON)
    assert parsed.malformed
    assert error in parsed.error
    assert parsed.raw == line


def test_malformed_json_salvages_what_it_can() -> None:
    parsed = parse(
        '{"time": "2026-04-04 12:00:00", "level": "ERROR", "name": "apps.x", "message": "payment failed", "password": "hunter2", "broken',
        JSON,
    )
    assert parsed.malformed
    assert (parsed.level, parsed.logger, parsed.message) == ("ERROR", "apps.x", "payment failed")
    assert parsed.time == datetime(2026, 4, 4, 12, tzinfo=UTC)
    assert "hunter2" not in parsed.raw


def test_salvage_skips_what_it_cannot_read() -> None:
    parsed = parse('{"time": "soon", "message": "bad \\x escape", "msg": "second", "cut', JSON)
    assert parsed.time is None and parsed.message == "second"


def test_invalid_utf8_is_decoded_with_replacement() -> None:
    parsed = parse(b'{"message": "caf\xe9"}', JSON)
    assert parsed.malformed
    assert "not valid UTF-8" in parsed.error
    assert parsed.raw == '{"message": "caf\ufffd"}'


def test_stdlib_fallback_reads_nan_and_huge_integers() -> None:
    parsed = parse(
        '{"message": "m", "ratio": NaN, "big": 123456789012345678901234567890, "password": "p"}'
    )
    assert not parsed.malformed
    assert parsed.fields["big"] == 123456789012345678901234567890
    assert "NaN" in parsed.raw and "********" in parsed.raw


def test_truncated_line_is_flagged_with_its_length() -> None:
    data = b'{"message": "' + b"x" * 50
    parsed = parser(JSON).parse_line(data, ORIGIN, 0, 100_000, truncated=True, length=100_000)
    assert parsed.malformed and parsed.truncated
    assert "100000 bytes" in parsed.error


def test_crlf_line_endings() -> None:
    assert parse('{"message": "m"}\r').message == "m"


def test_auto_parses_a_text_line_in_a_json_file() -> None:
    parsed = parse("2026-04-04 12:34:56,789 [WARNING] py.warnings: careful")
    assert not parsed.malformed
    assert (parsed.level, parsed.logger, parsed.message) == ("WARNING", "py.warnings", "careful")


# -- classic text -------------------------------------------------------------------------


def group(lines: list[str], fmt: str = TEXT, **kwargs):
    data = [line.encode() for line in lines]
    return parser(fmt, **kwargs).parse_group(data, ORIGIN, 0, 10)


def test_classic_text_with_traceback() -> None:
    parsed = group(
        [
            "2026-04-04 12:34:56,789 [ERROR] django.request: Internal Server Error: /tickets/7/",
            "Traceback (most recent call last):",
            '  File "/srv/app/views.py", line 9, in get',
            "ZeroDivisionError: division by zero",
        ],
        zone=ZoneInfo("Europe/Paris"),
    )
    assert (parsed.level, parsed.logger) == ("ERROR", "django.request")
    assert parsed.message == "Internal Server Error: /tickets/7/"
    assert parsed.time == datetime(2026, 4, 4, 12, 34, 56, 789000, tzinfo=ZoneInfo("Europe/Paris"))
    assert parsed.traceback.endswith("ZeroDivisionError: division by zero")
    assert parsed.raw.count("\n") == 3
    assert parsed.data["logger"] == "django.request"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "2026-03-04 14:23:01,123 INFO apps.tickets.views Ticket 42 closed by admin",
            ("INFO", "apps.tickets.views", "Ticket 42 closed by admin"),
        ),
        (
            "INFO 2025-04-30 08:51:10,403 /app/utils.py utils create Patient created.",
            ("INFO", "", "/app/utils.py utils create Patient created."),
        ),
        ("2026-04-04 12:34:56 server started", ("", "", "server started")),
        ('[04/Apr/2026 12:34:56] "GET / HTTP/1.1" 200 12', ("", "", '"GET / HTTP/1.1" 200 12')),
        ("2026-04-04T12:34:56Z [warn] app.x: w", ("WARNING", "app.x", "w")),
    ],
)
def test_text_variants(line: str, expected) -> None:
    parsed = group([line])
    assert parsed.time is not None
    assert (parsed.level, parsed.logger, parsed.message) == expected


def test_text_masks_secrets_in_message_and_traceback() -> None:
    parsed = group(
        [
            "2026-04-04 12:00:00,000 [INFO] auth: login password=hunter2",
            "  header Authorization: Bearer abc",
        ]
    )
    assert (
        "hunter2" not in parsed.message
        and "Bearer abc" not in parsed.traceback
        and "hunter2" not in parsed.raw
    )


def test_text_line_that_is_not_a_record_start_is_malformed() -> None:
    parsed = group(["  orphan continuation", "another"])
    assert parsed.malformed
    assert parsed.error == "line does not match the text format"
    assert parsed.message == "  orphan continuation\nanother"


def test_text_invalid_utf8_is_flagged() -> None:
    parsed = parser(TEXT).parse_group([b"2026-04-04 12:00:00,000 [INFO] x: caf\xe9"], ORIGIN, 0, 1)
    assert parsed.malformed and parsed.error == "not valid UTF-8"
    assert parsed.message == "caf\ufffd"


def test_custom_pattern_extra_groups_become_fields() -> None:
    pattern = r"^(?P<time>\S+ \S+) pid=(?P<pid>\d+) (?P<level>\w+) (?P<message>.*)$"
    parsed = group(["2026-04-04 12:00:00 pid=42 ERROR disk full"], patterns=(pattern,))
    assert (parsed.level, parsed.message, parsed.fields) == ("ERROR", "disk full", {"pid": "42"})


def test_a_json_line_in_an_auto_text_file() -> None:
    parsed = group(['{"message": "j"}'], AUTO)
    assert parsed.message == "j"


def test_file_format_detection() -> None:
    auto = parser(AUTO)
    assert auto.file_format(b'\n  \n{"a": 1}\n') == JSON
    assert auto.file_format(b"2026-04-04 12:00:00,000 [INFO] x: y\n") == TEXT
    assert auto.file_format(b"garbage\n") == JSON
    assert auto.file_format(b"") == JSON
    assert parser(TEXT).file_format(b'{"a": 1}') == TEXT
    assert auto.starts_record(b'{"a": 1}')
    assert not parser(TEXT).starts_record(b'{"a": 1}')


def test_broken_marker_record() -> None:
    marker = parser().broken(ORIGIN, 500, "app.log.4.gz: corrupt")
    assert (
        marker.malformed
        and marker.offset == marker.end == 500
        and marker.message == "app.log.4.gz: corrupt"
    )


def test_integers_beyond_64_bits_stay_exact() -> None:
    """orjson would read them as floats; the parser reads such lines with the stdlib."""
    line = b'{"message": "m", "id": 123456789012345678901234567890, "ids": [-9223372036854775809]}'
    record = parser().parse_line(line, ORIGIN, 0, len(line))
    assert not record.malformed
    assert record.fields == {"id": 123456789012345678901234567890, "ids": [-9223372036854775809]}
    # A 19-digit run inside a string changes nothing.
    line = b'{"message": "trace 1234567890123456789", "n": 1.5}'
    assert parser().parse_line(line, ORIGIN, 0, len(line)).fields == {"n": 1.5}
