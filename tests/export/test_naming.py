from __future__ import annotations

import datetime
import re
import zoneinfo

from auditconsole.export.naming import export_filename

MOMENT = datetime.datetime(2026, 11, 22, 11, 30, 59, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


def test_view_and_utc_minute():
    assert export_filename("activity", now=MOMENT) == "activity-2026-11-22T1030Z.csv"


def test_log_exports_name_the_source():
    assert export_filename("logs", "app", now=MOMENT) == "logs-app-2026-11-22T1030Z.csv"
    assert export_filename("logs", "app+api", now=MOMENT) == "logs-app_api-2026-11-22T1030Z.csv"


def test_default_is_now():
    assert re.fullmatch(r"activity-\d{4}-\d\d-\d\dT\d{4}Z\.csv", export_filename("activity"))
