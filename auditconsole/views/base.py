"""What every console view shares: the access rule and the page-or-fragment rendering."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.generic import TemplateView
from django_htmx.http import HttpResponseClientRedirect

from auditconsole.permissions import has_console_perms


class ConsoleAccessMixin(PermissionRequiredMixin):
    """Active staff holding ``permission_required``; anonymous users go to the login page.

    ``AccessMixin.handle_no_permission`` already redirects anonymous users and raises
    ``PermissionDenied`` (a 403) for authenticated ones, which is the behaviour we want,
    except for htmx requests: see :meth:`handle_no_permission`.
    """

    permission_required: str | tuple[str, ...] = ()
    request: HttpRequest

    def has_permission(self) -> bool:
        return has_console_perms(self.request.user, *self.get_permission_required())

    # An htmx request gets HX-Redirect, which is not the HttpResponseRedirect the stubs expect.
    def handle_no_permission(self) -> HttpResponseBase:  # type: ignore[override]
        request = self.request
        htmx = getattr(request, "htmx", None)
        if htmx and not request.user.is_authenticated:
            # htmx would follow a redirect and swap the login page into the fragment (a
            # live tail polling after its session ended would fill up with login forms):
            # HX-Redirect makes it load the login page as a page, back to where it was.
            login = redirect_to_login(
                htmx.current_url_abs_path or request.get_full_path(),
                self.get_login_url(),
                self.get_redirect_field_name(),
            )
            return HttpResponseClientRedirect(login.url)
        return super().handle_no_permission()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        # Audit data must not linger in a shared or browser cache, as the admin's pages
        # (never_cache); a view that set its own Cache-Control (an export) keeps it.
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class HtmxFragmentMixin(TemplateView):
    """One URL serves the full page, or only its swap target when htmx asks.

    The page template includes ``fragment_template_name``; an htmx request renders that
    partial alone, so the page and the fragment cannot drift apart. Boosted requests want
    the whole page, and so does htmx's history restore: with the history cache off (see
    base.html) the back button re-requests the URL with ``HX-Request`` *and*
    ``HX-History-Restore-Request`` and swaps the answer into the body, where a bare fragment
    would leave a page without its header. ``Vary`` stops caches mixing the answers up.
    """

    fragment_template_name: str | None = None

    def get_template_names(self) -> list[str]:
        htmx = getattr(self.request, "htmx", None)
        if (
            self.fragment_template_name
            and htmx
            and not htmx.boosted
            and not htmx.history_restore_request
        ):
            return [self.fragment_template_name]
        return super().get_template_names()

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
        return response
