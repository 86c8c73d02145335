"""What every console view shares: the access rule and the page-or-fragment rendering."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from auditconsole.permissions import has_console_perms


class ConsoleAccessMixin(PermissionRequiredMixin):
    """Active staff holding ``permission_required``; anonymous users go to the login page.

    ``AccessMixin.handle_no_permission`` already redirects anonymous users and raises
    ``PermissionDenied`` (a 403) for authenticated ones, which is the behaviour we want.
    """

    permission_required: str | tuple[str, ...] = ()

    def has_permission(self) -> bool:
        return has_console_perms(self.request.user, *self.get_permission_required())


class HtmxFragmentMixin:
    """One URL serves the full page, or only its swap target when htmx asks.

    The page template includes ``fragment_template_name``; an htmx request renders that
    partial alone, so the page and the fragment cannot drift apart. Boosted requests want
    the whole page. ``Vary: HX-Request`` stops caches from mixing the two answers up.
    """

    request: HttpRequest
    template_name: str
    fragment_template_name: str | None = None

    def get_template_names(self) -> list[str]:
        htmx = getattr(self.request, "htmx", None)
        if self.fragment_template_name and htmx and not htmx.boosted:
            return [self.fragment_template_name]
        return super().get_template_names()  # type: ignore[misc]

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)  # type: ignore[misc]
        patch_vary_headers(response, ("HX-Request",))
        return response
