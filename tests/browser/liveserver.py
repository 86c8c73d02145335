"""A live server that runs one request at a time, for the shared in-memory SQLite database.

pytest-django's ``live_server`` (Django's ``LiveServerThread``) hands the test's in-memory
SQLite connection to every request thread of a ``ThreadedWSGIServer``: a page and the
fragments it loads at once (the chart, the facets) then use one connection concurrently.
That fails at random, as ``InterfaceError: bad parameter or other API misuse`` or rows of
the wrong shape, and more often on Python 3.13 (a CI run on Django 6.1 failed on it). A
lock around each request, its streamed body included, keeps the threads (and HTTP
keep-alive) while never letting two requests share the connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.servers.basehttp import ThreadedWSGIServer

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class OneRequestAtATimeServer(ThreadedWSGIServer):
    def set_app(self, application: WSGIApp) -> None:
        lock = threading.Lock()

        def serialised(
            environ: dict[str, Any], start_response: Callable[..., Any]
        ) -> Iterator[bytes]:
            with lock:
                body = application(environ, start_response)
                try:
                    # A plain loop, not ``yield from``: closing this generator must not
                    # close the body too, or Django's request_finished would fire twice.
                    for chunk in body:  # noqa: UP028
                        yield chunk
                finally:
                    close = getattr(body, "close", None)
                    if close is not None:
                        close()

        super().set_app(serialised)
