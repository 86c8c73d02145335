"""The console's own reads: recording them from the pages, and the panels that show them.

:class:`AccessRecordMixin` records a page's view (:mod:`auditconsole.access.record`) once
its context is built (a page that ends in a 404 or 403 records nothing), and flags the
page when the record could not be written: the page opens with a warning that the
console's own trail is failing (an htmx fragment carries the warning out of band).

The panels need ``auditconsole.view_access`` on top of ``view_activity``:

* ``viewed-by/<content_type_id>/<object_id>/``: who opened an object's history page;
* ``user/<user_id>/searches/``: the searches a user ran.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse

from auditconsole.access.events import OBJECT, RECORD, SEARCH, USER
from auditconsole.access.history import searches_of, viewers_of
from auditconsole.access.record import is_fragment, record_view, remember
from auditconsole.permissions import VIEW_ACCESS, VIEW_ACTIVITY, has_console_perms
from auditconsole.views.subjects import ActivityPageView, ObjectMixin, SubjectMixin

WARNING_TEMPLATE = "auditconsole/partials/access_warning.html"


def target(event: str, kwargs: dict[str, Any], context: dict[str, Any]) -> str:
    """What was viewed, in words, for the record's message (never its content)."""
    if event == OBJECT:
        content_type = context.get("content_type")
        label = f"{content_type.app_label}.{content_type.model}" if content_type else "object"
        return f"{label} {kwargs.get('object_id', '')}"
    if event == USER:
        subject = context.get("subject")
        return f"{subject.get_username()} (user #{subject.pk})" if subject else "a user"
    source = context.get("source")
    where = f"log {source.key!r}" if source is not None else "the activity"
    if event == RECORD:
        return f"a record of {where}"
    return where


class AccessRecordMixin:
    """Records the view as ``access_event`` when the page (or fragment) is rendered."""

    access_event: str = SEARCH
    request: HttpRequest
    kwargs: dict[str, Any]

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        outcome = record_view(
            self.request, self.access_event, target(self.access_event, self.kwargs, context)
        )
        failing = outcome.failed
        context["access_failing"] = failing
        context["can_view_access"] = has_console_perms(self.request.user, VIEW_ACCESS)
        response: TemplateResponse = super().render_to_response(context, **kwargs)  # type: ignore[misc]
        remember(response, outcome)
        if failing and is_fragment(self.request):
            warning = render_to_string(
                WARNING_TEMPLATE, {"access_failing": True, "oob": True}, self.request
            )
            response.add_post_render_callback(lambda done: _append(done, warning))
        return response


def _append(response: HttpResponse, html: str) -> None:
    response.content = response.content + html.encode(response.charset)


# -- the panels ------------------------------------------------------------------------------


class ObjectViewersView(ObjectMixin, ActivityPageView):
    """Who opened an object's history page: the object page's "Viewed by" panel."""

    permission_required = (VIEW_ACTIVITY, VIEW_ACCESS)
    template_name = "auditconsole/access/object_viewers.html"
    fragment_template_name = "auditconsole/access/partials/object_viewers.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # As on the object page: a model the viewer may not see is one that does not exist.
        content_type, object_id = self.object_type, self.object_id
        viewers = viewers_of(content_type.pk, object_id, self.request.user)
        context.update(content_type=content_type, object_id=object_id, history=viewers)
        return context


class UserSearchesView(SubjectMixin, ActivityPageView):
    """The searches a user ran: the user page's "Recent searches" panel."""

    permission_required = (VIEW_ACTIVITY, VIEW_ACCESS)
    template_name = "auditconsole/access/user_searches.html"
    fragment_template_name = "auditconsole/access/partials/user_searches.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        searches = searches_of(self.subject.pk, self.request.user)
        context.update(subject=self.subject, history=searches)
        return context
