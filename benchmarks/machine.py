"""What the figures were measured on: cores, memory, versions, and how busy it was."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("Django", "django-import-export", "tablib", "django-filter", "gunicorn", "psycopg")


def cpu_model(cpuinfo: str) -> str:
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            return value.strip()
    return platform.processor() or "unknown CPU"


def memory_gib(meminfo: str) -> float | None:
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def tool_version(argv: list[str]) -> str:
    """First line of ``tool --version``, or "not installed"."""
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    return (
        (result.stdout or result.stderr).strip().splitlines()[0]
        if result.returncode == 0
        else "not installed"
    )


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f} (1, 5, 15 min)"


def describe() -> dict[str, str]:
    """The machine, as rows of the note's "Machine" table."""
    memory = memory_gib(_read("/proc/meminfo"))
    rows = {
        "CPU": f"{os.cpu_count()} cores, {cpu_model(_read('/proc/cpuinfo'))}",
        "Memory": f"{memory:.1f} GiB" if memory else "unknown",
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "SQLite": sqlite3.sqlite_version,
    }
    for package in PACKAGES:
        try:
            rows[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            rows[package] = "not installed"
    rows["grep"] = tool_version(["grep", "--version"])
    rows["tail"] = tool_version(["tail", "--version"])
    rows["Chromium"] = tool_version(["/usr/bin/chromium", "--version"])
    try:
        # benchmarks/export.py's yardstick, to compare machines (and loads) with its figures.
        from benchmarks.export import python_speed
    except ImportError:
        pass
    else:
        rows["Python speed"] = f"{python_speed():.2f} s of CPU for an empty 10M-iteration loop"
    return rows
