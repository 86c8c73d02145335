"""The Server-Sent Events wire format (the HTML standard's ``text/event-stream``)."""

from __future__ import annotations

import re

#: What the format takes for the end of a line: any other character is data.
_LINE_END = re.compile(r"\r\n|\r|\n")

#: A comment line: ignored by the browser, but it keeps proxies from timing the stream out.
HEARTBEAT = b": keep-alive\n\n"


def event(name: str, data: str, *, id: str | None = None) -> bytes:
    """One event. Each line of ``data`` goes on its own ``data:`` line (the browser joins
    them with newlines again); ``id`` becomes the stream's ``Last-Event-ID``."""
    lines = [f"event: {name}"]
    if id is not None:
        lines.append(f"id: {id}")
    lines.extend(f"data: {line}" for line in _LINE_END.split(data))
    return ("\n".join(lines) + "\n\n").encode()


def retry(milliseconds: int) -> bytes:
    """How long the browser waits before reconnecting after the connection drops."""
    return f"retry: {milliseconds}\n\n".encode()
