"""Naming the users a trail stored by key, in one query per page."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError


def user_names(user_ids: Iterable[Any]) -> dict[Any, str]:
    """The user name of each stored key that names an existing user (a key of the wrong
    type, or of a user deleted since, is left out)."""
    model = get_user_model()
    wanted = set()
    for user_id in user_ids:
        if user_id is None or isinstance(user_id, bool):
            continue
        with contextlib.suppress(ValidationError, ValueError, TypeError):
            wanted.add(model._meta.pk.to_python(user_id))
    if not wanted:
        return {}
    return {user.pk: user.get_username() for user in model._default_manager.filter(pk__in=wanted)}
