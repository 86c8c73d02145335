"""Writing LogEntry rows from your own code, through Django's supported API.

Everything goes through ``LogEntry.objects.log_actions()`` (Django >= 5.1), the call the
admin itself makes, so a custom ``LogEntryManager`` (and whatever it hooks) sees our rows
too. Like the admin, we pass a list of instances as its ``queryset``: it only iterates it,
and a real queryset would cost a SELECT and miss rows hidden by a filtering default manager.

The write is immediate and joins the caller's transaction: if that rolls back, the entry
goes with it. Log a deletion *before* deleting, as the admin does, while the object still
has its primary key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.admin.models import LogEntry
from django.db.models import Model

from auditconsole.audit.messages import Changes, build_change_message

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    UserLike = AbstractBaseUser | int


def user_pk(user: UserLike) -> Any:
    """The pk of ``user``: a user instance or a bare primary key."""
    pk = user if isinstance(user, int) and not isinstance(user, bool) else getattr(user, "pk", None)
    if pk is None:
        # LogEntry.user is a required foreign key: an anonymous change cannot be recorded.
        raise ValueError(f"A LogEntry needs a saved user; got {user!r}.")
    return pk


def _saved(objects: Iterable[Model]) -> list[Model]:
    saved = list(objects)
    for obj in saved:
        if obj.pk is None:
            raise ValueError(
                f"{type(obj).__name__} {obj!r} has no primary key: log an addition after "
                "saving, and a deletion before deleting."
            )
    return saved


def write_log_entries(
    user: UserLike,
    objects: list[Model],
    action: int,
    change_message: str | list[dict[str, Any]],
) -> list[LogEntry]:
    """One ``log_actions`` call; it inserts a single row, or bulk-creates several."""
    return LogEntry.objects.log_actions(
        user_id=user_pk(user),
        queryset=objects,
        action_flag=action,
        change_message=change_message,
        # The default, spelled out: django-stubs 5.2 otherwise picks the single-object overload.
        single_object=False,
    )


def log_action(
    user: UserLike,
    obj: Model,
    action: int,
    message: str | None = None,
    changes: Changes | None = None,
    *,
    labels: dict[str, str] | None = None,
) -> LogEntry:
    """Record that ``user`` added, changed or deleted ``obj``; return the LogEntry.

    ``message`` is free text, stored as the admin stores one. ``changes`` maps field names to
    ``(old, new)``; the admin's history then reads "Changed Status and Priority." and the
    console shows the values as a diff. Values of secret-looking fields are replaced by
    ``AUDITCONSOLE_REDACTED_PLACEHOLDER`` before anything is stored.
    """
    (saved,) = _saved([obj])
    change_message = build_change_message(saved, action, message, changes, labels)
    user_id = user_pk(user)
    return LogEntry.objects.log_actions(
        user_id=user_id,
        queryset=[saved],
        action_flag=action,
        change_message=change_message,
        single_object=True,
    )


def log_actions(
    user: UserLike,
    objects: Iterable[Model],
    action: int,
    message: str | None = None,
    changes: Changes | None = None,
) -> list[LogEntry]:
    """Record the same action on many objects in one bulk insert (imports, commands).

    ``objects`` may be a queryset or any iterable of saved instances; it is read once.
    ``changes``, if given, applies to every object (a bulk status update), so they must all
    be of one model for the field labels to mean anything.
    """
    saved = _saved(objects)
    if not saved:
        return []
    if changes and len({type(obj) for obj in saved}) > 1:
        raise ValueError("changes can only be shared by objects of one model.")
    change_message = build_change_message(saved[0], action, message, changes)
    return write_log_entries(user, saved, action, change_message)
