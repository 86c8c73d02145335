"""How hard the property tests look: quick in ``make test``, deep at night.

``AUDITCONSOLE_FUZZ=nightly`` multiplies every budget (and loads the ``nightly`` profile
registered in ``tests/conftest.py`` for the rest of the suite's property tests).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

NIGHTLY = os.environ.get("AUDITCONSOLE_FUZZ", "").lower() == "nightly"
NIGHTLY_FACTOR = 100


def fuzz(examples: int) -> settings:
    """Settings for one property test: ``examples`` by default, far more at night."""
    return settings(
        max_examples=examples * NIGHTLY_FACTOR if NIGHTLY else examples,
        deadline=None,  # a loaded CI machine must not turn slowness into failures
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=not NIGHTLY,  # the quick run is reproducible; the nightly one explores
        database=None,
    )
