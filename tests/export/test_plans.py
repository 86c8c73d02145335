"""Export plans: the page's own validation, rows, order and counts; the shell equivalent."""

from __future__ import annotations

import datetime
import shlex

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.http import QueryDict
from django.utils import timezone

from auditconsole.activity.ordering import resolve_sort
from auditconsole.activity.pagination import paginate
from auditconsole.activity.search import ActivitySearch
from auditconsole.export.plans import ActivityPlan, RowEstimate, SourcePlan
from auditconsole.sources.merged import MergedSource
from auditconsole.sources.query import LogFilterForm, MergedFilterForm
from project.demo.models import Customer, Invoice, Ticket
from tests.activity.entries import log
from tests.sources.helpers import app_line, source, write


@pytest.fixture
def desk(support_user, make_user, superuser):
    now = timezone.now()
    alice, bob = make_user("alice"), make_user("bob")
    made = []
    for n in range(30):
        made.append(
            log(
                [alice, bob, support_user][n % 3],
                [Customer, Ticket, Invoice][n % 3 if n % 7 else 0],
                n % 5,
                [ADDITION, CHANGE, DELETION][n % 3],
                when=now - datetime.timedelta(hours=n * 5),
                name=f"object {n}",
                message=f"note {n}",
            )
        )
    return {"alice": alice, "bob": bob, "agent": support_user, "root": superuser, "entries": made}


def page_ids(params: str, viewer) -> list[int]:
    """The ids the activity page shows for ``params``, on one big page."""
    query = QueryDict(params)
    search = ActivitySearch(query, viewer)
    page = paginate(search.queryset, resolve_sort(query.get("sort")), {}, 10_000)
    return [entry.pk for entry in page.rows]


def export_ids(params: str, viewer) -> list[int]:
    plan = ActivityPlan(QueryDict(params), viewer)
    assert plan.is_valid
    resource = plan.resource()
    return [row.id for row in resource.rows(plan.rows())]


@pytest.mark.parametrize(
    "params",
    [
        "",
        "action=change",
        "action=2&content_type=demo.ticket",
        "q=object+1",
        "since=2026-01-01",
        "period=24h",
        "object_id=3",
        "sort=user",
        "sort=-object",
        "sort=time",
        "after=2026-03-04T14:23:01.123456Z~5&page=3",  # paging: ignored by the export
    ],
)
def test_same_rows_in_the_same_order_as_the_page(desk, params):
    for viewer in (desk["root"], desk["agent"]):
        assert export_ids(params, viewer) == page_ids(params.partition("after")[0], viewer)


def test_user_filter_matches_the_user_page(desk):
    alice = desk["alice"]
    search = ActivitySearch(QueryDict(), desk["root"], user=alice)
    expected = [
        entry.pk for entry in paginate(search.queryset, resolve_sort(None), {}, 10_000).rows
    ]
    assert export_ids(f"user={alice.pk}", desk["root"]) == expected
    assert expected


def test_scoping_applies(desk, make_user):
    tickets_only = make_user("tickets", console_perms=None, perms=("demo.view_ticket",))
    ids = export_ids("", tickets_only)
    assert ids
    assert {e.content_type.model for e in desk["entries"] if e.pk in ids} == {"ticket"}


def test_invalid_filters_export_nothing(desk):
    plan = ActivityPlan(QueryDict("since=2026-02-30&action=explode"), desk["root"])
    assert not plan.is_valid
    assert list(plan.rows()) == []
    assert plan.summary == []
    assert len(plan.errors()) == 2
    assert all(": " in error for error in plan.errors())


def test_form_wide_errors_have_no_label(desk):
    plan = ActivityPlan(QueryDict("since=2026-03-02&until=2026-03-01"), desk["root"])
    assert not plan.is_valid
    assert plan.errors() == ["“From” must be before “until”."]


def test_params_keep_what_the_export_reads(desk):
    plan = ActivityPlan(
        QueryDict("action=change&q=&utm_source=mail&page=2&sort=user"), desk["root"]
    )
    assert plan.params == {"action": ["change"], "sort": ["user"]}
    assert plan.summary == [("Action", "Change"), ("Sorted by", "user")]
    assert plan.page_url() == "/audit/activity/?action=change&sort=user"
    assert ActivityPlan(QueryDict(), desk["root"]).page_url() == "/audit/activity/"


def test_estimates(desk):
    plan = ActivityPlan(QueryDict("action=change"), desk["root"])
    assert plan.estimate(100) == RowEstimate(10, complete=True)
    assert plan.estimate(4) == RowEstimate(
        4, complete=False, over_cap=True, estimate=plan.estimate(4).estimate
    )


def test_the_shell_command_for_the_same_rows(desk):
    plan = ActivityPlan(QueryDict("action=change&content_type=demo.ticket&q=it's"), desk["root"])
    words = shlex.split(plan.command_line("agent"))
    assert words[:4] == ["python", "manage.py", "auditconsole_export", "activity"]
    assert words[4:12] == [
        "--action",
        "change",
        "--content-type",
        "demo.ticket",
        "--q",
        "it's",
        "--as-user",
        "agent",
    ]
    assert words[12] == "--output" and words[13].startswith("activity-")
    assert "--as-user" not in plan.command_line(None)


# -- log sources -------------------------------------------------------------------------------


@pytest.fixture
def app_log(tmp_path):
    return write(tmp_path / "app.log", [app_line(n) for n in range(2000)])


def test_source_rows_are_the_query_s(app_log):
    plan = SourcePlan(
        source(app_log, columns=["seq"]), LogFilterForm(QueryDict("level=ERROR&field=seq!%3D2"))
    )
    assert plan.is_valid
    records = list(plan.rows())
    assert records and all(r.level == "ERROR" for r in records)
    assert plan.resource().get_export_headers()[-1] == "seq"
    assert plan.noun == "records of log source 'app'"
    assert plan.source_key == "app"
    assert plan.filename().startswith("logs-app-")
    assert plan.page_url() == "/audit/logs/app/?level=ERROR&field=seq%21%3D2"


def test_source_estimate_complete(app_log):
    plan = SourcePlan(source(app_log), LogFilterForm(QueryDict("level=ERROR")))
    assert plan.estimate(10_000) == RowEstimate(500, complete=True)


def test_source_estimate_over_the_cap(app_log):
    plan = SourcePlan(source(app_log), LogFilterForm(QueryDict()))
    assert plan.estimate(10) == RowEstimate(10, complete=False, over_cap=True)


def test_source_estimate_stops_on_the_scan_budget(app_log, settings):
    settings.AUDITCONSOLE_SCAN_BUDGET_BYTES = 1
    estimate = SourcePlan(source(app_log), LogFilterForm(QueryDict())).estimate(10_000)
    assert not estimate.complete and not estimate.over_cap
    assert 0 < estimate.count < 2000


def test_source_command(app_log):
    plan = SourcePlan(
        source(app_log),
        LogFilterForm(QueryDict("level=ERROR&regex=1&q=a.c&field=x%3D1&field=y%3D2")),
    )
    assert shlex.split(plan.command_line("agent"))[3:15] == [
        "source",
        "app",
        "--level",
        "ERROR",
        "--q",
        "a.c",
        "--regex",
        "--field",
        "x=1",
        "--field",
        "y=2",
        "--as-user",
    ]


def test_merged_sources(tmp_path, app_log):
    api_log = write(tmp_path / "api.log", [app_line(n) for n in range(3)])
    merged = MergedSource([source(app_log), source(api_log, key="api")])
    form = MergedFilterForm(
        QueryDict("sources=app&sources=api&level=ERROR"),
        source_choices=[("app", "A"), ("api", "B")],
    )
    plan = SourcePlan(merged, form)
    assert plan.params == {"sources": ["app", "api"], "level": ["ERROR"]}
    assert plan.page_url() == "/audit/logs/merged/?sources=app&sources=api&level=ERROR"
    assert shlex.split(plan.command_line(None))[3:8] == ["source", "app", "api", "--level", "ERROR"]
    assert {record.source for record in plan.rows()} == {"app", "api"}


def test_invalid_log_filters_export_nothing(app_log):
    plan = SourcePlan(source(app_log), LogFilterForm(QueryDict("since=yesterday-ish")))
    assert not plan.is_valid
    assert plan.errors() == [
        "Since: Enter a date and time such as 2026-04-04 12:30, or a duration such as 15m, 2h or 7d."
    ]
    with pytest.raises(ValueError, match="not valid"):
        plan.rows()


def test_source_without_files_has_nothing_to_count(tmp_path):
    plan = SourcePlan(source(tmp_path / "nothing-*.log"), LogFilterForm(QueryDict()))
    assert plan.estimate(10) == RowEstimate(0, complete=True)
    assert plan.headers[0] == "time"
