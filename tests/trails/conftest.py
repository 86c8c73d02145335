from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.trailapp.models import Supplier


@pytest.fixture
def save_as() -> Callable[..., Supplier]:
    """Save a supplier the way a request by ``user`` would (simple-history's user hook)."""

    def save(supplier: Supplier, user: User | None, reason: str | None = None, **values: Any):
        for name, value in values.items():
            setattr(supplier, name, value)
        supplier._history_user = user  # type: ignore[attr-defined]
        supplier._change_reason = reason  # type: ignore[attr-defined]
        supplier.save()
        return supplier

    return save


@pytest.fixture
def supplier_reader(make_user: Callable[..., User]) -> User:
    """Console permissions and view permission on suppliers only."""
    return make_user("reader", console_perms=None, perms=("trailapp.view_supplier",))
