from __future__ import annotations

import datetime
import enum
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from auditconsole.audit.values import json_safe
from project.demo.models import Customer, Ticket


class Colour(enum.IntEnum):
    RED = 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (False, False),
        (42, 42),
        (1.5, 1.5),
        ("text", "text"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (datetime.date(2026, 4, 4), "2026-04-04"),
        (
            datetime.datetime(2026, 4, 4, 12, 34, 56, 789, tzinfo=datetime.UTC),
            "2026-04-04T12:34:56.000789+00:00",
        ),
        (datetime.time(12, 30), "12:30:00"),
        (Decimal("120.50"), "120.50"),
        (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
        ([1, Decimal("2.0")], [1, "2.0"]),
        ((1, 2), [1, 2]),
        ({3, 1, 2}, [1, 2, 3]),
        (frozenset({"b", "a"}), ["a", "b"]),
        (datetime.timedelta(days=1), "1 day, 0:00:00"),
        (gettext_lazy("Hello"), "Hello"),
        (b"raw", "b'raw'"),
    ],
)
def test_json_safe_converts_each_type(value: Any, expected: Any) -> None:
    assert json_safe(value) == expected


def test_str_subclasses_become_plain_strings() -> None:
    for value in (Ticket.Status.CLOSED, mark_safe("<b>x</b>")):
        result = json_safe(value)
        assert type(result) is str
    assert json_safe(Ticket.Status.CLOSED) == "closed"


def test_int_subclasses_become_plain_ints() -> None:
    assert type(json_safe(Colour.RED)) is int
    assert json_safe(Colour.RED) == 1


def test_model_instance_is_pk_and_repr(acme: Customer) -> None:
    assert json_safe(acme) == {"pk": str(acme.pk), "repr": "Acme"}
    assert json_safe(Customer(name="Unsaved")) == {"pk": None, "repr": "Unsaved"}


def test_queryset_of_instances_is_a_list(acme: Customer, globex: Customer) -> None:
    assert json_safe(Customer.objects.order_by("name")) == [
        {"pk": str(acme.pk), "repr": "Acme"},
        {"pk": str(globex.pk), "repr": "Globex"},
    ]
    assert json_safe(Group.objects.none()) == []


def test_nested_mapping_keys_are_redacted() -> None:
    value = {"user": "ann", "API_Token": "abc", "nested": {"password": "pw", "n": 1}}
    assert json_safe(value) == {
        "user": "ann",
        "API_Token": "********",
        "nested": {"password": "********", "n": 1},
    }


def test_redaction_follows_the_settings(settings: Any) -> None:
    settings.AUDITCONSOLE_REDACT_KEYS = ["IBAN"]
    settings.AUDITCONSOLE_REDACTED_PLACEHOLDER = "[hidden]"
    assert json_safe({"Iban": "DE00", "password": "pw"}) == {"Iban": "[hidden]", "password": "pw"}


json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.decimals()
    | st.dates()
    | st.datetimes()
    | st.uuids(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
        | st.frozensets(st.integers(), max_size=4)
    ),
    max_leaves=12,
)


@given(json_like)
def test_any_value_becomes_strict_json(value: Any) -> None:
    encoded = json.dumps(json_safe(value), allow_nan=False)
    # And stays stable: converting what was read back changes nothing.
    decoded = json.loads(encoded)
    assert json_safe(decoded) == decoded
