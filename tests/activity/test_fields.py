from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django import forms
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from auditconsole.activity.fields import (
    ActionField,
    ContentTypeField,
    DateBoundField,
    DateBoundInput,
    UserField,
    content_type_key,
    local_input_value,
    parse_datetime_lenient,
)
from project.demo.models import Ticket
from tests.activity.entries import content_type

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("1", "addition"),
        ("2", "change"),
        ("3", "deletion"),
        ("addition", "addition"),
        (" Change ", "change"),
        ("DELETION", "deletion"),
        ("", ""),
    ],
)
def test_action_field_reads_numbers_and_names(raw: str, name: str) -> None:
    assert ActionField().clean(raw) == name


@pytest.mark.parametrize("raw", ["0", "4", "add", "x" * 500, "-1"])
def test_action_field_rejects_the_rest(raw: str) -> None:
    with pytest.raises(forms.ValidationError):
        ActionField().clean(raw)


def test_action_field_shows_a_number_as_its_name() -> None:
    field = ActionField()
    assert field.prepare_value("2") == "change"
    assert field.prepare_value(None) is None


@pytest.fixture
def ticket_type(db) -> ContentType:
    return content_type(Ticket)


def test_content_type_field_by_id_or_natural_key(ticket_type) -> None:
    field = ContentTypeField(queryset=ContentType.objects.all(), required=False)
    assert field.clean(str(ticket_type.pk)) == ticket_type
    assert field.clean("demo.ticket") == ticket_type
    assert field.clean("demo.Ticket") == ticket_type
    assert field.clean("") is None


@pytest.mark.parametrize(
    "raw", ["demo.nope", "nope.ticket", ".", "abc", "99999999999999999999999", "-3"]
)
def test_content_type_field_rejects_unknown(ticket_type, raw: str) -> None:
    field = ContentTypeField(queryset=ContentType.objects.all())
    with pytest.raises(forms.ValidationError):
        field.clean(raw)


def test_content_type_outside_the_queryset_is_unknown(ticket_type) -> None:
    field = ContentTypeField(queryset=ContentType.objects.filter(app_label="auth"))
    for raw in (str(ticket_type.pk), "demo.ticket"):
        with pytest.raises(forms.ValidationError, match="Select a valid choice"):
            field.clean(raw)


def test_content_type_field_options_use_the_natural_key(ticket_type) -> None:
    field = ContentTypeField(queryset=ContentType.objects.filter(pk=ticket_type.pk))
    assert content_type_key(ticket_type) == "demo.ticket"
    assert field.prepare_value(ticket_type) == "demo.ticket"
    assert field.prepare_value(str(ticket_type.pk)) == "demo.ticket"
    assert field.prepare_value("999999") == "999999"
    assert field.prepare_value("demo.ticket") == "demo.ticket"
    # The blank option's label is Django's ("---------" up to 5.2, "- Select an option -" from 6.1).
    assert [label for _, label in field.choices] == [field.empty_label, str(ticket_type)]


def test_user_field_accepts_any_user_but_offers_staff(make_user) -> None:
    staff = make_user("zed")
    customer = make_user("customer", staff=False)
    field = UserField()
    assert field.clean(str(customer.pk)) == customer
    assert [label for _, label in field.choices][1:] == ["zed"]
    # The selected non-staff user is offered too, so the form shows the selection.
    field.prepare_value(str(customer.pk))
    assert [label for _, label in field.choices][1:] == ["customer", "zed"]
    assert staff.pk in [int(str(value)) for value, _ in list(field.choices)[1:]]


@pytest.mark.parametrize("raw", ["abc", "0", "999999", "99999999999999999999999", "1.5"])
def test_user_field_rejects_unknown(db, raw: str) -> None:
    with pytest.raises(forms.ValidationError):
        UserField().clean(raw)


def test_user_field_ignores_an_unparseable_selection(make_user) -> None:
    make_user("zed")
    field = UserField()
    field.prepare_value("99999999999999999999999")
    assert [label for _, label in field.choices][1:] == ["zed"]


@pytest.fixture
def paris(settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override(PARIS):
        yield


def test_date_means_the_whole_local_day(paris) -> None:
    since = DateBoundField().clean("2026-01-31")
    until = DateBoundField(upper=True).clean("2026-01-31")
    assert since == datetime.datetime(2026, 1, 31, tzinfo=PARIS)
    assert until == datetime.datetime(2026, 2, 1, tzinfo=PARIS)


def test_datetimes_naive_local_aware_kept(paris) -> None:
    field = DateBoundField(upper=True)
    assert field.clean("2026-01-31T14:30") == datetime.datetime(2026, 1, 31, 14, 30, tzinfo=PARIS)
    assert field.clean("2026-01-31 14:30:15") == datetime.datetime(
        2026, 1, 31, 14, 30, 15, tzinfo=PARIS
    )
    aware = field.clean("2026-01-31T14:30:00+00:00")
    assert aware == datetime.datetime(2026, 1, 31, 14, 30, tzinfo=datetime.UTC)
    assert field.clean("2026-01-31T14:30:00Z") == aware
    assert field.clean("") is None
    assert field.clean(None) is None


@pytest.mark.parametrize(
    "raw",
    [
        "yesterday",
        "2026-13-01",
        "2026-02-30",
        "2026-01-31T25:00",
        "31/01/2026",
        "2026-1-1x",
        "9" * 65,
    ],
)
def test_bad_dates_are_errors(db, raw: str) -> None:
    with pytest.raises(forms.ValidationError):
        DateBoundField().clean(raw)


def test_dates_out_of_range_are_errors(paris) -> None:
    with pytest.raises(forms.ValidationError, match="out of range"):
        DateBoundField(upper=True).clean("9999-12-31")
    with pytest.raises(forms.ValidationError, match="out of range"):
        DateBoundField().clean("0001-01-01")


def render_type(value: str) -> tuple[str, str | None]:
    context = DateBoundInput().get_context("since", value, {})
    return context["widget"]["type"], context["widget"]["value"]


def test_widget_type_follows_the_value(paris) -> None:
    assert render_type("") == ("date", None)
    assert render_type("2026-01-31") == ("date", "2026-01-31")
    # A datetime must survive a round trip through the form: datetime-local, local time.
    assert render_type("2026-01-31T13:30:00+00:00") == ("datetime-local", "2026-01-31T14:30:00")
    assert render_type("soon") == ("text", "soon")


def test_lenient_parsing_helpers(paris) -> None:
    assert parse_datetime_lenient("2026-02-30T10:00") is None
    assert parse_datetime_lenient("nope") is None
    assert (
        local_input_value(datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC))
        == "2026-01-01T13:00:00"
    )


def test_user_model_is_the_auth_user(db) -> None:
    assert UserField().queryset.model is User


def test_options_are_read_with_one_plain_query_each(superuser, make_user) -> None:
    """No server-side cursor (DECLARE/FETCH/CLOSE on PostgreSQL) for a few dozen options."""
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from auditconsole.activity.search import ActivitySearch

    make_user("alice")
    form = ActivitySearch(QueryDict(""), superuser).form
    with CaptureQueriesContext(connection) as queries:
        users = [label for _, label in form.fields["user"].choices]
        models = [label for _, label in form.fields["content_type"].choices]
    assert "alice" in users and users[0] == form.fields["user"].empty_label
    assert len(models) > 1
    assert len(queries) == 2
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("DECLARE")]
