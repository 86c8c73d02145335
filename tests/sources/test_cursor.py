from __future__ import annotations

import pytest
from django.core import signing

from auditconsole.sources import cursor


def test_round_trip_is_bound_to_kind_and_scope() -> None:
    token = cursor.dumps(cursor.PAGE, "app", {"app.log": ["app.log", 1, 2, 300, None]})
    assert cursor.loads(cursor.PAGE, "app", token) == {"app.log": ["app.log", 1, 2, 300, None]}
    with pytest.raises(cursor.InvalidCursor, match="another source"):
        cursor.loads(cursor.PAGE, "api", token)
    with pytest.raises(cursor.InvalidCursor):
        cursor.loads(cursor.TAIL, "app", token)  # another salt


@pytest.mark.parametrize("token", ["", "garbage", "x" * 5000, "a:b:c", None])
def test_garbage_is_refused(token) -> None:
    with pytest.raises(cursor.InvalidCursor):
        cursor.loads(cursor.PAGE, "app", token)


def test_tampered_token_is_refused() -> None:
    token = cursor.dumps(cursor.REF, "app", ["app.log", 1, 2, 3, 4])
    value, signature = token.rsplit(":", 1)
    forged = signing.b64_encode(b'["app",["app.log",1,2,0,0]]').decode() + ":" + signature
    with pytest.raises(cursor.InvalidCursor):
        cursor.loads(cursor.REF, "app", forged)
    with pytest.raises(cursor.InvalidCursor):
        cursor.loads(cursor.REF, "app", value + ":" + signature[::-1])


def test_payload_shape_is_checked_even_when_signed() -> None:
    token = signing.dumps({"not": "a list"}, salt="auditconsole.sources.cursor.page")
    with pytest.raises(cursor.InvalidCursor):
        cursor.loads(cursor.PAGE, "app", token)


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown cursor kind"):
        cursor.dumps("other", "app", 1)
