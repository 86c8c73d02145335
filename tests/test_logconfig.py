"""The LOGGING that ``logconfig.build()`` returns, applied for real and read back."""

from __future__ import annotations

import json
import logging
import logging.config
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.log import configure_logging

from auditconsole import logconfig

LEVELS = ("debug", "info", "warning", "error")


@pytest.fixture
def apply_logging() -> Iterator[Callable[[dict[str, Any]], None]]:
    """Configure logging with a built dict; afterwards, the test run's own LOGGING again."""

    def apply(config: dict[str, Any]) -> None:
        logging.config.dictConfig(config)

    yield apply
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def emit_everything() -> None:
    """One record per level on every logger build() configures, and one elsewhere."""
    for name in (
        "apps.tickets.views",
        "auditconsole.export",
        "django",
        "django.request",
        "django.security.csrf",
        "django.db.backends",
        "thirdparty.lib",
    ):
        logger = logging.getLogger(name)
        for level in LEVELS:
            getattr(logger, level)("%s from %s", level, name)


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def seen(records: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(record["name"], record["level"].lower()) for record in records}


PRODUCTION_SEEN = {
    ("apps.tickets.views", "info"),
    ("apps.tickets.views", "warning"),
    ("apps.tickets.views", "error"),
    ("auditconsole.export", "info"),
    ("auditconsole.export", "warning"),
    ("auditconsole.export", "error"),
    ("django", "warning"),
    ("django", "error"),
    ("django.request", "error"),
    ("django.security.csrf", "warning"),
    ("django.security.csrf", "error"),
    ("django.db.backends", "warning"),
    ("django.db.backends", "error"),
    ("thirdparty.lib", "warning"),
    ("thirdparty.lib", "error"),
}


class TestDevelopment:
    def test_readable_lines_and_verbose_levels(
        self, apply_logging: Callable[..., None], capsys: pytest.CaptureFixture[str]
    ) -> None:
        apply_logging(logconfig.build(debug=True))
        emit_everything()
        out = capsys.readouterr().out
        lines = out.splitlines()
        assert all(line.startswith("20") for line in lines), out
        debug_line = next(line for line in lines if "debug from apps.tickets.views" in line)
        # "2026-04-04 12:34:56,789 [DEBUG] apps.tickets.views: debug from apps.tickets.views"
        stamp, rest = debug_line[:23], debug_line[24:]
        datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f")
        assert rest == "[DEBUG] apps.tickets.views: debug from apps.tickets.views"
        shown = {
            (line.split("] ", 1)[1].split(":", 1)[0], line.split("[", 1)[1].split("]")[0].lower())
            for line in lines
        }
        assert shown == {
            *{("apps.tickets.views", level) for level in LEVELS},
            *{("auditconsole.export", level) for level in LEVELS},
            *{("django", level) for level in LEVELS[1:]},
            *{("django.request", level) for level in LEVELS},
            *{("django.security.csrf", level) for level in LEVELS[1:]},
            *{("django.db.backends", level) for level in LEVELS[1:]},
            *{("thirdparty.lib", level) for level in LEVELS[2:]},
        }

    def test_the_file_is_json_even_in_development(
        self,
        apply_logging: Callable[..., None],
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        log_file = tmp_path / "app.log"
        apply_logging(logconfig.build(debug=True, log_file=log_file))
        logging.getLogger("apps.x").debug("to both")
        assert "[DEBUG] apps.x: to both" in capsys.readouterr().out
        (record,) = json_lines(log_file.read_text())
        assert (record["level"], record["name"], record["message"]) == (
            "DEBUG",
            "apps.x",
            "to both",
        )


class TestProduction:
    def test_one_json_object_per_line_with_quieter_levels(
        self, apply_logging: Callable[..., None], capsys: pytest.CaptureFixture[str]
    ) -> None:
        apply_logging(logconfig.build(debug=False))
        emit_everything()
        records = json_lines(capsys.readouterr().out)
        assert seen(records) == PRODUCTION_SEEN
        assert len(records) == len(PRODUCTION_SEEN)

    def test_fields(
        self, apply_logging: Callable[..., None], capsys: pytest.CaptureFixture[str]
    ) -> None:
        apply_logging(logconfig.build(debug=False))
        before = datetime.now().astimezone()
        logging.getLogger("apps.billing").info(
            "Invoice %s sent", "INV-1", extra={"invoice": "INV-1"}
        )
        (record,) = json_lines(capsys.readouterr().out)
        assert set(record) == {"time", "level", "name", "module", "message", "invoice"}
        assert record["level"] == "INFO"
        assert record["name"] == "apps.billing"
        assert record["module"] == "test_logconfig"
        assert record["message"] == "Invoice INV-1 sent"
        assert record["invoice"] == "INV-1"
        when = datetime.fromisoformat(record["time"])
        assert when.utcoffset() is not None
        assert abs((when - before).total_seconds()) < 60

    def test_exceptions_carry_their_traceback(
        self, apply_logging: Callable[..., None], capsys: pytest.CaptureFixture[str]
    ) -> None:
        apply_logging(logconfig.build(debug=False))
        try:
            {}["missing"]
        except KeyError:
            logging.getLogger("apps.jobs").exception("Job failed")
        (record,) = json_lines(capsys.readouterr().out)
        assert record["level"] == "ERROR"
        assert record["message"] == "Job failed"
        assert record["exception"].startswith("Traceback (most recent call last):")
        assert "KeyError: 'missing'" in record["exception"]
        assert "exc_info" not in record

    def test_multiline_messages_stay_on_one_line(
        self, apply_logging: Callable[..., None], capsys: pytest.CaptureFixture[str]
    ) -> None:
        apply_logging(logconfig.build(debug=False))
        logging.getLogger("apps.x").warning("line one\nline two \u2603")
        out = capsys.readouterr().out
        assert out.count("\n") == 1
        assert json_lines(out)[0]["message"] == "line one\nline two \u2603"

    def test_named_loggers_propagate_to_the_root_handlers(
        self, apply_logging: Callable[..., None], caplog: pytest.LogCaptureFixture
    ) -> None:
        apply_logging(logconfig.build(debug=False))
        # What caplog does at the start of each test, after Django configured logging.
        logging.getLogger().addHandler(caplog.handler)
        try:
            logging.getLogger("django.request").error("Internal Server Error: /x")
            logging.getLogger("apps.x").info("Ticket closed")
        finally:
            logging.getLogger().removeHandler(caplog.handler)
        assert [r.getMessage() for r in caplog.records] == [
            "Internal Server Error: /x",
            "Ticket closed",
        ]


def test_caplog_works_under_the_projects_logging(caplog: pytest.LogCaptureFixture) -> None:
    # This suite runs with the project's LOGGING, i.e. build(); other tests rely on caplog.
    logging.getLogger("auditconsole.sources").warning("Unreadable line")
    logging.getLogger("django.request").error("Internal Server Error: /y")
    assert [r.getMessage() for r in caplog.records] == [
        "Unreadable line",
        "Internal Server Error: /y",
    ]


class TestLogFile:
    def test_every_configured_logger_reaches_the_file(
        self,
        apply_logging: Callable[..., None],
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        log_file = tmp_path / "deep" / "er" / "app.log"
        apply_logging(logconfig.build(debug=False, log_file=log_file))
        emit_everything()
        logging.shutdown()
        from_file = json_lines(log_file.read_text(encoding="utf-8"))
        from_stdout = json_lines(capsys.readouterr().out)
        assert seen(from_file) == PRODUCTION_SEEN
        assert [{**r, "time": None} for r in from_file] == [
            {**r, "time": None} for r in from_stdout
        ]

    def test_rotation(
        self,
        apply_logging: Callable[..., None],
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        log_file = tmp_path / "app.log"
        apply_logging(
            logconfig.build(debug=False, log_file=log_file, max_bytes=1000, backup_count=2)
        )
        logger = logging.getLogger("apps.rotate")
        for n in range(60):
            logger.info("message number %03d", n)
        files = sorted(path.name for path in tmp_path.iterdir())
        assert files == ["app.log", "app.log.1", "app.log.2"]
        kept = []
        for name in ("app.log.2", "app.log.1", "app.log"):
            path = tmp_path / name
            assert path.stat().st_size <= 1000
            kept += [record["message"] for record in json_lines(path.read_text())]
        # The newest records survive, in order; the oldest rotated away.
        assert kept == [f"message number {n:03d}" for n in range(60 - len(kept), 60)]

    def test_a_rotation_by_another_process_is_followed(self, tmp_path: Path) -> None:
        """Two workers, two handlers, one file: B writes into the file A rotated to."""
        log_file = tmp_path / "app.log"
        worker_a, worker_b = (
            logconfig.SharedRotatingFileHandler(log_file, maxBytes=300, backupCount=3)
            for _ in range(2)
        )
        try:
            record = logging.LogRecord(
                "apps.x", logging.INFO, __file__, 1, "%s", ("x" * 100,), None
            )
            for handler in (worker_a, worker_b):
                handler.emit(record)
            for _ in range(3):
                worker_a.emit(record)  # A rotates: app.log -> app.log.1
            assert (tmp_path / "app.log.1").exists()
            size_before = (tmp_path / "app.log.1").stat().st_size
            worker_b.emit(record)
            # B followed the rotation: its line went to the new app.log, not to app.log.1.
            assert (tmp_path / "app.log.1").stat().st_size == size_before
            assert log_file.read_text().count("x" * 100) == 2
        finally:
            worker_a.close()
            worker_b.close()

    def test_a_deleted_file_is_recreated(self, tmp_path: Path) -> None:
        log_file = tmp_path / "app.log"
        handler = logconfig.SharedRotatingFileHandler(log_file, maxBytes=1000, backupCount=1)
        try:
            record = logging.LogRecord("apps.x", logging.INFO, __file__, 1, "after", (), None)
            log_file.unlink()
            handler.emit(record)
            assert log_file.read_text() == "after\n"
        finally:
            handler.close()

    def test_a_failed_reopen_is_reported_not_raised(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        log_file = tmp_path / "app.log"
        handler = logconfig.SharedRotatingFileHandler(log_file, maxBytes=1000, backupCount=1)
        try:
            log_file.unlink()
            log_file.mkdir()  # the path is now a directory: reopening fails
            handler.emit(logging.LogRecord("apps.x", logging.INFO, __file__, 1, "lost", (), None))
            assert "IsADirectoryError" in capsys.readouterr().err
            log_file.rmdir()
            handler.emit(logging.LogRecord("apps.x", logging.INFO, __file__, 1, "back", (), None))
            assert log_file.read_text() == "back\n"
        finally:
            handler.close()

    def test_a_closed_handler_does_not_reopen(self, tmp_path: Path) -> None:
        handler = logconfig.SharedRotatingFileHandler(
            tmp_path / "app.log", maxBytes=1000, backupCount=1, delay=True
        )
        handler._reopen_if_rotated()
        assert handler.stream is None
        handler.close()

    def test_defaults_are_five_files_of_five_megabytes(self, tmp_path: Path) -> None:
        handler = logconfig.build(debug=False, log_file=tmp_path / "a.log")["handlers"]["file"]
        assert handler["class"] == "auditconsole.logconfig.SharedRotatingFileHandler"
        assert issubclass(logconfig.SharedRotatingFileHandler, RotatingFileHandler)
        assert (handler["maxBytes"], handler["backupCount"]) == (5 * 1024 * 1024, 5)
        assert handler["formatter"] == "json"
        assert handler["filename"] == str(tmp_path / "a.log")

    def test_the_directory_is_created_and_the_file_touched(self, tmp_path: Path) -> None:
        log_file = tmp_path / "new" / "dir" / "app.log"
        logconfig.build(debug=True, log_file=str(log_file))
        assert log_file.is_file()
        assert log_file.read_text() == ""

    def test_a_directory_that_cannot_be_created_fails_clearly(self, tmp_path: Path) -> None:
        blocker = tmp_path / "not-a-dir"
        blocker.write_text("a file where the directory should be")
        log_file = blocker / "logs" / "app.log"
        with pytest.raises(ImproperlyConfigured) as excinfo:
            logconfig.build(debug=False, log_file=log_file)
        message = str(excinfo.value)
        assert str(log_file) in message
        assert "cannot create its directory" in message
        assert str(blocker / "logs") in message

    def test_a_path_that_cannot_be_opened_fails_clearly(self, tmp_path: Path) -> None:
        with pytest.raises(ImproperlyConfigured) as excinfo:
            logconfig.build(debug=False, log_file=tmp_path)
        message = str(excinfo.value)
        assert str(tmp_path) in message
        assert "cannot be opened for writing" in message
        assert "directory" in message.lower()

    @pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
    def test_a_read_only_directory_fails_clearly(self, tmp_path: Path) -> None:
        read_only = tmp_path / "ro"
        read_only.mkdir(mode=0o500)
        with pytest.raises(ImproperlyConfigured, match="Permission denied"):
            logconfig.build(debug=False, log_file=read_only / "app.log")

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [({"max_bytes": 0}, "max_bytes"), ({"backup_count": -1}, "backup_count")],
    )
    def test_bad_rotation_settings(
        self, tmp_path: Path, kwargs: dict[str, int], match: str
    ) -> None:
        with pytest.raises(ImproperlyConfigured, match=match):
            logconfig.build(debug=False, log_file=tmp_path / "a.log", **kwargs)


def test_app_loggers_are_configurable(
    apply_logging: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    apply_logging(logconfig.build(debug=False, app_loggers=("shop",)))
    logging.getLogger("shop.cart").info("kept")
    logging.getLogger("elsewhere.cart").info("dropped: only the root (WARNING) applies")
    assert [r["message"] for r in json_lines(capsys.readouterr().out)] == ["kept"]


def test_the_result_can_be_adjusted_like_any_logging_dict(
    apply_logging: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    config = logconfig.build(debug=True)
    config["loggers"]["apps.noisy"] = {"level": "WARNING"}
    apply_logging(config)
    logging.getLogger("apps.noisy").info("hidden")
    logging.getLogger("apps.quiet").info("shown")
    out = capsys.readouterr().out
    assert "shown" in out
    assert "hidden" not in out


def test_the_standalone_project_uses_it() -> None:
    assert (
        logconfig.build(
            debug=settings.DEBUG,
            log_file=settings.LOG_FILE,
            app_loggers=(*logconfig.DEFAULT_APP_LOGGERS, "project"),
        )
        == settings.LOGGING
    )
    assert settings.LOGGING["handlers"]["file"]["filename"] == str(settings.LOG_DIR / "console.log")


class TestReadBackByTheConsole:
    """What build() writes, a console log source reads with every field intact."""

    @staticmethod
    def read_source(settings: Any, path: Path) -> list[Any]:
        from auditconsole.sources.query import Query
        from auditconsole.sources.registry import get_source

        settings.AUDITCONSOLE_LOG_SOURCES = {
            "app": {
                "BACKEND": "auditconsole.sources.files.FileSource",
                "OPTIONS": {"path": str(path)},
            }
        }
        return list(get_source("app").iter_records(Query()))

    def test_json_round_trip(
        self,
        apply_logging: Callable[..., None],
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
        settings: Any,
    ) -> None:
        log_file = tmp_path / "app.log"
        apply_logging(logconfig.build(debug=False, log_file=log_file))
        logger = logging.getLogger("apps.billing.views")
        logger.info(
            "Invoice %s sent to caf\u00e9 <b>",
            "INV-1",
            extra={"invoice": "INV-1", "amount": 12.5, "password": "hunter2"},
        )
        try:
            raise ValueError("bad amount\nsecond line")
        except ValueError:
            logger.exception("Sending failed")
        logging.getLogger("django.security.csrf").warning("Forbidden (CSRF token missing.): /x")
        logging.shutdown()
        written = json_lines(log_file.read_text())
        # Sources read newest first.
        records = self.read_source(settings, log_file)[::-1]

        assert [r.malformed for r in records] == [False, False, False]
        first, second, third = records
        assert first.time == datetime.fromisoformat(written[0]["time"])
        assert first.time.tzinfo is not None
        assert (first.level, first.levelno, first.logger) == ("INFO", 20, "apps.billing.views")
        assert first.message == "Invoice INV-1 sent to caf\u00e9 <b>"
        assert first.fields == {
            "module": "test_logconfig",
            "invoice": "INV-1",
            "amount": 12.5,
            "password": "********",
        }
        assert "hunter2" not in first.raw
        assert (second.level, second.message) == ("ERROR", "Sending failed")
        assert second.traceback == written[1]["exception"]
        assert second.traceback.startswith("Traceback (most recent call last):")
        assert second.traceback.endswith("ValueError: bad amount\nsecond line")
        assert (third.level, third.logger) == ("WARNING", "django.security.csrf")
        # Every key that was written is in the record: nothing is lost on the way.
        for record, obj in zip(records, written, strict=True):
            assert set(record.data) == set(obj)

    def test_rotated_files_read_back_in_order(
        self,
        apply_logging: Callable[..., None],
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
        settings: Any,
    ) -> None:
        log_file = tmp_path / "app.log"
        apply_logging(
            logconfig.build(debug=False, log_file=log_file, max_bytes=2000, backup_count=9)
        )
        for n in range(40):
            logging.getLogger("apps.rotate").info("message number %03d", n)
        logging.shutdown()
        assert (tmp_path / "app.log.3").exists()
        records = self.read_source(settings, log_file)
        assert [r.message for r in records] == [
            f"message number {n:03d}" for n in range(39, -1, -1)
        ]

    def test_the_development_text_format_is_recognised(
        self,
        apply_logging: Callable[..., None],
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
        settings: Any,
    ) -> None:
        apply_logging(logconfig.build(debug=True))
        logging.getLogger("apps.tickets").warning("Ticket 42: escalated")
        try:
            {}["missing"]
        except KeyError:
            logging.getLogger("apps.tickets").exception("Lookup failed")
        # Development output redirected to a file (runserver > dev.log) is a source too.
        dev_log = tmp_path / "dev.log"
        dev_log.write_text(capsys.readouterr().out)
        newest, oldest = self.read_source(settings, dev_log)
        assert not oldest.malformed
        assert (oldest.level, oldest.logger, oldest.message) == (
            "WARNING",
            "apps.tickets",
            "Ticket 42: escalated",
        )
        assert oldest.time is not None
        assert (newest.level, newest.message) == ("ERROR", "Lookup failed")
        assert "KeyError: 'missing'" in newest.raw


def test_the_console_reads_its_own_log() -> None:
    """The standalone project's LOGGING writes LOG_FILE; its "console" source reads it."""
    from auditconsole.sources.query import Query
    from auditconsole.sources.registry import get_source

    marker = f"console self-check {os.getpid()} {datetime.now().timestamp()}"
    logging.getLogger("project.selfcheck").warning(marker, extra={"request_id": "r-1"})
    source = get_source("console")
    found = [record for record in source.iter_records(Query()) if record.message == marker]
    assert len(found) == 1
    (record,) = found
    assert (record.level, record.logger) == ("WARNING", "project.selfcheck")
    assert record.fields["request_id"] == "r-1"


def test_the_console_s_own_trail_is_kept_whatever_the_app_loggers(
    apply_logging: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    """Leaving "auditconsole" out of app_loggers does not stop exports' and reads' records."""
    config = logconfig.build(debug=True, app_loggers=("shop",))
    for name in logconfig.TRAIL_LOGGERS:
        assert config["loggers"][name]["level"] == "INFO"
    apply_logging(config)
    logging.getLogger("auditconsole.access").info("agent searched the activity")
    logging.getLogger("auditconsole.exports").info("agent exported 3 activity rows")
    logging.getLogger("elsewhere.views").info("dropped: not part of the trail")
    out = capsys.readouterr().out
    assert "agent searched the activity" in out and "agent exported 3 activity rows" in out
    assert "dropped" not in out
