from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.utils import translation

from auditconsole.audit.messages import build_change_message, field_label
from auditconsole.changes import EXTRA_KEY
from project.demo.models import Customer, Ticket


def rendered(change_message: str | list[dict[str, Any]]) -> str:
    """What the admin's history page shows for a stored change_message."""
    stored = change_message if isinstance(change_message, str) else json.dumps(change_message)
    return LogEntry(change_message=stored).get_change_message()


def test_field_label_is_the_capitalised_verbose_name() -> None:
    assert field_label(Ticket, "resolution_note") == "Resolution note"
    assert field_label(Ticket(), "status") == "Status"


def test_field_label_of_unknown_names_and_reverse_relations_is_the_name() -> None:
    assert field_label(Ticket, "notify_customer") == "notify_customer"
    assert field_label(Customer, "tickets") == "tickets"


def test_field_label_is_stored_untranslated_like_the_admin() -> None:
    # User.email's verbose_name is gettext_lazy("email address"); the admin stores the
    # English text and translates it when it renders the message.
    with translation.override("de"):
        assert field_label(User, "email") == "Email address"


@pytest.mark.parametrize(
    ("action", "message", "changes", "stored", "shown"),
    [
        (CHANGE, "Escalated", None, "Escalated", "Escalated"),
        (DELETION, "Spam", None, "Spam", "Spam"),
        (ADDITION, "Imported", None, "Imported", "Imported"),
        (ADDITION, None, None, [{"added": {}}], "Added."),
        (CHANGE, None, None, "", ""),
        (CHANGE, None, {}, [], "No fields changed."),
        (CHANGE, "Touched", {}, "Touched", "Touched"),
        (DELETION, None, None, "", ""),
        (DELETION, None, {}, "", ""),
    ],
)
def test_without_changes_it_stores_what_the_admin_stores(
    action: int, message: str | None, changes: dict | None, stored: Any, shown: str
) -> None:
    result = build_change_message(Ticket(), action, message, changes)
    assert result == stored
    assert rendered(result) == shown


def test_changes_are_the_admin_list_plus_our_element() -> None:
    result = build_change_message(
        Ticket(), CHANGE, changes={"subject": ("Old", "New"), "status": ("open", "closed")}
    )
    assert result == [
        {"changed": {"fields": ["Subject", "Status"]}},
        {
            EXTRA_KEY: {
                "message": None,
                "changes": [
                    {"field": "subject", "label": "Subject", "old": "Old", "new": "New"},
                    {"field": "status", "label": "Status", "old": "open", "new": "closed"},
                ],
            }
        },
    ]
    assert rendered(result) == "Changed Subject and Status."


def test_an_addition_with_values_still_reads_added() -> None:
    result = build_change_message(Ticket(), ADDITION, changes={"subject": (None, "New")})
    assert result[0] == {"added": {}}
    assert result[1][EXTRA_KEY]["changes"] == [
        {"field": "subject", "label": "Subject", "old": None, "new": "New"}
    ]
    assert rendered(result) == "Added."


def test_message_and_changes_keep_the_admin_wording_and_carry_the_message() -> None:
    result = build_change_message(
        Ticket(), CHANGE, "Escalated by phone", {"priority": ("normal", "urgent")}
    )
    assert result[1][EXTRA_KEY]["message"] == "Escalated by phone"
    assert rendered(result) == "Changed Priority."


def test_labels_override_and_unknown_keys_keep_their_name() -> None:
    result = build_change_message(
        Ticket(),
        CHANGE,
        changes={"status": ("open", "closed"), "sla_breached": (False, True)},
        labels={"status": "Ticket state", "not_in_changes": "ignored"},
    )
    assert result[0] == {"changed": {"fields": ["Ticket state", "sla_breached"]}}
    assert [row["label"] for row in result[1][EXTRA_KEY]["changes"]] == [
        "Ticket state",
        "sla_breached",
    ]


def test_values_are_made_json_safe(acme: Customer, globex: Customer) -> None:
    result = build_change_message(Ticket(), CHANGE, changes={"customer": (acme, globex)})
    (row,) = result[1][EXTRA_KEY]["changes"]
    assert row["old"] == {"pk": str(acme.pk), "repr": "Acme"}
    assert row["new"] == {"pk": str(globex.pk), "repr": "Globex"}
    json.dumps(result, allow_nan=False)


def test_redacted_fields_store_the_placeholder_for_old_and_new(settings: Any) -> None:
    result = build_change_message(
        User(),
        CHANGE,
        changes={"password": ("pbkdf2$old", "pbkdf2$new"), "API_TOKEN": (None, "t0k3n")},
    )
    rows = result[1][EXTRA_KEY]["changes"]
    assert [(row["old"], row["new"]) for row in rows] == [("********",) * 2] * 2
    assert "pbkdf2" not in json.dumps(result)
    assert "t0k3n" not in json.dumps(result)
    # The admin's part still names the field: that it changed is not a secret.
    assert rendered(result) == "Changed Password and API_TOKEN."

    settings.AUDITCONSOLE_REDACT_KEYS = ["subject"]
    settings.AUDITCONSOLE_REDACTED_PLACEHOLDER = "[hidden]"
    result = build_change_message(Ticket(), CHANGE, changes={"Subject": ("a", "b")})
    assert result[1][EXTRA_KEY]["changes"][0]["old"] == "[hidden]"


def test_deletions_take_no_changes() -> None:
    with pytest.raises(ValueError, match="DELETION"):
        build_change_message(Ticket(), DELETION, changes={"subject": ("a", None)})


@pytest.mark.parametrize("action", [0, 4, "2"])
def test_unknown_action_flags_are_refused(action: Any) -> None:
    with pytest.raises(ValueError, match="ADDITION, CHANGE or DELETION"):
        build_change_message(Ticket(), action, "x")


def test_a_field_labelled_as_a_secret_and_pairs_in_values_are_masked_too() -> None:
    result = build_change_message(
        Ticket(),
        CHANGE,
        changes={"subject": ("a", "b"), "resolution_note": ("", "password=hunter2")},
        labels={"subject": "Secret"},
    )
    rows = result[1][EXTRA_KEY]["changes"]
    assert [(row["old"], row["new"]) for row in rows] == [
        ("********", "********"),
        ("", "password=********"),
    ]
    assert "hunter2" not in json.dumps(result)
