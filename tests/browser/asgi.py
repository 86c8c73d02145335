"""The standalone project served over ASGI by a real uvicorn, for the pushed-tail tests.

:class:`AsgiServer` runs ``uvicorn project.asgi:application`` on loopback (settings:
tests/browser/asgi_settings.py) and can be killed and started again on the same port, as a
crash and restart would. :class:`Proxy` sits between Chromium and it, so a test can cut
every open connection at once (a dropped network) without touching the server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from tests.project.test_development_walk import DevServer, manage, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.browser.asgi_settings"
PASSWORD = "stream-pw-1"


def environment(var_dir: Path, log: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AUDITCONSOLE_"))}
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    return {
        **env,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "AUDITCONSOLE_VAR_DIR": str(var_dir),
        "TAIL_TEST_LOG": str(log),
        "PYTHONUNBUFFERED": "1",
    }


class AsgiServer:
    def __init__(self, var_dir: Path, log: Path, port: int) -> None:
        self.env = environment(var_dir, log)
        self.port = port
        self.output = var_dir / "uvicorn.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self, *usernames: str) -> None:
        """Migrate, and create these superusers (password :data:`PASSWORD`)."""
        manage("migrate", "--noinput", env=self.env)
        create = "; ".join(
            f"User.objects.create_superuser({name!r}, '{name}@example.com', {PASSWORD!r})"
            for name in usernames
        )
        manage(
            "shell", "-c", f"from django.contrib.auth.models import User; {create}", env=self.env
        )

    def start(self, timeout: float = 60) -> None:
        with self.output.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "project.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--timeout-graceful-shutdown",
                    "1",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(DevServer(url=self.url, log=self.output), self.process, timeout)

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


class Proxy:
    """A loopback TCP relay whose open connections can all be cut at once."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            except OSError:
                client.close()  # the server is down: the browser sees a refused connection
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(src, dst)

    def _drop(self, *pair: socket.socket) -> None:
        for sock in pair:
            with self.lock:
                self.sockets.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> None:
        """Drop every connection open now, as a network failure would."""
        with self.lock:
            open_now = list(self.sockets)
        self._drop(*open_now)

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        self.cut()
