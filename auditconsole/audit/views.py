"""``AuditMixin``: CreateView, UpdateView and DeleteView that write the admin's LogEntry.

Put it first among the bases, e.g. ``class TicketUpdate(AuditMixin, LoginRequiredMixin,
UpdateView)``. It records what the admin would for the same edit: "Added." for a create,
"Changed Status and Priority." with the before/after values for an update, and the
object's repr for a delete; ``get_audit_message(form)`` adds your own text.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ObjectDoesNotExist
from django.db import router, transaction
from django.db.models import Field, Model
from django.forms import BaseForm, BaseModelForm
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.generic.edit import BaseDeleteView

from auditconsole.audit.log import log_action, write_log_entries
from auditconsole.audit.messages import build_change_message

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def _model_field(model: type[Model], name: str) -> Field[Any, Any] | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, Field) else None


def _current_value(instance: Model, field: Field[Any, Any]) -> Any:
    """The field's value on ``instance``: the related object for a foreign key."""
    if field.many_to_many:
        # A related manager: its rows as stored (the form saves new ones only later).
        return list(getattr(instance, field.name).all())
    try:
        return getattr(instance, field.name)
    except ObjectDoesNotExist:
        # A dangling foreign key (db_constraint=False): the id is all there is.
        return getattr(instance, field.attname)


def _form_labels(form: BaseForm, names: list[str]) -> dict[str, str]:
    """The labels the form shows, untranslated as the admin stores them.

    ``get_change_message()`` translates them when it renders. The bound field's label, not
    ``field.label``: for a field without one, the admin would store ``notify_customer``
    where the form says "Notify customer".
    """
    with translation.override(None):
        return {name: str(form[name].label) for name in names}


class AuditMixin:
    """Write a LogEntry after a successful create, update or delete.

    Nothing is written for an invalid form, and nothing survives a rolled-back transaction:
    creates and updates are logged in ``transaction.on_commit``; deletes are logged inside
    the same atomic block as the DELETE (see :meth:`_atomic_deletion`).
    """

    request: HttpRequest
    object: Any
    _audit_before: Model | None = None

    def get_audit_message(self, form: BaseForm | None) -> str | None:
        """Free text stored with the entry; ``None`` keeps the admin's wording alone.

        Called after the save (``self.object`` is the saved object) and before a delete.
        ``form`` is ``None`` for an HTTP DELETE request, which has no form.
        """
        return None

    def get_audit_user(self) -> AbstractBaseUser:
        user = self.request.user
        if not user.is_authenticated:
            # LogEntry.user is required. Refuse before saving rather than make a change
            # that cannot be audited: the view needs LoginRequiredMixin (or similar).
            raise ImproperlyConfigured(
                f"{type(self).__name__} uses AuditMixin but lets anonymous users change data; "
                "require a logged-in user (e.g. LoginRequiredMixin)."
            )
        return user

    # --- create and update -------------------------------------------------------------

    # The view AuditMixin is mixed into (a CreateView, UpdateView or DeleteView) has the
    # methods the ``super()`` calls below reach; the mixin itself has no such base.

    def get_form(self, form_class: type[BaseForm] | None = None) -> BaseForm:
        form: BaseForm = super().get_form(form_class)  # type: ignore[misc]
        if isinstance(form, BaseModelForm) and not form.instance._state.adding:
            # Validation writes the submitted values into form.instance (it is self.object),
            # so keep a copy of the stored values for the "before" half of the diff.
            self._audit_before = copy.copy(form.instance)
        return form

    def form_valid(self, form: BaseForm) -> HttpResponse:
        user = self.get_audit_user()
        if isinstance(self, BaseDeleteView):
            with self._atomic_deletion(user, form):
                deleted: HttpResponse = super().form_valid(form)  # type: ignore[misc]
                return deleted
        if not isinstance(form, BaseModelForm):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: AuditMixin records model changes and needs a ModelForm."
            )
        adding = form.instance._state.adding
        # M2M values must be read before the save replaces them.
        changes = {} if adding else self._changed_values(form)
        response: HttpResponse = super().form_valid(form)  # type: ignore[misc]
        obj: Model = self.object
        if adding:
            changes = self._created_values(form, obj)
        action = ADDITION if adding else CHANGE
        change_message = build_change_message(
            obj,
            action,
            self.get_audit_message(form),
            changes,
            _form_labels(form, list(changes)),
        )
        # on_commit: a rollback after this point (ATOMIC_REQUESTS, an outer atomic block)
        # must not leave an entry for a change that never happened. The message is built
        # now, while the form and the before/after values are at hand.
        transaction.on_commit(
            partial(write_log_entries, user, [obj], action, change_message),
            using=obj._state.db,
        )
        return response

    def _created_values(self, form: BaseModelForm[Any], obj: Model) -> dict[str, tuple[Any, Any]]:
        """Every submitted field with the value saved: what the object was created with."""
        values: dict[str, tuple[Any, Any]] = {}
        # In form order; a field a custom clean() dropped from cleaned_data was not saved.
        for name in [name for name in form.fields if name in form.cleaned_data]:
            field = _model_field(type(obj), name)
            if field is None or field.many_to_many:
                values[name] = (None, form.cleaned_data[name])
            else:
                values[name] = (None, _current_value(obj, field))
        return values

    def _changed_values(self, form: BaseModelForm[Any]) -> dict[str, tuple[Any, Any]]:
        """The form's changed fields (as the admin lists them) with old and new values."""
        values: dict[str, tuple[Any, Any]] = {}
        instance = form.instance
        for name in form.changed_data:
            field = _model_field(type(instance), name)
            new = form.cleaned_data.get(name)
            if field is None or self._audit_before is None:
                old = form.get_initial_for_field(form.fields[name], name)
            else:
                old = _current_value(self._audit_before, field)
                if not field.many_to_many:
                    new = _current_value(instance, field)
            values[name] = (old, new)
        return values

    # --- delete ------------------------------------------------------------------------

    @contextmanager
    def _atomic_deletion(self, user: AbstractBaseUser, form: BaseForm | None) -> Iterator[None]:
        """An atomic block, with the deletion logged, for the DELETE to run inside.

        Unlike create/update this cannot wait for on_commit: ``log_actions`` needs the
        object's pk and repr, but Django sets the pk to None on delete, and cascades may
        remove what ``__str__`` reads. So the entry is written first, as the admin's
        ``log_deletions()`` is, and atomicity gives the guarantee on_commit gives the
        others: the entry and the delete commit together or not at all (a ProtectedError,
        a failing signal handler or an outer rollback removes the entry too).
        """
        obj: Model = self.object
        with ExitStack() as stack:
            # Both databases, in case a router keeps LogEntry apart from the object.
            aliases = {router.db_for_write(type(obj), instance=obj), router.db_for_write(LogEntry)}
            for alias in sorted(aliases):
                stack.enter_context(transaction.atomic(using=alias))
            log_action(user, obj, DELETION, self.get_audit_message(form))
            yield

    @property
    def delete(self) -> Callable[..., HttpResponse]:
        """The HTTP DELETE handler, audited like the form's POST.

        DeletionMixin.delete() deletes without going through form_valid(), which would
        bypass the audit (htmx's hx-delete sends exactly that). Only delete views get a
        handler: View.dispatch() and the Allow header look handlers up with getattr and
        hasattr, so raising AttributeError keeps CreateView's and UpdateView's 405.
        """
        if not isinstance(self, BaseDeleteView):
            raise AttributeError("delete")
        return self._audited_http_delete

    def _audited_http_delete(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self.get_audit_user()
        self.object = self.get_object()  # type: ignore[attr-defined]
        with self._atomic_deletion(user, None):
            response: HttpResponse = super().delete(request, *args, **kwargs)  # type: ignore[misc]
            return response
