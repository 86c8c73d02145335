from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from auditconsole.sources.query import (
    FieldFilter,
    LogFilterForm,
    MergedFilterForm,
    Query,
    RepeatedTextInput,
)
from auditconsole.sources.records import Record

T0 = datetime(2026, 4, 4, 12, tzinfo=UTC)


def rec(**kwargs) -> Record:
    data = kwargs.pop("data", {})
    defaults = {
        "time": T0,
        "level": "INFO",
        "levelno": 20,
        "logger": "apps.billing",
        "message": "invoice sent",
        "fields": data,
        "raw": "",
    }
    defaults.update(kwargs)
    if not defaults["raw"]:
        defaults["raw"] = f'{{"message": "{defaults["message"]}"}}'
    return Record(data=data, **defaults)


def form(query: str) -> LogFilterForm:
    return LogFilterForm(QueryDict(query))


# -- field filters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "matches"),
    [
        ("user_id=14", 14, True),
        ("user_id=14", "14", True),
        ("user_id=14", 14.0, True),
        ("user_id=14", 15, False),
        ("user_id=x", 14, False),
        ("status=failed", "FAILED", True),
        ("status=failed", "ok", False),
        ("flag=true", True, True),
        ("flag=yes", True, True),
        ("flag=false", False, True),
        ("flag=true", False, False),
        ("gone=null", None, True),
        ("gone=", None, True),
        ("tags=b", ["a", "b"], True),
        ("obj=x", {"a": 1}, False),
    ],
)
def test_field_filter_typed_comparison(text: str, value, matches: bool) -> None:
    name = text.split("=")[0]
    assert FieldFilter.parse(text).matches(rec(data={name: value})) is matches


def test_nested_paths_negation_and_missing_fields() -> None:
    record = rec(data={"request_repr": {"method": "POST"}})
    assert FieldFilter.parse("request_repr.method=POST").matches(record)
    assert not FieldFilter.parse("request_repr.method!=POST").matches(record)
    assert FieldFilter.parse("status!=ok").matches(record)  # missing is "not ok"
    assert not FieldFilter.parse("status=ok").matches(record)
    f = FieldFilter.parse(" a.b != c ")
    assert (f.path, f.value, f.negate, f.name, str(f)) == (("a", "b"), "c", True, "a.b", "a.b!=c")


@pytest.mark.parametrize("text", ["novalue", "=x", "a..b=c", "bad name=1", ".a=1"])
def test_field_filter_parse_errors(text: str) -> None:
    with pytest.raises(ValueError):
        FieldFilter.parse(text)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("status=failed", b"failed"),
        ("user_id=14", b"14"),
        ("amount=14.0", None),
        ("code=014", None),
        ("flag=true", None),
        ("gone=null", None),
        ("status!=ok", None),
        ('q=say "hi"', None),
        ("name=café", None),
        ("x=***", None),  # inside the placeholder: only masked text could match
    ],
)
def test_field_filter_needles(text: str, needle) -> None:
    assert FieldFilter.parse(text).needle == needle


# -- queries --------------------------------------------------------------------------------


def test_evaluate_reports_facet_flags() -> None:
    query = Query(min_level=30, logger="apps.tickets")
    assert query.evaluate(rec()) == (False, False, False)  # fails level and logger
    assert query.evaluate(rec(logger="apps.tickets.views")) == (False, True, False)  # level only
    assert query.evaluate(rec(levelno=40)) == (False, False, True)  # logger only
    assert query.evaluate(rec(levelno=40, logger="apps.tickets.views")) == (True, True, True)
    assert Query(text="nope", min_level=30).evaluate(rec()) == (False, False, False)
    assert Query().evaluate(rec()) == (True, True, True)


def test_audit_minimum_keeps_audit_api_login_and_warnings() -> None:
    query = Query(min_level=21)
    kept = [
        lvl
        for lvl, no in [("INFO", 20), ("AUDIT", 21), ("API", 22), ("LOGIN", 23), ("WARNING", 30)]
        if query.matches(rec(level=lvl, levelno=no))
    ]
    assert kept == ["AUDIT", "API", "LOGIN", "WARNING"]


def test_text_substring_is_case_insensitive_and_regex_optional() -> None:
    assert Query(text="INVOICE").matches(rec())
    assert not Query(text="refund").matches(rec())
    assert Query(text=r"inv\w+ sent", regex=True).matches(rec())
    assert not Query(text=r"^sent", regex=True).matches(rec())
    assert Query(text="café").matches(rec(raw='{"message": "caf\\u00e9"}', message="café"))


def test_time_range_excludes_untimed_records() -> None:
    query = Query(since=T0 - timedelta(minutes=1), until=T0 + timedelta(minutes=1))
    assert query.matches(rec())
    assert not query.matches(rec(time=None))
    assert not Query(since=T0 + timedelta(seconds=1)).matches(rec())
    assert not Query(until=T0 - timedelta(seconds=1)).matches(rec())


def test_query_needle_picks_the_longest_safe_candidate() -> None:
    assert Query(text="Sent").needle == b"sent"
    assert Query(text="x", fields=(FieldFilter.parse("status=failed"),)).needle == b"failed"
    assert Query(text="a.*b", regex=True).needle is None
    assert Query(text="café").needle is None
    assert Query().needle is None
    assert not Query().is_filtered
    assert Query(logger="a").is_filtered


# -- the form -----------------------------------------------------------------------------


def test_form_to_query() -> None:
    f = form(
        "level=AUDIT&logger=apps.&q=boom&regex=1&since=2026-04-04T10:00&until=2026-04-04 11:00&field=user_id=14&field=status!=ok&field="
    )
    assert f.is_valid(), f.errors
    query = f.to_query()
    assert query.min_level == 21 and query.level_name == "AUDIT"
    assert (query.logger, query.text, query.regex) == ("apps.", "boom", True)
    assert query.since == timezone.make_aware(datetime(2026, 4, 4, 10))
    assert query.until == timezone.make_aware(datetime(2026, 4, 4, 11))
    assert [str(f) for f in query.fields] == ["user_id=14", "status!=ok"]
    assert f.field_values == ["user_id=14", "status!=ok", ""]


def test_relative_times() -> None:
    before = timezone.now()
    f = form("since=-15m&until=1m")
    assert f.is_valid(), f.errors
    query = f.to_query()
    assert (
        before - timedelta(minutes=15, seconds=5)
        < query.since
        <= timezone.now() - timedelta(minutes=15)
    )
    assert query.until > query.since
    assert (
        form("since=2h").is_valid() and form("since=7d").is_valid() and form("since=1w").is_valid()
    )


def test_empty_form_is_valid_and_unfiltered() -> None:
    f = form("")
    assert f.is_valid()
    assert f.to_query() == Query()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=LOUD", "level"),
        ("q=a(b&regex=1", "q"),
        ("q=" + "a" * 301 + "&regex=1", "q"),
        ("q=a%0Ab", "q"),
        ("since=yesterday", "since"),
        ("since=2026-04-05&until=2026-04-04", "until"),
        ("field=novalue", "field"),
        ("&".join(f"field=a{i}=1" for i in range(11)), "field"),
    ],
)
def test_bad_filters_are_form_errors(query: str, field: str) -> None:
    f = form(query)
    assert not f.is_valid()
    assert field in f.errors


def test_aware_since_is_kept_and_widgets_render() -> None:
    f = form("since=2026-04-04T10:00:00%2B02:00")
    assert f.is_valid()
    assert f.cleaned_data["since"] == datetime(2026, 4, 4, 8, tzinfo=UTC)
    assert 'name="field"' in str(f["field"]) and "value=" not in str(f["field"])


def test_repeated_input_reads_plain_dicts_too() -> None:
    widget = RepeatedTextInput()
    assert widget.value_from_datadict({"field": ["a=1", "b=2"]}, None, "field") == ["a=1", "b=2"]
    assert widget.value_from_datadict({"field": "a=1"}, None, "field") == ["a=1"]
    assert widget.value_from_datadict({}, None, "field") == []


def test_merged_form_requires_known_sources() -> None:
    choices = [("app", "Application"), ("api", "API")]
    good = MergedFilterForm(QueryDict("sources=app&sources=api"), source_choices=choices)
    assert good.is_valid(), good.errors
    assert not MergedFilterForm(QueryDict("sources=zzz"), source_choices=choices).is_valid()
    assert not MergedFilterForm(QueryDict(""), source_choices=choices).is_valid()
