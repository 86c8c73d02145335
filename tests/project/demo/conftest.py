"""Fixtures for the demo app: a seeded desk (small, fast) and a directory of demo logs."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from project.demo.logfiles import LogFileReport, write_demo_logs
from project.demo.seed import SeedResult, seed_demo

#: Small enough to keep each test fast, large enough for every kind of event to occur.
TEST_ENTRIES = 300


@pytest.fixture
def seeded(db: None) -> SeedResult:
    return seed_demo(entries=TEST_ENTRIES, logs=False)


@pytest.fixture(scope="module")
def log_now() -> datetime:
    return timezone.now()


@pytest.fixture(scope="module")
def demo_logs(
    tmp_path_factory: pytest.TempPathFactory, log_now: datetime
) -> tuple[Path, list[LogFileReport]]:
    """One demo log directory per test module; writing it needs no database."""
    log_dir = tmp_path_factory.mktemp("demo-logs") / "log"
    return log_dir, write_demo_logs(log_dir, random.Random(2026), log_now)
