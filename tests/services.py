"""Real services for the test suite: installs and runs them, on loopback only.

    python -m tests.services ensure              # apt-get install postgresql chromium if missing (root only)
    python -m tests.services postgres -- CMD...  # run CMD with DATABASE_URL pointing at a throwaway server
    python -m tests.services python 3.12         # print the newest Python >= 3.12 that runs, if any

A missing service is announced loudly. Outside CI the PostgreSQL pass is then skipped; when
``CI=true`` it is a failure, because a green run that silently skipped the real database
would prove nothing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
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


def _python_candidates(minimum: tuple[int, int]) -> list[tuple[tuple[int, int], str]]:
    """``python3.N`` on PATH and the interpreters pyenv installed, newest first, as their
    names tell. pyenv's shims are on PATH too, but fail unless their version is the
    selected one: its own copies are what is left then."""
    named = []  # (the part that names the version, path)
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        for path in glob.glob(os.path.join(directory or ".", "python3.*")):
            named.append((os.path.basename(path), path))
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for path in glob.glob(os.path.join(pyenv_root, "versions", "3.*", "bin", "python3")):
        named.append(("python" + Path(path).parent.parent.name, path))
    candidates = []
    for name, path in named:
        match = re.fullmatch(r"python3\.(\d+)(\.\d+)?", name)
        version = (3, int(match.group(1))) if match else None
        if version and version >= minimum and os.access(path, os.X_OK):
            candidates.append((version, path))
    return sorted(candidates, key=lambda item: item[0], reverse=True)


def _runs(python: str) -> bool:
    """Whether ``python`` starts and can make a virtualenv."""
    try:
        result = subprocess.run(
            [python, "-c", "import venv"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def newest_python(minimum: tuple[int, int]) -> str | None:
    """The newest interpreter at least ``minimum`` that runs (Django 6.x needs 3.12), or None."""
    for _, path in _python_candidates(minimum):
        if _runs(path):
            return path
    return None


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
    run = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
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
    if argv[:1] == ["python"] and len(argv) == 2:
        major, _, minor = argv[1].partition(".")
        python = newest_python((int(major), int(minor or 0)))
        if python is None:
            return 1
        print(python)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
