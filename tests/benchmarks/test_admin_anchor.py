"""The benchmark-only admin site: configured as the issue asks, and working."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.test import Client, override_settings
from django.urls import reverse
from import_export.admin import ExportActionMixin, ExportMixin

from benchmarks.admin_anchor import (
    SITE_NAME,
    LogEntryAdminResource,
    LogEntryAnchorAdmin,
    export_form_data,
    site,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("benchmarks.urls")]

HEADER = [
    "id",
    "time",
    "user",
    "action",
    "content_type",
    "object_id",
    "object_repr",
    "change",
    "change_message",
]


@pytest.fixture
def entries(superuser: User) -> list[LogEntry]:
    user_type = ContentType.objects.get_for_model(User)
    group_type = ContentType.objects.get(app_label="auth", model="group")
    made = []
    for i in range(12):
        made.append(
            LogEntry.objects.create(
                user=superuser,
                content_type=(user_type, group_type, None)[i % 3],
                object_id=str(i),
                object_repr=f"Object {i}",
                action_flag=(ADDITION, CHANGE, CHANGE, DELETION)[i % 4],
                change_message='[{"changed": {"fields": ["Name"]}}]' if i % 2 else "=cmd",
            )
        )
    return made


@pytest.fixture
def client(superuser: User, client_for: Callable[[User], Client]) -> Client:
    return client_for(superuser)


def test_logentry_is_registered_as_the_issue_configures_it() -> None:
    model_admin = site.get_model_admin(LogEntry)
    assert isinstance(model_admin, LogEntryAnchorAdmin)
    assert isinstance(model_admin, ExportActionMixin) and isinstance(model_admin, ExportMixin)
    assert model_admin.list_filter == ("user", "action_flag", "content_type")
    assert model_admin.date_hierarchy == "action_time"
    assert model_admin.show_facets is admin.ShowFacets.ALWAYS
    assert model_admin.list_select_related == ("user", "content_type")
    assert model_admin.resource_classes == [LogEntryAdminResource]
    # Only the benchmark site: the project's own admin does not get LogEntry.
    assert not admin.site.is_registered(LogEntry)


def test_page_size_follows_the_consoles(settings) -> None:
    model_admin = site.get_model_admin(LogEntry)
    settings.AUDITCONSOLE_PAGE_SIZE = 7
    assert model_admin.list_per_page == 7


def test_changelist_with_facets_and_no_query_per_row(
    client: Client, entries: list[LogEntry], django_assert_max_num_queries
) -> None:
    url = reverse(f"{SITE_NAME}:admin_logentry_changelist")
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.add_facets is True
    assert changelist.result_count == len(entries)
    assert "Object 11" in response.content.decode()


def test_changelist_filter_search_and_page_parameters(
    client: Client, entries: list[LogEntry]
) -> None:
    url = reverse(f"{SITE_NAME}:admin_logentry_changelist")
    changes = sum(1 for e in entries if e.action_flag == CHANGE)
    response = client.get(url, {"action_flag__exact": CHANGE})
    assert response.context["cl"].result_count == changes
    response = client.get(url, {"q": "Object 1"})
    assert response.context["cl"].result_count == 3  # 1, 10, 11
    with override_settings(AUDITCONSOLE_PAGE_SIZE=5):
        response = client.get(url, {"p": 2})
    assert [e.pk for e in response.context["cl"].result_list] == [e.pk for e in entries[::-1][5:10]]


def test_export_form_data_selects_csv_and_every_field() -> None:
    data = export_form_data()
    assert data["format"] == "0" and data["resource"] == "0"
    assert sorted(k for k in data if k.startswith("logentryadminresource_")) == sorted(
        f"logentryadminresource_{name}" for name in HEADER
    )


def test_export_view_writes_the_changelists_rows_as_csv(
    client: Client, entries: list[LogEntry]
) -> None:
    url = reverse(f"{SITE_NAME}:admin_logentry_export")
    response = client.post(url, export_form_data())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == HEADER
    assert len(rows) == 1 + len(entries)
    newest = entries[-1]
    assert rows[1][0] == str(newest.pk)
    assert rows[1][2] == newest.user.username
    assert rows[1][3] == "deletion"
    assert rows[1][7] == newest.get_change_message()
    # The changelist's filters apply: a time bound in the query string narrows the file.
    since = entries[8].action_time.isoformat()
    response = client.post(
        f"{url}?action_time__gte={since.replace('+', '%2B')}", export_form_data()
    )
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) == 1 + 4
