"""A loopback ClickHouse HTTP endpoint that hands each query to chdb: the HTTP transport
tested against the real engine, not canned answers.

It speaks as much of ClickHouse's HTTP interface as clickhouse-connect uses: the query in
the body (and/or ``?query=``), ``param_*`` as server-side parameters, other parameters
as settings (``SET`` on a connection of its own, so ``readonly`` is really enforced),
``FORMAT`` at the end or ``default_format``, errors as a 500 whose body is the engine's
``Code: N. DB::Exception`` text. One request at a time, on the chdb engine the process
already has open (chdb allows any number of connections to its one directory).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import chdb

_FORMAT = re.compile(r"\bFORMAT\s+(\w+)\s*;?\s*$", re.IGNORECASE)
_SETTING = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Parameters the HTTP server itself consumes: not settings of the query.
_TRANSPORT = frozenset(
    {
        "query",
        "query_id",
        "session_id",
        "session_timeout",
        "session_check",
        "database",
        "default_format",
        "compress",
        "decompress",
        "enable_http_compression",
        "wait_end_of_query",
        "user",
        "password",
        "send_progress_in_http_headers",
        "http_headers_progress_interval_ms",
        "client_protocol_version",
        "buffer_size",
        "quota_key",
        "role",
        "cancel_http_readonly_queries_on_client_close",
    }
)
_SUMMARY = json.dumps(
    dict.fromkeys(("read_rows", "read_bytes", "written_rows", "result_rows"), "0")
)


def _handler(path: str, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.answer()

        def do_POST(self) -> None:
            self.answer()

        def log_message(self, format: str, *args: object) -> None:
            return

        def answer(self) -> None:
            params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            sql = "\n".join(part for part in (params.get("query", ""), body) if part)
            found = _FORMAT.search(sql)
            fmt = found.group(1) if found else params.get("default_format", "TabSeparated")
            if found:
                sql = sql[: found.start()]
            binds = {key[6:]: value for key, value in params.items() if key.startswith("param_")}
            settings = {
                key: value
                for key, value in params.items()
                if key not in _TRANSPORT and not key.startswith("param_") and _SETTING.match(key)
            }
            with lock:
                connection = chdb.connect(path)
                try:
                    for key, value in settings.items():
                        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
                        connection.query(f"SET {key} = '{escaped}'")
                    data = connection.query(sql, fmt, params=binds).bytes()
                except Exception as exc:  # the engine's error, as a server sends it
                    self.fail(str(exc))
                    return
                finally:
                    connection.close()
            self.send_response(200)
            self.send_header("X-ClickHouse-Format", fmt)
            self.send_header("X-ClickHouse-Timezone", "UTC")
            self.send_header("X-ClickHouse-Summary", _SUMMARY)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def fail(self, text: str) -> None:
            code = re.search(r"Code: (\d+)", text)
            payload = text.encode()
            self.send_response(500)
            self.send_header("X-ClickHouse-Exception-Code", code.group(1) if code else "1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextmanager
def serving(path: str) -> Iterator[int]:
    """Serve the chdb directory ``path`` over HTTP on a free loopback port (yielded)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(path, threading.Lock()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
