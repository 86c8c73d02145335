from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from hypothesis import given
from hypothesis import strategies as st

from auditconsole.changes import (
    EMPTY_DISPLAY,
    EXTRA_KEY,
    NULL_DISPLAY,
    ChangeDescriber,
    FieldChange,
    change_summary,
    describe_change,
    display_value,
    extra_element,
    extra_message,
    mask_change_message,
    parse_changes,
)
from auditconsole.redaction import Redactor


def message(*elements: object) -> str:
    return json.dumps(list(elements))


EXTRA = {
    "auditconsole": {
        "message": "Approved by phone",
        "changes": [
            {"field": "name", "label": "Name", "old": "Ann", "new": "Anne"},
            {"field": "email", "label": "Email address", "old": None, "new": "a@example.com"},
        ],
    }
}


def test_parses_the_documented_format() -> None:
    changes = parse_changes(message({"changed": {"fields": ["Name", "Email address"]}}, EXTRA))
    assert changes == [
        FieldChange("name", "Name", "Ann", "Anne"),
        FieldChange("email", "Email address", None, "a@example.com"),
    ]
    assert changes[1].old_display == NULL_DISPLAY
    assert changes[1].new_display == "a@example.com"


def test_addition_format() -> None:
    extra = {
        "auditconsole": {
            "message": None,
            "changes": [{"field": "n", "label": "N", "old": None, "new": 1}],
        }
    }
    raw = message({"added": {}}, extra)
    assert parse_changes(raw) == [FieldChange("n", "N", None, 1)]
    assert extra_message(raw) is None


def test_extra_message() -> None:
    assert extra_message(message({"changed": {"fields": []}}, EXTRA)) == "Approved by phone"
    blank = {"auditconsole": {"message": "   ", "changes": []}}
    assert extra_message(message(blank)) is None
    assert extra_message(message({"auditconsole": {"message": 5}})) is None


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "Changed the name.",
        "[",
        "[not json",
        "[1, 2, 3]",
        "[null]",
        '[{"auditconsole": null}]',
        '[{"auditconsole": {"changes": "nope"}}]',
        '[{"auditconsole": {"changes": null}}]',
        '[{"changed": {"fields": ["Name"]}}]',
        "[" * 5000 + "]" * 5000,
    ],
)
def test_garbage_reads_as_no_changes(raw: str | None) -> None:
    assert parse_changes(raw) == []
    assert extra_message(raw) is None


def test_bad_rows_are_skipped_and_good_ones_kept() -> None:
    rows = [
        "not a row",
        {"label": "No field"},
        {"field": ""},
        {"field": 7},
        {"field": "status"},
        {"field": "plan", "label": "", "old": "free", "new": "team"},
    ]
    changes = parse_changes(message({"auditconsole": {"changes": rows}}))
    assert changes == [
        FieldChange("status", "status", None, None),
        FieldChange("plan", "plan", "free", "team"),
    ]


@given(st.text())
def test_parse_never_raises_on_any_text(raw: str) -> None:
    assert isinstance(parse_changes(raw), list)
    assert extra_message(raw) is None or isinstance(extra_message(raw), str)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=20,
    )
)
def test_parse_never_raises_on_any_json(value: object) -> None:
    raw = json.dumps([value, {"auditconsole": {"changes": [value]}}])
    assert isinstance(parse_changes(raw), list)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, NULL_DISPLAY),
        ("", EMPTY_DISPLAY),
        ("text", "text"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (2.5, "2.5"),
        ({"pk": "7", "repr": "Acme Ltd"}, "Acme Ltd (7)"),
        ({"pk": None, "repr": "Unsaved"}, "Unsaved"),
        ([{"pk": "1", "repr": "a"}, {"pk": "2", "repr": "b"}], "a (1), b (2)"),
        ([], "[]"),
        ({"b": 1, "a": [1, 2]}, '{"a":[1,2],"b":1}'),
    ],
)
def test_display_value(value: object, shown: str) -> None:
    assert display_value(value) == shown


def test_display_value_of_an_unexpected_type_is_its_text() -> None:
    assert display_value(("tuple",)) == "('tuple',)"


def entry(change_message: str, action: int = CHANGE) -> LogEntry:
    # Not saved: get_change_message() only reads the attribute.
    return LogEntry(change_message=change_message, action_flag=action)


def test_change_summary_is_the_admins_rendering() -> None:
    assert change_summary(entry(message({"changed": {"fields": ["Name", "Email"]}}))) == (
        "Changed Name and Email."
    )
    assert change_summary(entry(message({"added": {}}), ADDITION)) == "Added."
    assert change_summary(entry("Plain text")) == "Plain text"
    # Our extra element is invisible to the admin's rendering.
    assert (
        change_summary(entry(message({"changed": {"fields": ["Name"]}}, EXTRA))) == "Changed Name."
    )


@pytest.mark.parametrize(
    "raw",
    [
        "[null]",
        "[1]",
        '[{"changed": 5}]',
        '[{"added": {"name": "x"}}]',
        '[{"changed": {"fields": 3}}]',
    ],
)
def test_change_summary_survives_what_crashes_the_admin(raw: str) -> None:
    with pytest.raises((TypeError, KeyError, AttributeError)):
        entry(raw).get_change_message()
    assert change_summary(entry(raw)) == raw


def test_describe_change_parses_once_for_all_three() -> None:
    described = describe_change(entry(message({"changed": {"fields": ["Name"]}}, EXTRA)))
    assert described.summary == "Changed Name."
    assert described.message == "Approved by phone"
    assert [c.field for c in described.changes] == ["name", "email"]


def test_reads_what_the_writer_writes(superuser) -> None:
    """The reader (this module) and the writer (auditconsole.audit, issue 7) agree."""
    from auditconsole.audit import log_action
    from project.demo.models import Customer

    customer = Customer.objects.create(name="Acme", email="new@acme.example")
    entry = log_action(
        superuser,
        customer,
        CHANGE,
        "Customer called",
        changes={"email": ("old@acme.example", "new@acme.example"), "name": ("Acme Ltd", "Acme")},
    )
    described = describe_change(entry)
    assert described.summary == "Changed Email address and Name."
    assert described.message == "Customer called"
    assert described.changes == [
        FieldChange("email", "Email address", "old@acme.example", "new@acme.example"),
        FieldChange("name", "Name", "Acme Ltd", "Acme"),
    ]
    added = log_action(superuser, customer, ADDITION, changes={"name": (None, "Acme")})
    assert describe_change(added).summary == "Added."
    assert parse_changes(added.change_message)[0].old_display == NULL_DISPLAY
    # A model instance value, and a redacted secret.
    other = log_action(
        superuser, customer, CHANGE, changes={"owner": (None, superuser), "api_token": ("a", "b")}
    )
    owner, token = parse_changes(other.change_message)
    assert owner.new_display == f"root ({superuser.pk})"
    assert token.old == token.new == "********"


def test_a_page_describes_each_distinct_message_once(monkeypatch) -> None:
    calls: list[str] = []

    def counted(entry: LogEntry, redactor: Redactor | None = None):
        calls.append(entry.change_message)
        return describe_change(entry, redactor)

    monkeypatch.setattr("auditconsole.changes.describe_change", counted)
    describe = ChangeDescriber()
    text = message({"changed": {"fields": ["Name"]}}, EXTRA)
    first, again = describe(entry(text)), describe(entry(text))
    other = describe(entry("password=hunter2"))
    assert first is again and first == describe_change(entry(text))
    # Masked as describe_change masks, with the describer's own redactor.
    assert other.summary == "password=********"
    assert calls == [text, "password=hunter2"]


def test_pages_mask_secrets_the_way_exports_do(db) -> None:
    from django.contrib.admin.models import LogEntry

    from auditconsole.changes import describe_change

    message = (
        '[{"changed": {"fields": ["Api key", "Note"]}}, {"auditconsole": {"message": '
        '"rotated (api_key=abc123)", "changes": [{"field": "api_key", "label": "Api key", '
        '"old": "abc123", "new": "def456"}, {"field": "note", "label": "Note", '
        '"old": "token=xyz", "new": "fine"}]}}]'
    )
    described = describe_change(LogEntry(change_message=message))
    assert described.message == "rotated (api_key=********)"
    secret, note = described.changes
    assert (secret.old, secret.new) == ("********", "********")
    assert (note.old, note.new) == ("token=********", "fine")
    assert "abc123" not in repr(described)


# --- the format as one type: build, parse, mask ------------------------------------------

MASK = "********"


def stored(element: dict, admin_part: object = None) -> str:
    """A change message as the writer stores it: the admin's part, then ours."""
    return json.dumps([admin_part or {"changed": {"fields": []}}, element])


def test_built_changes_parse_back_as_the_same_changes() -> None:
    changes = [
        FieldChange("status", "Status", "open", "closed"),
        FieldChange("owner", "Owner", None, {"pk": "3", "repr": "Ann"}),
        FieldChange("tags", "Tags", [], ["vip", "eu"]),
        FieldChange("settings", "Settings", {"theme": "dark"}, {}),
    ]
    raw = stored(extra_element("Escalated", changes))
    assert parse_changes(raw) == changes
    assert extra_message(raw) == "Escalated"


@pytest.mark.parametrize("note", [None, ""])
def test_a_built_element_without_a_message_stores_null(note: str | None) -> None:
    element = extra_element(note, [FieldChange("n", "N", 1, 2)])
    assert element == {
        EXTRA_KEY: {"message": None, "changes": [{"field": "n", "label": "N", "old": 1, "new": 2}]}
    }
    assert extra_message(stored(element)) is None


def test_rows_round_trip_and_bad_rows_read_as_none() -> None:
    change = FieldChange("name", "Name", "Ann", "Anne")
    assert FieldChange.from_row(change.to_row()) == change
    assert FieldChange.from_row({"field": "name", "label": 3}) == FieldChange(
        "name", "name", None, None
    )
    for row in ("name", None, [], {"label": "Name"}, {"field": ""}, {"field": 7}):
        assert FieldChange.from_row(row) is None


@pytest.mark.parametrize(
    "raw",
    [
        "Changed the status.",
        json.dumps([{"changed": {"fields": ["Status"]}}]),
        json.dumps([{"added": {}}, {"auditconsole": {"message": "x"}}]),
        json.dumps({"auditconsole": {"changes": [{"field": "a"}]}}),
        "[" + json.dumps({"auditconsole": {"changes": [{"field": "a"}]}}),
        '["\\ud800"]',
        "[1e999999]",
    ],
)
def test_foreign_or_malformed_messages_have_no_changes(raw: str) -> None:
    assert parse_changes(raw) == []


def test_a_field_is_secret_by_its_name_or_its_label() -> None:
    assert FieldChange("password", "Word", "a", "b").is_secret
    assert FieldChange("pin", "Password", "a", "b").is_secret
    assert not FieldChange("note", "Note", "a", "b").is_secret


def test_masking_hides_a_secret_fields_values_and_secrets_inside_others() -> None:
    redactor = Redactor()
    assert FieldChange("pin", "Password", None, "1234").masked(redactor) == FieldChange(
        "pin", "Password", MASK, MASK
    )
    note = FieldChange("note", "Note", {"api_key": "k1", "a": 1}, "token=xyz, fine")
    assert note.masked(redactor) == FieldChange(
        "note", "Note", {"api_key": MASK, "a": 1}, f"token={MASK}, fine"
    )


def test_masking_twice_is_masking_once() -> None:
    redactor = Redactor()
    for change in (
        FieldChange("password", "Password", "a", "b"),
        FieldChange("note", "Note", ["Authorization: Bearer x"], {"token": "t"}),
        FieldChange("plain", "Plain", "a", "b"),
    ):
        once = change.masked(redactor)
        assert once.masked(redactor) == once


def test_the_stored_text_is_masked_structurally_then_as_text() -> None:
    redactor = Redactor()
    raw = stored(
        extra_element(
            "rotated",
            [
                FieldChange("pin", "Password", "1234", "5678"),
                FieldChange("note", "Note", "a", "b"),
            ],
        ),
        {"changed": {"fields": ["Password", "Note"]}, "token": "abc"},
    )
    masked = json.loads(mask_change_message(raw, redactor))
    assert masked[0] == {"changed": {"fields": ["Password", "Note"]}, "token": MASK}
    assert masked[1][EXTRA_KEY]["changes"] == [
        {"field": "pin", "label": "Password", "old": MASK, "new": MASK},
        {"field": "note", "label": "Note", "old": "a", "new": "b"},
    ]
    assert mask_change_message("Reset password=hunter2", redactor) == f"Reset password={MASK}"


def test_a_stored_secret_row_keeps_its_other_keys_and_gains_none() -> None:
    row = {"label": "Secret question", "old": "Rex", "extra": 1}
    raw = stored({EXTRA_KEY: {"changes": [row, "not a row"]}})
    (masked,) = json.loads(mask_change_message(raw, Redactor()))[1:]
    assert masked[EXTRA_KEY]["changes"] == [
        {"label": "Secret question", "old": MASK, "extra": 1},
        "not a row",
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "Changed the status.",
        "[not json",
        json.dumps([{"changed": {"fields": ["Status"]}}]),
        json.dumps([{EXTRA_KEY: {"changes": "nope"}}]),
        stored(extra_element(None, [FieldChange("status", "Status", "open", "closed")])),
    ],
)
def test_text_without_secrets_is_returned_as_the_same_string(raw: str) -> None:
    assert mask_change_message(raw, Redactor()) is raw


def test_what_the_writer_stores_needs_no_more_masking(superuser) -> None:
    from auditconsole.audit import log_action
    from project.demo.models import Customer

    customer = Customer.objects.create(name="Acme")
    entry = log_action(
        superuser,
        customer,
        CHANGE,
        changes={"api_token": ("a", "b"), "name": ("token=xyz", "Acme"), "pin": (1, 2)},
        labels={"pin": "Password"},
    )
    assert mask_change_message(entry.change_message, Redactor()) == entry.change_message
    assert [(c.old, c.new) for c in parse_changes(entry.change_message)] == [
        (MASK, MASK),
        (f"token={MASK}", "Acme"),
        (MASK, MASK),
    ]
