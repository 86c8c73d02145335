from __future__ import annotations

import datetime

import pytest

from auditconsole.trails.positions import Position

MOMENT = datetime.datetime(2026, 3, 4, 14, 23, 1, 123456, tzinfo=datetime.UTC)


def test_a_position_round_trips() -> None:
    position = Position(MOMENT, "history", (7, 12345))
    token = position.encode()
    assert token == "2026-03-04T14:23:01.123456Z~history~7.12345"
    assert Position.decode(token) == position


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "2026-03-04T14:23:01Z~~1",
        "2026-03-04T14:23:01Z~admin~x",
        "2026-03-04T14:23:01Z~admin~1~2",
        "2026-13-04T14:23:01Z~admin~1",
        "2026-03-04T14:23:01~admin~1",
        "nonsense~admin~1",
        "2026-03-04T14:23:01Z~admin~" + "9" * 19,
        "x" * 200,
    ],
)
def test_a_bad_token_is_a_value_error(token: str) -> None:
    with pytest.raises(ValueError):
        Position.decode(token)
