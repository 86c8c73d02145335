"""The benchmark's anchor: the Django admin's changelist and export view for ``LogEntry``.

Django does not register ``LogEntry`` in any admin, and this project's admin is for
superusers only, so the comparison gets an admin site of its own, mounted only by the
benchmark URLconf (``benchmarks/urls.py``, at ``bench-admin/``). It is configured the way
a demanding user would configure the admin for this table: filters on user, action flag
and content type, a date hierarchy, facet counts always shown, search on the object's
name and the change message, the console's page size, both foreign keys joined (the admin's
default would fetch each row's content type with a query of its own), and
django-import-export's export
(``ExportActionMixin``: the "Export" button's view and the admin action) with an idiomatic
``ModelResource`` writing the same columns as the console's CSV.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from import_export import fields, resources
from import_export.admin import ExportActionMixin
from import_export.formats.base_formats import CSV
from import_export.forms import SelectableFieldsExportForm

from auditconsole.activity.fields import ACTION_NAMES
from auditconsole.conf import conf

SITE_NAME = "bench_admin"
URL_PREFIX = "bench-admin/"


class AnchorAdminSite(admin.AdminSite):
    site_header = "Benchmark anchor (Django admin)"
    site_title = "Benchmark anchor"


class LogEntryAdminResource(resources.ModelResource):
    """``LogEntry`` as a ``ModelResource``: what a user of import-export would write."""

    time = fields.Field(attribute="action_time", column_name="time")
    user = fields.Field(attribute="user__username", column_name="user")
    action = fields.Field(column_name="action")
    content_type = fields.Field(attribute="content_type", column_name="content_type")
    change = fields.Field(column_name="change")

    class Meta:
        model = LogEntry
        fields = (
            "id",
            "time",
            "user",
            "action",
            "content_type",
            "object_id",
            "object_repr",
            "change",
            "change_message",
        )
        export_order = fields

    def dehydrate_action(self, entry: LogEntry) -> str:
        return ACTION_NAMES.get(entry.action_flag, str(entry.action_flag))

    def dehydrate_change(self, entry: LogEntry) -> str:
        return entry.get_change_message()


class LogEntryAnchorAdmin(ExportActionMixin, admin.ModelAdmin):
    list_display = (
        "action_time",
        "user",
        "action_flag",
        "content_type",
        "object_repr",
        "get_change_message",
    )
    list_filter = ("user", "action_flag", "content_type")
    date_hierarchy = "action_time"
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ("object_repr", "change_message")
    # The admin's default, select_related() with no arguments, follows non-null foreign
    # keys only, and LogEntry.content_type is nullable: without this, every row of the
    # page (and of the export) costs a query for its content type.
    list_select_related = ("user", "content_type")
    resource_classes = [LogEntryAdminResource]
    export_formats = [CSV]

    @property
    def list_per_page(self) -> int:  # type: ignore[override]
        # The console's page size, so that both sides render the same number of rows.
        return conf.PAGE_SIZE


site = AnchorAdminSite(name=SITE_NAME)
site.register(LogEntry, LogEntryAnchorAdmin)


def export_form_data(model_admin: LogEntryAnchorAdmin | None = None) -> dict[str, Any]:
    """The POST body of the admin export form as a browser would send it: CSV, every field.

    import-export's ``SelectableFieldsExportForm`` has a checkbox per resource field
    (``<resource>_<field>``), all ticked by default; the format is an index into the
    admin's export formats.
    """
    model_admin = model_admin or site.get_model_admin(LogEntry)
    formats = model_admin.get_export_formats()
    resource_class = model_admin.get_export_resource_classes(None)[0]
    data: dict[str, Any] = {
        "format": str(next(i for i, f in enumerate(formats) if f is CSV)),
        "resource": "0",
    }
    for name in resource_class().get_export_order():
        data[SelectableFieldsExportForm.create_boolean_field_name(resource_class, name)] = "on"
    return data
