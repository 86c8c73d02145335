"""Real services for the test suite: installs and runs them, on loopback only.

    python -m tests.services ensure              # apt-get install postgresql chromium if missing (root only)
    python -m tests.services postgres -- CMD...  # run CMD with DATABASE_URL pointing at a throwaway server

A missing service is announced loudly. Outside CI the PostgreSQL pass is then skipped; when
``CI=true`` it is a failure, because a green run that silently skipped the real database
would prove nothing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
APT_PACKAGES = ("postgresql", "chromium")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def loud(message: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n!! {message}\n{bar}\n", file=sys.stderr, flush=True)


def pg_bindir() -> Path | None:
    """The newest installed PostgreSQL server's bin directory (Debian layout or PATH)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def ensure() -> int:
    """Install what the suite needs when it is missing and we are allowed to."""
    missing = []
    if pg_bindir() is None:
        missing.append("postgresql")
    if not os.path.exists(CHROMIUM):
        missing.append("chromium")
    if not missing:
        return 0
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        loud(f"Missing {', '.join(missing)} and cannot install (not root or no apt-get).")
        return 1 if in_ci() else 0
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"Installing {' '.join(missing)} with apt-get ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    result = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=False,
        env=env,
    )
    if result.returncode != 0:
        loud(f"apt-get install {' '.join(missing)} failed.")
        return 1 if in_ci() else 0
    return 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; Debian's package provides the postgres user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throwaway server in a temporary directory; yield its DATABASE_URL."""
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found")
    root = Path(tempfile.mkdtemp(prefix="auditconsole-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    run = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            **run,
        )
        # Durability is pointless for a throwaway test server; these make it several times faster.
        # No autovacuum: an ANALYZE in the middle of the suite would give the planner statistics
        # that the query-plan tests assume a fresh database lacks (tests/activity/test_query_plans.py).
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            "-c autovacuum=off"
        )
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(root / "server.log"),
                    "-w",
                    "start",
                ]
            ),
            **run,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
                ),
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)


def run_with_postgres(command: list[str]) -> int:
    try:
        with postgres_server() as url:
            print(f"PostgreSQL test server: {url}", flush=True)
            return subprocess.run(
                command, env={**os.environ, "DATABASE_URL": url}, check=False
            ).returncode
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        loud(
            f"PostgreSQL unavailable, the PostgreSQL pass is SKIPPED: {exc} {detail.decode(errors='replace')}"
        )
        return 1 if in_ci() else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["ensure"]:
        return ensure()
    if argv[:1] == ["postgres"] and "--" in argv:
        return run_with_postgres(argv[argv.index("--") + 1 :])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
