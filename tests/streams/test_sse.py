"""The text/event-stream format, as the HTML standard parses it."""

from __future__ import annotations

from auditconsole.streams import sse


def test_an_event_puts_each_line_of_its_data_on_its_own_data_line() -> None:
    assert sse.event("tail-lines", "<a>1</a>\n<a>2</a>", id="tok:1") == (
        b"event: tail-lines\nid: tok:1\ndata: <a>1</a>\ndata: <a>2</a>\n\n"
    )


def test_every_line_end_the_format_knows_is_split_and_nothing_else() -> None:
    # \r and \r\n end a line for the browser too: left in, they would cut the data short.
    payload = sse.event("x", "a\rb\r\nc\u2028d")
    assert payload == "event: x\ndata: a\ndata: b\ndata: c\u2028d\n\n".encode()


def test_empty_data_and_no_id() -> None:
    assert sse.event("tail-end", "") == b"event: tail-end\ndata: \n\n"


def test_retry_and_heartbeat() -> None:
    assert sse.retry(1000) == b"retry: 1000\n\n"
    assert sse.HEARTBEAT.startswith(b":") and sse.HEARTBEAT.endswith(b"\n\n")
