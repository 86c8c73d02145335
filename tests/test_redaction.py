from __future__ import annotations

import copy

import pytest

from auditconsole.redaction import (
    Redactor,
    is_sensitive,
    might_contain_secrets,
    redact,
    redact_text,
)

MASK = "********"


def test_defaults_mask_the_usual_secrets_at_any_depth() -> None:
    record = {
        "password": "hunter2",
        "user": {"name": "ann", "api_key": "k-1", "profile": {"SESSION_ID": "s"}},
        "request_repr": {
            "headers": {"Authorization": "Bearer abc", "Cookie": "sessionid=x", "Accept": "*/*"},
            "body": {"new_password": "p", "card_token": "tok"},
        },
        "items": [{"secret": 1}, {"ok": 2}],
        "status": "paid",
    }
    masked = redact(record)
    assert masked["password"] == MASK
    assert masked["user"] == {"name": "ann", "api_key": MASK, "profile": {"SESSION_ID": MASK}}
    assert masked["request_repr"]["headers"] == {
        "Authorization": MASK,
        "Cookie": MASK,
        "Accept": "*/*",
    }
    assert masked["request_repr"]["body"] == {"new_password": MASK, "card_token": MASK}
    assert masked["items"] == [{"secret": MASK}, {"ok": 2}]
    assert masked["status"] == "paid"


def test_never_mutates_and_returns_the_same_object_when_nothing_is_masked() -> None:
    record = {"a": [1, {"b": "c"}], "password": "x"}
    before = copy.deepcopy(record)
    redact(record)
    assert record == before
    clean = {"a": [1, {"b": "c"}], "t": ("x",)}
    assert redact(clean) is clean
    assert redact("plain") == "plain"
    assert redact(42) == 42


def test_headers_as_pairs_and_as_strings() -> None:
    headers = [["Authorization", "Bearer abc"], ("X-Api-Key", "k"), ["Accept", "json"]]
    assert redact({"headers": headers})["headers"] == [
        ["Authorization", MASK],
        ("X-Api-Key", MASK),
        ["Accept", "json"],
    ]
    as_strings = ["Authorization: Bearer abc.def", "Accept: json", "cookie: a=b"]
    assert redact(as_strings) == ["Authorization: " + MASK, "Accept: json", "cookie: " + MASK]
    assert redact(("Accept: json",)) == ("Accept: json",)
    assert redact((["Token", "x"],)) == (["Token", MASK],)
    assert redact([("token", "x")]) == [("token", MASK)]


def test_free_text_inside_strings_is_masked_too() -> None:
    record = {"path": "/reset?token=abc123&next=/", "message": "login with password=hunter2 failed"}
    masked = redact(record)
    assert masked["path"] == f"/reset?token={MASK}&next=/"
    assert masked["message"] == f"login with password={MASK} failed"
    same = {"message": "token refreshed"}  # mentions a key, holds no secret
    assert redact(same) is same


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password=hunter2 ok", f"password={MASK} ok"),
        ('{"token": "abc", "x": 1}', f'{{"token": "{MASK}", "x": 1}}'),
        ("Authorization: Bearer abc.def.ghi", f"Authorization: {MASK}"),
        ("secret='s p a c e'", f"secret='{MASK}'"),
        ('"api_key":"a\\"b"', f'"api_key":"{MASK}"'),
        ("nothing to hide", "nothing to hide"),
        ("", ""),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A pair as the value of another pair: the exception line of a traceback.
        ("ConnectionError: token=abc123 refused", f"ConnectionError: token={MASK} refused"),
        ("Error: password=hunter2", f"Error: password={MASK}"),
        ('detail: "password=x"', f'detail: "password={MASK}"'),
        ("a=token=abc", f"a=token={MASK}"),
        ("KeyError: 'missing'", "KeyError: 'missing'"),
    ],
)
def test_a_pair_inside_a_pair_value_is_masked(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_configurable_keys_and_placeholder(settings) -> None:
    settings.AUDITCONSOLE_REDACT_KEYS = ["ssn"]
    settings.AUDITCONSOLE_REDACTED_PLACEHOLDER = "[hidden]"
    assert redact({"SSN": "1", "password": "p"}) == {"SSN": "[hidden]", "password": "p"}
    assert redact_text("ssn=123") == "ssn=[hidden]"
    assert redact({"x": 1}, keys=["x"], placeholder="-") == {"x": "-"}
    assert redact_text("x=1", keys=[]) == "x=1"


def test_is_sensitive() -> None:
    assert is_sensitive("X-CSRFToken")
    assert not is_sensitive("status")
    assert not is_sensitive(14)
    assert is_sensitive("pin", keys=["PIN"])


def test_byte_prefilter_for_whole_lines() -> None:
    assert might_contain_secrets(b'{"X-Api-Key": "k"}')
    assert might_contain_secrets(b'{"msg": "PASSWORD reset"}')
    assert not might_contain_secrets(b'{"msg": "hello", "status": "ok"}')
    # JSON may write a non-ASCII key name escaped: bytes cannot rule it out
    assert Redactor(keys=["mot_de_passe", "clé"]).might_contain_secrets(b"anything")
    assert not Redactor(keys=[]).might_contain_secrets(b'{"password": "x"}')


def test_key_verdicts_are_cached_but_bounded() -> None:
    from auditconsole import redaction

    for n in range(redaction._MAX_KEY_VERDICTS + 5):
        is_sensitive(f"field_{n}")
    assert len(redaction._KEY_VERDICTS) <= redaction._MAX_KEY_VERDICTS
    assert is_sensitive("session_id") and not is_sensitive("field_1")
