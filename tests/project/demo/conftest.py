"""Fixtures for the demo app: a seeded desk (small, fast) and a directory of demo logs."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from project.demo.logfiles import LogFileReport, write_demo_logs
from project.demo.seed import SeedResult, seed_demo

#: Small enough to keep each test fast, large enough for every kind of event to occur.
TEST_ENTRIES = 300
#: The demo's story depends on "now" (events after it are not written, office hours are
#: local), so a desk seeded at the wall clock holds some rare events only at some hours:
#: CI failed twice on that. A fixed instant makes what a desk holds a property of the seed.
SEED_NOW = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def seeded(db: None) -> SeedResult:
    return seed_demo(entries=TEST_ENTRIES, logs=False, now=SEED_NOW)


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
