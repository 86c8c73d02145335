from __future__ import annotations

from django.views.generic import TemplateView

from auditconsole.views.base import HtmxFragmentMixin


class Page(HtmxFragmentMixin, TemplateView):
    template_name = "page.html"
    fragment_template_name = "fragment.html"


def names(request) -> list[str]:
    view = Page()
    view.setup(request)
    return view.get_template_names()


def htmx_request(rf, **headers):
    from django_htmx.middleware import HtmxDetails

    request = rf.get("/", **headers)
    request.htmx = HtmxDetails(request)
    return request


def test_full_page_without_htmx(rf) -> None:
    assert names(htmx_request(rf)) == ["page.html"]


def test_fragment_for_htmx_request(rf) -> None:
    assert names(htmx_request(rf, HTTP_HX_REQUEST="true")) == ["fragment.html"]


def test_boosted_request_gets_the_whole_page(rf) -> None:
    request = htmx_request(rf, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert names(request) == ["page.html"]


def test_no_fragment_template_means_the_page(rf) -> None:
    class Plain(HtmxFragmentMixin, TemplateView):
        template_name = "page.html"

    view = Plain()
    view.setup(htmx_request(rf, HTTP_HX_REQUEST="true"))
    assert view.get_template_names() == ["page.html"]


def test_vary_header_is_set(rf, settings, tmp_path) -> None:
    (tmp_path / "page.html").write_text("page")
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path]}
    ]
    response = Page.as_view()(htmx_request(rf))
    response.render()
    assert "HX-Request" in response["Vary"]
    assert "HX-History-Restore-Request" in response["Vary"]


def test_history_restore_gets_the_whole_page(rf) -> None:
    # The back button with htmx's history cache off re-requests with both headers.
    request = htmx_request(rf, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert names(request) == ["page.html"]
