"""What a user page or an object page is about, taken from the path: 404 when unknown.

Shared by the pages and by their panels (exports, viewers, searches), so each panel
refuses exactly what its page refuses.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from auditconsole.activity.filters import OBJECT_ID_MAX_LENGTH
from auditconsole.activity.scoping import Scope, scope_for
from auditconsole.permissions import VIEW_ACTIVITY
from auditconsole.views.base import ConsoleAccessMixin, HtmxFragmentMixin


class ActivityPageView(ConsoleAccessMixin, HtmxFragmentMixin, TemplateView):
    """A page (or panel) of the activity section: ``view_activity``, page or fragment."""

    permission_required: str | tuple[str, ...] = VIEW_ACTIVITY
    extra_context = {"console_section": "activity"}


class SubjectMixin:
    """For the user page and its panels: the user from the path, 404 if unknown."""

    kwargs: dict[str, Any]

    @cached_property
    def subject(self) -> Any:
        return get_object_or_404(get_user_model()._default_manager, pk=self.kwargs["user_id"])


class ObjectMixin:
    """For the object page and its panels: the model and key from the path."""

    request: HttpRequest
    kwargs: dict[str, Any]

    @property
    def object_id(self) -> str:
        return str(self.kwargs["object_id"])

    @cached_property
    def scope(self) -> Scope:
        """The viewer's models, worked out once a request (a query for a scoped viewer)."""
        return scope_for(self.request.user)

    # Not ``content_type``: TemplateResponseMixin sends that attribute as the response's
    # Content-Type header.
    @cached_property
    def object_type(self) -> ContentType:
        """A model the viewer may not see is answered like one that does not exist; a key
        longer than any the filters accept cannot be one (and is not worth a query)."""
        content_type_id = self.kwargs["content_type_id"]
        allowed = self.scope.allows(content_type_id)
        if not allowed or len(self.object_id) > OBJECT_ID_MAX_LENGTH:
            raise Http404("No such object.")
        try:
            return ContentType.objects.get_for_id(content_type_id)
        except ContentType.DoesNotExist:
            raise Http404("No such object.") from None
