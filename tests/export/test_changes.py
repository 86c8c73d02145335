"""The change columns of a LogEntry export: words and raw text, secrets masked."""

from __future__ import annotations

import json

import pytest

from auditconsole.export.changes import ChangeRenderer
from tests.activity.entries import auditconsole_message

MASK = "********"


@pytest.fixture
def renderer() -> ChangeRenderer:
    return ChangeRenderer()


def test_admin_wording_note_and_diff(renderer):
    message = auditconsole_message(
        [
            {
                "field": "email",
                "label": "Email address",
                "old": "a@x.example",
                "new": "b@x.example",
            },
            {"field": "tags", "label": "Tags", "old": [], "new": ["vip", "eu"]},
        ],
        note="Customer called",
    )
    cells = renderer.cells(message)
    assert cells.rendered == (
        "Changed Email address and Tags. — Customer called — "
        "Email address: a@x.example → b@x.example; Tags: [] → vip, eu"
    )
    assert cells.raw == message  # nothing to mask: exported byte for byte


def test_plain_text_and_empty_messages(renderer):
    assert renderer.cells("Approved access request").rendered == "Approved access request"
    assert renderer.cells("").rendered == ""
    assert renderer.cells(None).raw == ""


def test_sensitive_fields_are_masked_in_both_columns(renderer):
    message = auditconsole_message(
        [
            {"field": "password", "label": "Password", "old": "hunter1", "new": "hunter2"},
            {
                "field": "settings",
                "label": "Settings",
                "old": {"api_key": "k1", "theme": "dark"},
                "new": {},
            },
        ]
    )
    cells = renderer.cells(message)
    assert "hunter" not in cells.rendered and "hunter" not in cells.raw
    assert "k1" not in cells.rendered and "k1" not in cells.raw
    assert f"Password: {MASK} → {MASK}" in cells.rendered
    assert '"theme": "dark"' in cells.raw
    raw = json.loads(cells.raw)
    assert raw[1]["auditconsole"]["changes"][0]["old"] == MASK


def test_secrets_in_free_text_are_masked(renderer):
    cells = renderer.cells("Reset password=hunter2 for the customer")
    assert cells.rendered == f"Reset password={MASK} for the customer"
    assert cells.raw == f"Reset password={MASK} for the customer"


def test_json_with_secret_keys_outside_our_element(renderer):
    message = json.dumps([{"changed": {"fields": ["Token"]}}, {"token": "abc123"}])
    assert "abc123" not in renderer.cells(message).raw


def test_already_masked_rows_are_left_as_written(renderer):
    message = auditconsole_message(
        [{"field": "password", "label": "Password", "old": MASK, "new": MASK}]
    )
    assert renderer.cells(message).raw == message


def test_garbage_is_exported_as_text(renderer):
    for message in (
        "[not json",
        '[null, 5, "x"]',
        '[{"auditconsole": {"changes": "nope"}}]',
        '[{"auditconsole": {"changes": [5, {"field": "name", "old": 1, "new": 2}]}}]',
    ):
        assert renderer.cells(message).raw == message


def test_the_cache_is_bounded():
    renderer = ChangeRenderer(cache_size=2)
    for text in ("a", "b", "c", "a"):
        assert renderer.cells(text).rendered == text
    assert len(renderer._cache) <= 2
