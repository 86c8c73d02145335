"""CSV export: a confirmation step, then the streamed file; and a user's past exports.

``activity/export/`` and ``logs/<key>/export/`` take the query string of the page they
export and answer with a short page that says what the file will hold (the filters in
words, how many rows, whether the cap will cut it short) before anything is downloaded.
Its "Download" link is ``export.csv`` beside it, with the same query string, which
streams the file (:mod:`auditconsole.export.streaming`).

Both need the page's own permission and ``auditconsole.export``; a log source the user
may not see is a 404, as on its page. Invalid filters are shown as errors, never a 500,
and never an export of the valid half. An export whose record cannot be written (and
``AUDITCONSOLE_EXPORT_REQUIRE_RECORD`` is on) is refused: the confirmation page again,
saying so, as a 503.
"""

from __future__ import annotations

from functools import partial
from typing import Any, TypeVar

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView

from auditconsole.conf import conf
from auditconsole.export.audit import (
    VIA_WEB,
    ExportInfo,
    ExportNotRecorded,
    record_export,
    record_start,
)
from auditconsole.export.history import exports_of
from auditconsole.export.plans import ActivityPlan, ExportPlan, SourcePlan, TrailPlan
from auditconsole.export.resources import (
    LogEntryResource,
    LogRecordResource,
    StreamingResource,
    TimelineItemResource,
)
from auditconsole.export.streaming import AsyncCsvStream, CsvStream
from auditconsole.export.subject import describe
from auditconsole.links import source_path
from auditconsole.permissions import EXPORT, VIEW_ACTIVITY, VIEW_LOGS
from auditconsole.views.activity import SearchClassMixin
from auditconsole.views.base import ConsoleAccessMixin
from auditconsole.views.sources import (
    FilterFormMixin,
    MergedFilterFormMixin,
    MergedSourceMixin,
    SourceMixin,
)
from auditconsole.views.subjects import ActivityPageView, SubjectMixin

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_Response = TypeVar("_Response", bound=HttpResponseBase)


def csv_response(request: HttpRequest, plan: ExportPlan) -> HttpResponseBase:
    """The export as a download, audited before it starts and when the stream ends.

    Raises :class:`ExportNotRecorded` when the record of its start cannot be written.
    """
    user = request.user
    filename = plan.filename()
    if request.method == "HEAD":
        # Servers iterate the body of a HEAD response only to throw it away: do not read
        # (and record) an export that nobody receives.
        return attachment(HttpResponse(content_type=CSV_CONTENT_TYPE), filename)
    info = ExportInfo(
        user_id=user.pk,
        username=user.get_username(),
        view=plan.view,
        params=plan.params,
        export_file=filename,
        source_key=plan.source_key,
        via=VIA_WEB,
        max_rows=conf.EXPORT_MAX_ROWS,
        noun=plan.noun,
        subject=describe(plan),
    )
    record_start(info)
    stream = CsvStream(
        plan.resource(),
        plan.rows(),
        max_rows=conf.EXPORT_MAX_ROWS,
        on_finish=partial(record_export, info),
    )
    content = AsyncCsvStream(stream) if isinstance(request, ASGIRequest) else stream
    return attachment(StreamingHttpResponse(content, content_type=CSV_CONTENT_TYPE), filename)


def attachment(response: _Response, filename: str) -> _Response:
    # Never None with as_attachment=True, whatever django-stubs 5.2 says.
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    # An audit export is nobody's to keep but the person who asked for it.
    response["Cache-Control"] = "no-store"
    return response


class ExportMixin(ConsoleAccessMixin, TemplateView):
    """The confirmation page (``TemplateView``) or the download (``csv = True``)."""

    template_name = "auditconsole/export/confirm.html"
    csv = False
    #: What writes the file's columns (django-import-export's ``resource_class``).
    resource_class: type[StreamingResource]

    def get_resource_class(self) -> type[StreamingResource]:
        return self.resource_class

    def get_plan(self) -> ExportPlan:
        raise NotImplementedError

    # The download is a StreamingHttpResponse, which TemplateView.get's stub leaves out.
    def get(  # type: ignore[override]
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        plan = self.get_plan()
        if self.csv and plan.is_valid:
            try:
                return csv_response(request, plan)
            except ExportNotRecorded:
                # The audit trail is out of order: nothing leaves until it works again.
                context = self.get_context_data(plan=plan, refused=True, **kwargs)
                return self.render_to_response(context, status=503)
        context = self.get_context_data(plan=plan, **kwargs)
        # The download URL with bad filters: the same page, as the answer to a bad request.
        status = 400 if self.csv else 200
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan: ExportPlan = kwargs["plan"]
        cap = conf.EXPORT_MAX_ROWS
        context.update(
            cap=cap,
            estimate=plan.estimate(cap) if plan.is_valid else None,
            summary=plan.summary,
            errors=plan.errors(),
            headers=plan.headers,
            filename=plan.filename(),
            page_url=plan.page_url(),
            download_url=self.download_url(plan),
            command=plan.command_line(self.request.user.get_username()),
            require_record=conf.EXPORT_REQUIRE_RECORD,
        )
        return context

    def download_url(self, plan: ExportPlan) -> str:
        return plan.url(self.csv_path())

    def csv_path(self) -> str:
        raise NotImplementedError


class ActivityExportView(SearchClassMixin, ExportMixin, TemplateView):
    permission_required = (VIEW_ACTIVITY, EXPORT)
    extra_context = {"console_section": "activity", "what": "activity"}
    resource_class = LogEntryResource

    def get_plan(self) -> ActivityPlan:
        return ActivityPlan(
            self.request.GET,
            self.request.user,
            search_class=self.get_search_class(),
            resource_class=self.get_resource_class(),
        )

    def csv_path(self) -> str:
        return reverse("auditconsole:activity_export_csv")


class TrailExportView(SearchClassMixin, ExportMixin, TemplateView):
    """The activity across every trail (docs/trails.md), with a ``trail`` column."""

    permission_required = (VIEW_ACTIVITY, EXPORT)
    extra_context = {"console_section": "activity", "what": "activity"}
    resource_class = TimelineItemResource

    def get_plan(self) -> TrailPlan:
        return TrailPlan(
            self.request.GET,
            self.request.user,
            search_class=self.get_search_class(),
            resource_class=self.get_resource_class(),
        )

    def csv_path(self) -> str:
        return reverse("auditconsole:trails_export_csv")


class SourceExportView(SourceMixin, FilterFormMixin, ExportMixin, TemplateView):
    permission_required = (VIEW_LOGS, EXPORT)
    extra_context = {"console_section": "logs", "what": "logs"}
    resource_class = LogRecordResource

    def get_plan(self) -> SourcePlan:
        return SourcePlan(self.source, self.get_form(), resource_class=self.get_resource_class())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["source"] = self.source
        return context

    def csv_path(self) -> str:
        return source_path(self.source, "export_csv")


class MergedExportView(MergedSourceMixin, MergedFilterFormMixin, SourceExportView):
    """Several sources interleaved: ``logs/merged/export/?sources=app&sources=api``."""


class UserExportsView(SubjectMixin, ActivityPageView):
    """The exports a user made, read back from the console's own log (user page panel)."""

    template_name = "auditconsole/export/user_exports.html"
    fragment_template_name = "auditconsole/export/partials/user_exports.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        exports = exports_of(self.subject.pk, self.request.user)
        context.update(
            subject=self.subject, history=exports, audit_source_key=conf.EXPORT_AUDIT_SOURCE
        )
        return context
