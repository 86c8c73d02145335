"""Export manifests on the web: one export's signed manifest, and the key that checks it.

``exports/<export_ref>/manifest.json`` answers the manifest stored with an export's record
in the console's own log, read back through the log source named by
``AUDITCONSOLE_EXPORT_AUDIT_SOURCE``, as JSON (shown by the browser; save it beside the
file). ``export_ref`` is the record's signed reference
(:func:`auditconsole.export.ledger.export_ref`); the "Exports by this user" panel links each
export to it. It needs ``view_logs`` and the
right to see that source: the same record is readable there anyway.

``exports/signing-key/`` shows the public key (PEM) that verifies every manifest, its key
id, and how to verify: public, so any console user may open it.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import TemplateView

from auditconsole.conf import conf
from auditconsole.export import keys
from auditconsole.export.ledger import record_at
from auditconsole.export.manifest import is_manifest, key_id
from auditconsole.management.commands.auditconsole_export import MANIFEST_SUFFIX
from auditconsole.permissions import ALL_PERMISSIONS, VIEW_LOGS, is_console_user
from auditconsole.sources.registry import UnknownSource, get_source_for_user
from auditconsole.views.base import ConsoleAccessMixin

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class ExportManifestView(ConsoleAccessMixin, View):
    permission_required = VIEW_LOGS

    def get(self, request: HttpRequest, export_ref: str) -> HttpResponse:
        signed = self.manifest(export_ref)
        name = str(signed["file"].get("name") or "export.csv")
        body = json.dumps(signed, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        response = HttpResponse(body, content_type=JSON_CONTENT_TYPE)
        # Inline: the browser shows it; "save as" proposes the name the verifier expects.
        # Never None with a file name, whatever django-stubs says.
        response["Content-Disposition"] = (
            content_disposition_header(False, name + MANIFEST_SUFFIX) or ""
        )
        return response

    def manifest(self, export_ref: str) -> dict[str, Any]:
        key = conf.EXPORT_AUDIT_SOURCE
        if not isinstance(key, str) or not key:
            raise Http404("Export records are not read back (AUDITCONSOLE_EXPORT_AUDIT_SOURCE).")
        try:
            source = get_source_for_user(key, self.request.user)
        except (UnknownSource, ImproperlyConfigured):
            raise Http404("No such export.") from None
        record = record_at(source, export_ref)
        signed = record.data.get("manifest") if record is not None else None
        if not is_manifest(signed):
            raise Http404("No such export, or it has no manifest.")
        return signed


class SigningKeyView(ConsoleAccessMixin, TemplateView):
    template_name = "auditconsole/export/signing_key.html"

    def has_permission(self) -> bool:
        # The key is public: any console user may fetch it for a verifier.
        user = self.request.user
        return is_console_user(user) and any(user.has_perm(p) for p in ALL_PERMISSIONS)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            private = keys.private_key()
        except keys.SigningKeyError:
            # Where the key should be is the operators' business: the checks say it.
            context.update(public_pem=None, key_id=None)
        else:
            context.update(public_pem=keys.public_pem(private), key_id=key_id(private.public_key()))
        return context
