"""The object page: does the object still exist, who deleted it, where to edit it.

``LogEntry`` keeps only a content type and the object's key as text, and that is all the
console has for a deleted object, an object of a model removed from the code, or a key
that is not an integer (a string or UUID primary key). Every lookup here therefore
tolerates a key that does not fit the model's primary key field: it reads as "not found".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass
class ObjectState:
    content_type: ContentType
    object_id: str
    #: False when the model behind the content type is no longer installed.
    model_installed: bool
    instance: Model | None
    #: The latest deletion entry, when the object is gone.
    deletion: LogEntry | None
    admin_url: str | None
    title: str

    @property
    def exists(self) -> bool:
        return self.instance is not None


def object_entries(
    scoped: QuerySet[LogEntry], content_type: ContentType, object_id: str
) -> QuerySet[LogEntry]:
    """Every entry about one object, newest first from one index (migration 0003)."""
    return scoped.filter(content_type=content_type, object_id=object_id)


def find_instance(content_type: ContentType, object_id: str) -> Model | None:
    """The object if it still exists. The base manager, so a default manager that hides
    rows (soft deletion, tenancy) does not make a live row look deleted."""
    model = content_type.model_class()
    if model is None:
        return None
    try:
        pk = model._meta.pk.to_python(object_id)
        return model._base_manager.filter(pk=pk).first()
    except (ValidationError, ValueError, TypeError, OverflowError):
        return None


def admin_change_url(
    instance: Model, request: HttpRequest, site: AdminSite | None = None
) -> str | None:
    """The admin change page, if the admin would let this viewer change this object.

    Asked of the admin itself (the site's ``has_permission``, the ModelAdmin's
    ``has_change_permission``), so a project whose admin is stricter than the model
    permissions (superusers only, say) gets no link that leads to a refusal.
    """
    site = site or admin.site
    model = type(instance)
    if not site.is_registered(model) or not site.has_permission(request):
        return None
    if not site.get_model_admin(model).has_change_permission(request, instance):
        return None
    opts = instance._meta
    try:
        return reverse(
            f"{site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(instance.pk)]
        )
    except NoReverseMatch:  # a site whose URLs are not mounted
        return None


def object_state(
    content_type: ContentType,
    object_id: str,
    entries: QuerySet[LogEntry],
    request: HttpRequest,
    latest_repr: str | None,
) -> ObjectState:
    instance = find_instance(content_type, object_id)
    deletion = None
    if instance is None:
        deletion = (
            entries.filter(action_flag=DELETION)
            .select_related("user")
            .order_by("-action_time", "-id")
            .first()
        )
    title = str(instance) if instance is not None else (latest_repr or object_id)
    return ObjectState(
        content_type=content_type,
        object_id=object_id,
        model_installed=content_type.model_class() is not None,
        instance=instance,
        deletion=deletion,
        admin_url=admin_change_url(instance, request) if instance is not None else None,
        title=title,
    )
