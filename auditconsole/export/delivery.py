"""Handing a log record to its handlers, and knowing whether it was written.

``logging`` never lets a handler's failure reach the caller: ``Handler.emit`` catches the
error and calls ``Handler.handleError``, which prints a traceback to stderr (or nothing,
with ``logging.raiseExceptions`` off) and returns. That is right for ordinary logging and
wrong for an audit trail, whose failures must not pass silently (NIST SP 800-53 AU-5).

:func:`deliver` does what ``Logger.handle`` does (the logger's level, ``disabled`` flag and
filters; then each handler up the ``propagate`` chain whose level and filters take the
record) one handler at a time, and reports what went wrong:

* an error the handler caught and passed to ``handleError``, or one it let escape;
* an error flushing it: a record still in a buffer is not written;
* a file handler whose open file has no name left (its file or directory was removed):
  ``write()`` succeeds, but nobody will ever read the record;
* no handler took the record at all.

While a handler writes, its ``handleError`` is replaced, on that handler instance only
and under the handler's own lock (the lock ``Handler.handle`` takes around ``emit``), by
one that notes the error and then calls the original, so stderr still gets the traceback.
Other threads logging through the same handler wait for the lock as they would anyway; a
``handleError`` called from another thread is passed straight to the original.

A handler that hands records over to another thread or process (``QueueHandler``,
``SocketHandler`` once connected) counts as having written a record it accepted: what
happens next is out of sight.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager


def deliver(logger: logging.Logger, record: logging.LogRecord) -> list[str]:
    """Write ``record`` through ``logger``'s handlers; the problems, ``[]`` if written."""
    if logger.disabled or not logger.isEnabledFor(record.levelno):
        return [f"the {logger.name!r} logger drops {record.levelname} records"]
    filtered: bool | logging.LogRecord = logger.filter(record)
    if not filtered:
        return [f"a filter of the {logger.name!r} logger drops the record"]
    # Python 3.12+: a filter may return a record to use instead.
    record = filtered if isinstance(filtered, logging.LogRecord) else record
    problems: list[str] = []
    taken = 0
    current: logging.Logger | None = logger
    while current is not None:
        for handler in current.handlers:
            if record.levelno < handler.level:
                continue
            accepted, errors = _hand_to(handler, record)
            taken += accepted
            problems.extend(f"{_describe(handler)}: {error}" for error in errors)
        current = current.parent if current.propagate else None
    if not taken:
        problems.append(f"no handler writes {record.levelname} records of {logger.name!r}")
    return problems


def _hand_to(handler: logging.Handler, record: logging.LogRecord) -> tuple[bool, list[str]]:
    """(whether the handler took the record, the errors it met writing it)."""
    errors: list[str] = []
    with ExitStack() as noting:
        for each in _handler_chain(handler):
            noting.enter_context(_errors_noted(each, errors))
        try:
            accepted = bool(handler.handle(record))
            if accepted and not errors:  # after a failed write, a flush fails the same way
                handler.flush()
        except Exception as exc:
            # It escaped emit() or flush(): note it, and print it as logging would have
            # (the class's handleError, not the noting one set on the instance).
            errors.append(_error_text(exc))
            type(handler).handleError(handler, record)
            return True, errors
    if accepted:
        errors.extend(_unlinked_file(handler))
    return accepted, errors


def _handler_chain(handler: logging.Handler) -> list[logging.Handler]:
    """The handler and those it writes through (``MemoryHandler.target``, on flush)."""
    chain = [handler]
    target = getattr(handler, "target", None)
    while isinstance(target, logging.Handler) and target not in chain:
        chain.append(target)
        target = getattr(target, "target", None)
    return chain


@contextmanager
def _errors_noted(handler: logging.Handler, errors: list[str]) -> Iterator[None]:
    """While inside: errors the handler passes to ``handleError`` in this thread are noted.

    Entered for a chain in order, the locks are taken as a ``MemoryHandler`` takes them
    when it flushes: its own, then its target's.
    """
    handler.acquire()
    try:
        saved = handler.__dict__.get("handleError")
        handler.handleError = _noting(handler.handleError, errors)  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            if saved is None:
                del handler.handleError
            else:
                handler.handleError = saved  # type: ignore[method-assign]
    finally:
        handler.release()


def _noting(
    original: Callable[[logging.LogRecord], None], errors: list[str]
) -> Callable[[logging.LogRecord], None]:
    owner = threading.get_ident()

    def handle_error(record: logging.LogRecord) -> None:
        if threading.get_ident() == owner:
            exc = sys.exc_info()[1]
            errors.append(_error_text(exc) if exc is not None else "the handler reported an error")
        original(record)

    return handle_error


def _unlinked_file(handler: logging.Handler) -> list[str]:
    """A file handler still writing into a file that was deleted (or whose directory was)."""
    stream = getattr(handler, "stream", None)
    if not isinstance(handler, logging.FileHandler) or stream is None:
        return []
    try:
        links = os.fstat(stream.fileno()).st_nlink
    except (OSError, ValueError):  # a closed stream: its write has failed and been noted
        return []
    if links:
        return []
    return [f"{handler.baseFilename} was deleted after it was opened: the record went nowhere"]


def _describe(handler: logging.Handler) -> str:
    name = type(handler).__name__
    if handler.name:
        name += f" {handler.name!r}"
    path = getattr(handler, "baseFilename", None)
    return f"{name} ({path})" if path else name


def _error_text(exc: BaseException) -> str:
    # Without the final period some messages have, as these texts are joined into sentences.
    return f"{type(exc).__name__}: {str(exc).rstrip('.')}"
