from __future__ import annotations

import pytest

from auditconsole.activity.ordering import DEFAULT_SORT, resolve_sort


@pytest.mark.parametrize(
    ("raw", "alias", "ordering", "keyset"),
    [
        (None, "-time", ("-action_time", "-id"), True),
        ("", "-time", ("-action_time", "-id"), True),
        ("-time", "-time", ("-action_time", "-id"), True),
        ("time", "time", ("action_time", "id"), True),
        ("user", "user", ("user__username", "-action_time", "-id"), False),
        ("-user", "-user", ("-user__username", "-action_time", "-id"), False),
        ("action", "action", ("action_flag", "-action_time", "-id"), False),
        (
            "-content_type",
            "-content_type",
            ("-content_type__app_label", "-content_type__model", "-action_time", "-id"),
            False,
        ),
        ("object", "object", ("object_repr", "-action_time", "-id"), False),
        ("password", "-time", ("-action_time", "-id"), True),
        ("--time", "-time", ("-action_time", "-id"), True),
        ("change", "-time", ("-action_time", "-id"), True),
    ],
)
def test_sorts_are_allow_listed_and_deterministic(raw, alias, ordering, keyset) -> None:
    sort = resolve_sort(raw)
    assert (sort.alias, sort.ordering, sort.keyset) == (alias, ordering, keyset)
    # Whatever the column, rows never swap places between requests.
    assert sort.ordering[-1] in ("id", "-id")


def test_default_is_newest_first() -> None:
    assert DEFAULT_SORT == "-time"
    assert resolve_sort(None).descending
    assert not resolve_sort("time").descending
