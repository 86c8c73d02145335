"""deliver(): a record written through real logging handlers, and every way it is not."""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import threading
import uuid
from collections.abc import Iterator
from logging.handlers import MemoryHandler, WatchedFileHandler
from pathlib import Path

import pytest

from auditconsole.export.delivery import deliver
from auditconsole.logconfig import SharedRotatingFileHandler
from tests.export.helpers import FailingHandler

DEV_FULL = Path("/dev/full")


def detached(name: str, parent: logging.Logger | None = None) -> logging.Logger:
    """A real logger at INFO outside the logging tree, so only its own handlers count
    (pytest hangs its capturing handlers on the root and on every registered
    non-propagating logger)."""
    logger = logging.Logger(name, logging.INFO)
    logger.parent = parent
    return logger


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    logger = detached(f"tests.delivery.{uuid.uuid4().hex}")
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def info(logger: logging.Logger, text: str = "agent exported 3 rows") -> logging.LogRecord:
    return logger.makeRecord(logger.name, logging.INFO, __file__, 1, text, (), None)


def file_handler(path: Path, **kwargs) -> logging.FileHandler:
    handler = logging.FileHandler(path, encoding="utf-8", **kwargs)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    return handler


def test_a_written_record(logger, tmp_path):
    logger.addHandler(file_handler(tmp_path / "console.log"))
    assert deliver(logger, info(logger)) == []
    assert (tmp_path / "console.log").read_text() == f"{logger.name} agent exported 3 rows\n"


def test_a_handler_whose_emit_raises(logger, capsys):
    logger.addHandler(FailingHandler())
    (problem,) = deliver(logger, info(logger))
    assert problem == "FailingHandler: OSError: [Errno 28] No space left on device"
    # Still printed, as logging would have.
    assert "--- Logging error ---" in capsys.readouterr().err


def test_a_closed_stream(logger, capsys):
    stream = io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    stream.close()
    (problem,) = deliver(logger, info(logger))
    assert problem == "StreamHandler: ValueError: I/O operation on closed file"
    assert "I/O operation on closed file" in capsys.readouterr().err


def test_a_file_whose_directory_was_removed(logger, tmp_path):
    directory = tmp_path / "log"
    directory.mkdir()
    logger.addHandler(file_handler(directory / "console.log"))
    assert deliver(logger, info(logger)) == []
    shutil.rmtree(directory)
    # write() into the open, nameless file succeeds: only the file's link count tells.
    (problem,) = deliver(logger, info(logger))
    assert problem == (
        f"FileHandler ({directory / 'console.log'}): {directory / 'console.log'} was deleted "
        "after it was opened: the record went nowhere"
    )


def test_a_file_that_cannot_be_opened(logger, tmp_path, capsys):
    directory = tmp_path / "log"
    directory.mkdir()
    logger.addHandler(file_handler(directory / "console.log", delay=True))
    directory.rmdir()
    (problem,) = deliver(logger, info(logger))
    assert "FileNotFoundError: [Errno 2] No such file or directory" in problem
    assert "--- Logging error ---" in capsys.readouterr().err


@pytest.mark.parametrize("handler_class", [WatchedFileHandler, SharedRotatingFileHandler])
def test_handlers_that_reopen_a_removed_file(logger, tmp_path, handler_class, capsys):
    directory = tmp_path / "log"
    directory.mkdir()
    logger.addHandler(handler_class(directory / "console.log"))
    (directory / "console.log").unlink()
    # The file alone: they reopen it, and the record is written.
    assert deliver(logger, info(logger)) == []
    assert (directory / "console.log").read_text() == "agent exported 3 rows\n"
    shutil.rmtree(directory)
    # The directory too: the reopening fails (WatchedFileHandler lets the error escape emit).
    (problem,) = deliver(logger, info(logger))
    assert "FileNotFoundError" in problem
    assert "--- Logging error ---" in capsys.readouterr().err


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full")
def test_a_full_disk(logger):
    handler = file_handler(DEV_FULL)
    logger.addHandler(handler)
    (problem,) = deliver(logger, info(logger))
    assert problem == "FileHandler (/dev/full): OSError: [Errno 28] No space left on device"
    logger.removeHandler(handler)
    with contextlib.suppress(OSError):  # closing flushes the buffer, to a disk still full
        handler.close()


def test_no_handler(logger):
    assert deliver(logger, info(logger)) == [f"no handler writes INFO records of {logger.name!r}"]


def test_handlers_that_do_not_take_info(logger, tmp_path):
    warnings = file_handler(tmp_path / "warnings.log")
    warnings.setLevel(logging.WARNING)
    filtered = file_handler(tmp_path / "other.log")
    filtered.addFilter(logging.Filter("somebody.else"))
    logger.addHandler(warnings)
    logger.addHandler(filtered)
    assert deliver(logger, info(logger)) == [f"no handler writes INFO records of {logger.name!r}"]
    assert (tmp_path / "warnings.log").read_text() == ""


def test_the_logger_drops_the_record(logger, tmp_path):
    logger.addHandler(file_handler(tmp_path / "console.log"))
    logger.setLevel(logging.WARNING)
    assert deliver(logger, info(logger)) == [f"the {logger.name!r} logger drops INFO records"]
    assert (tmp_path / "console.log").read_text() == ""


def test_a_disabled_logger(logger, tmp_path):
    logger.addHandler(file_handler(tmp_path / "console.log"))
    logger.disabled = True
    assert deliver(logger, info(logger)) == [f"the {logger.name!r} logger drops INFO records"]
    assert (tmp_path / "console.log").read_text() == ""


def test_a_filter_of_the_logger_drops_the_record(logger, tmp_path):
    logger.addHandler(file_handler(tmp_path / "console.log"))
    logger.addFilter(logging.Filter("somebody.else"))
    assert deliver(logger, info(logger)) == [
        f"a filter of the {logger.name!r} logger drops the record"
    ]
    assert (tmp_path / "console.log").read_text() == ""


def test_every_handler_must_write_it(logger, tmp_path):
    logger.addHandler(file_handler(tmp_path / "console.log"))
    logger.addHandler(FailingHandler())
    assert len(deliver(logger, info(logger))) == 1
    assert (tmp_path / "console.log").read_text() != ""


def test_handlers_up_the_propagation_chain(logger, tmp_path):
    child = detached(f"{logger.name}.child", parent=logger)
    logger.addHandler(file_handler(tmp_path / "parent.log"))
    assert deliver(child, info(child)) == []
    assert (tmp_path / "parent.log").read_text() == f"{child.name} agent exported 3 rows\n"
    child.propagate = False
    assert deliver(child, info(child)) == [f"no handler writes INFO records of {child.name!r}"]


def test_a_buffering_handler_is_flushed_to_its_target(logger, tmp_path):
    target = file_handler(tmp_path / "console.log")
    logger.addHandler(MemoryHandler(capacity=100, target=target))
    assert deliver(logger, info(logger)) == []
    assert (tmp_path / "console.log").read_text() == f"{logger.name} agent exported 3 rows\n"
    target.close()


def test_a_buffering_handler_whose_target_fails(logger, capsys):
    stream = io.StringIO()
    target = logging.StreamHandler(stream)
    logger.addHandler(MemoryHandler(capacity=100, target=target, flushOnClose=False))
    stream.close()
    (problem,) = deliver(logger, info(logger))
    assert problem == "MemoryHandler: ValueError: I/O operation on closed file"
    assert "--- Logging error ---" in capsys.readouterr().err


class Complaining(logging.Handler):
    """Reports a failure through handleError without an exception, or from another thread."""

    def __init__(self, in_thread: bool = False) -> None:
        super().__init__()
        self.in_thread = in_thread
        self.reported: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if self.in_thread:
            thread = threading.Thread(target=self.handleError, args=(record,))
            thread.start()
            thread.join()
        else:
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:
        self.reported.append(record.getMessage())


def test_a_failure_reported_without_an_exception(logger):
    handler = Complaining()
    logger.addHandler(handler)
    assert deliver(logger, info(logger)) == ["Complaining: the handler reported an error"]
    # The handler's own handleError still ran, and is its own again afterwards.
    assert handler.reported == ["agent exported 3 rows"]
    assert "handleError" not in vars(handler)


def test_errors_of_other_threads_are_not_taken_for_ours(logger):
    handler = Complaining(in_thread=True)
    logger.addHandler(handler)
    assert deliver(logger, info(logger)) == []
    assert handler.reported == ["agent exported 3 rows"]


def test_a_handle_error_set_on_the_instance_is_kept(logger):
    handler = FailingHandler()
    handler.name = "audit"
    seen: list[logging.LogRecord] = []
    handler.handleError = seen.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    stream = io.StringIO()
    closed = logging.StreamHandler(stream)
    closed.handleError = seen.append  # type: ignore[method-assign]
    logger.addHandler(closed)
    stream.close()
    problems = deliver(logger, info(logger))
    assert problems[0].startswith("FailingHandler 'audit': OSError")
    assert problems[1].startswith("StreamHandler: ValueError")
    assert closed.handleError == seen.append
    assert len(seen) == 1  # the closed stream's; the escaped error went to the class's
