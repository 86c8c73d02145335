""" "Logs around this moment": from a trail entry to the log records beside it."""

from __future__ import annotations

import re

from django.contrib.admin.models import CHANGE
from django.urls import reverse

from tests.activity.entries import content_type, log
from tests.sources.helpers import START, app_line, config, write
from tests.trailapp.models import Warehouse


def test_each_entry_links_to_the_logs_around_it(
    client_for, superuser, make_user, tmp_path, settings
) -> None:
    path = write(
        tmp_path / "app.log",
        [app_line(n, user_id=superuser.pk if n % 2 else 999) for n in (-400, -60, 0, 61, 400)],
    )
    settings.AUDITCONSOLE_LOG_SOURCES = {"app": config(path)}
    warehouse = Warehouse.objects.create(name="North")
    log(superuser, warehouse, warehouse.pk, CHANGE, when=START)
    client = client_for(superuser)
    page = client.get(
        reverse("auditconsole:object", args=[content_type(Warehouse).pk, warehouse.pk])
    ).content.decode()
    found = re.search(r'class="logs-around muted" href="([^"]+)"', page)
    assert found is not None
    url = found.group(1).replace("&amp;", "&")
    assert "since=2026-04-04T11%3A55%3A00Z" in url and "until=2026-04-04T12%3A05%3A00Z" in url
    html = client.get(url).content.decode()
    assert re.findall(r"event (-?\d+)", html) and {"-400", "400"}.isdisjoint(
        re.findall(r"event (-?\d+)", html)
    )
    # Narrowed to the entry's user where the records carry one.
    settings.AUDITCONSOLE_TRAIL_LOGS_USER_FIELD = "user_id"
    page = client.get(reverse("auditconsole:activity_trails")).content.decode()
    url = re.search(r'class="logs-around muted" href="([^"]+)"', page).group(1)
    html = client.get(url.replace("&amp;", "&")).content.decode()
    assert set(re.findall(r"event (-?\d+)", html)) == {"61"}
    # Without the logs permission, no link.
    agent = make_user("agent3", console_perms=("view_activity",))
    page = client_for(agent).get(reverse("auditconsole:activity_trails")).content.decode()
    assert "logs-around" not in page


def test_a_log_record_links_to_its_user_and_object(
    client_for, superuser, supplier_reader, tmp_path, settings
) -> None:
    import json

    from auditconsole.sources.query import Query
    from auditconsole.sources.registry import get_source

    warehouse = Warehouse.objects.create(name="North")
    line = {
        "time": "2026-04-04 12:00:00,123",
        "level": "AUDIT",
        "name": "audit.model",
        "message": "UPDATE event for Warehouse",
        "model": "Warehouse",
        "instance_id": str(warehouse.pk),
        "user_id": str(superuser.pk),
    }
    path = write(tmp_path / "audit.log", [json.dumps(line), json.dumps({**line, "user_id": "x"})])
    settings.AUDITCONSOLE_LOG_SOURCES = {"audit": config(path)}
    # Newest first: the second line, whose user id names nobody, then the first.
    unnamed, named = get_source("audit").page(Query()).records
    url = reverse("auditconsole:record", kwargs={"key": "audit", "ref": unnamed.token})
    html = client_for(superuser).get(url).content.decode()
    object_url = reverse("auditconsole:object", args=[content_type(Warehouse).pk, warehouse.pk])
    assert f'href="{object_url}"' in html and "User root" not in html
    url = reverse("auditconsole:record", kwargs={"key": "audit", "ref": named.token})
    html = client_for(superuser).get(url).content.decode()
    assert f'class="btn record-link" href="/audit/user/{superuser.pk}/trails/">User root<' in html
    # A viewer who may not see warehouses gets the user, not the object.
    html = client_for(supplier_reader).get(url).content.decode()
    assert "User root" in html and f'href="{object_url}"' not in html


def test_the_link_is_what_url_with_writes(superuser, settings, tmp_path) -> None:
    """The sources are encoded once a page; each link is still exactly url_with's."""
    from django.http import QueryDict

    from auditconsole.links import url_with
    from auditconsole.sources.query import FIELD, SINCE, SOURCES, UNTIL
    from auditconsole.trails.correlation import LogsAround
    from tests.trails.test_timeline import entry

    settings.AUDITCONSOLE_LOG_SOURCES = {
        key: config(write(tmp_path / f"{key}.log", [app_line(0)])) for key in ("a b", "c&d")
    }
    settings.AUDITCONSOLE_TRAIL_LOGS_USER_FIELD = "user id"
    around = LogsAround(superuser)
    for user_id in (None, 7):
        around_entry = entry(time=START, user_id=user_id)
        changes = {
            SOURCES: ["a b", "c&d"],
            SINCE: "2026-04-04T11:55:00Z",
            UNTIL: "2026-04-04T12:05:00Z",
        }
        if user_id is not None:
            changes[FIELD] = f"user id={user_id}"
        expected = url_with(reverse("auditconsole:merged"), QueryDict(), changes)
        assert around.url(around_entry) == expected
