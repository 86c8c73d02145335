"""``LogSourceTrail``: audit events read from a configured log source.

django-activity-audit's ``audit.model`` records work by default: ``event_type`` (CREATE,
UPDATE, DELETE, the BULK_ and M2M events; its PRE_ events are not changes and are
skipped), ``model`` (the class name), ``instance_id``, ``instance_repr`` (the instance
as a dict) and ``user_id``. ``OPTIONS["fields"]`` renames them for another shape, and
``OPTIONS["logger"]`` names the logger (``""``: every record of the source).

The model name is mapped to a content type by ``app_label.model`` or, failing that, by a
unique model name; ``OPTIONS["models"]`` settles ambiguous ones
(``{"Order": "shop.order"}``). Before and after values come from consecutive
``instance_repr`` snapshots of one instance. The source masks every record it hands out
(activity-audit writes password hashes into ``instance_repr``), and the field changes
are masked once more, as every trail's are.

Records are positioned by ``(time, trail, (device, inode, offset))``; a page scans the
source newest first, as its browse page does, with no budget: this trail is for modest
audit logs, not for millions of lines (the benchmarks measure LogEntry and simple-history).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from auditconsole.activity.scoping import Scope
from auditconsole.changes import FieldChange
from auditconsole.redaction import Redactor
from auditconsole.sources.base import LogSource
from auditconsole.sources.query import Query
from auditconsole.sources.records import Record
from auditconsole.sources.registry import get_source
from auditconsole.trails.base import ACTION, DATE, MODEL, OBJECT, USER, Trail, TrailQuery
from auditconsole.trails.entries import ADDITION, CHANGE, DELETION, TrailEntry
from auditconsole.trails.positions import Position
from auditconsole.trails.values import json_value, labels_of

EVENT_ACTIONS: dict[str, str] = {
    "CREATE": ADDITION,
    "BULK_CREATE": ADDITION,
    "UPDATE": CHANGE,
    "BULK_UPDATE": CHANGE,
    "M2M": CHANGE,
    "DELETE": DELETION,
}
DEFAULT_FIELDS: dict[str, str] = {
    "event_type": "event_type",
    "model": "model",
    "instance_id": "instance_id",
    "instance_repr": "instance_repr",
    "user_id": "user_id",
}
#: Records looked at beyond a page for the previous snapshot of its instances.
PREVIOUS_SCAN = 10_000


@dataclass(frozen=True)
class AuditRecord:
    """One audit event of the log, as the trail reads it."""

    record: Record
    position: Position
    action: str
    content_type_id: int | None
    object_id: str
    snapshot: dict[str, Any] | None
    user: str

    @property
    def instance(self) -> tuple[int | None, str]:
        return self.content_type_id, self.object_id


class LogSourceTrail(Trail):
    default_label = "Audit log file"
    filters: ClassVar[frozenset[str]] = frozenset({MODEL, OBJECT, USER, ACTION, DATE})

    def __init__(self, key: str, config: dict[str, Any]) -> None:
        super().__init__(key, config)
        self.fields = {**DEFAULT_FIELDS, **(self.options.get("fields") or {})}
        self.logger: str = self.options.get("logger", "audit.model")
        self.model_names: dict[str, str] = dict(self.options.get("models") or {})

    @property
    def source(self) -> LogSource:
        return get_source(str(self.options.get("source")))

    def visible_to(self, user: Any) -> bool:
        """The trail's permission and its source's: this trail shows what the source holds."""
        try:
            source = self.source
        except (LookupError, ImproperlyConfigured):
            return False
        return super().visible_to(user) and source.visible_to(user)

    # -- mapping -----------------------------------------------------------------------

    def content_types(self) -> dict[str, int]:
        return model_content_types(self.model_names)

    def read(self, record: Record, content_types: dict[str, int]) -> AuditRecord | None:
        """The audit event a record holds; ``None`` for anything else (no time, no event
        this trail maps, a malformed line)."""
        if record.time is None or record.malformed:
            return None
        event = record.lookup(self.fields["event_type"])
        action = EVENT_ACTIONS.get(str(event).upper()) if isinstance(event, str) else None
        if action is None:
            return None
        model = record.lookup(self.fields["model"])
        content_type_id = content_types.get(str(model).lower()) if model else None
        instance_id = record.lookup(self.fields["instance_id"])
        snapshot = record.lookup(self.fields["instance_repr"])
        user = record.lookup(self.fields["user_id"])
        return AuditRecord(
            record=record,
            position=Position(record.time, self.key, (*record.file_id, record.offset)),
            action=action,
            content_type_id=content_type_id,
            object_id="" if instance_id in (None, "") else str(instance_id),
            snapshot=snapshot if isinstance(snapshot, dict) else None,
            user="" if user in (None, "") else str(user),
        )

    def events(self, query: Query) -> Iterator[AuditRecord]:
        """Every audit event of the source matching ``query``, newest first."""
        content_types = self.content_types()
        records = self.source.iter_records(query)
        try:
            for record in records:
                event = self.read(record, content_types)
                if event is not None:
                    yield event
        finally:
            close = getattr(records, "close", None)
            if close is not None:
                close()

    def matches(self, event: AuditRecord, query: TrailQuery, scope: Scope) -> bool:
        if event.content_type_id is None:
            if not scope.unrestricted:
                return False
        elif not scope.allows(event.content_type_id):
            return False
        if query.content_type is not None and event.content_type_id != query.content_type.pk:
            return False
        if query.object_id is not None and event.object_id != query.object_id:
            return False
        if query.user_id is not None and event.user != str(query.user_id):
            return False
        return not query.actions or event.action in query.actions

    # -- reading -----------------------------------------------------------------------

    def fetch(
        self,
        query: TrailQuery,
        scope: Scope,
        *,
        cursor: Position | None,
        older: bool,
        limit: int,
    ) -> list[TrailEntry]:
        since, until = query.since, query.until
        if cursor is not None and not older:
            since = cursor.time if since is None else max(since, cursor.time)
        wanted = (
            event
            for event in self.events(Query(logger=self.logger, since=since, until=until))
            if self.matches(event, query, scope)
            and (since is None or event.position.time >= since)
            and (until is None or event.position.time < until)
        )
        if older:
            picked = take_older(wanted, cursor, limit)
        else:
            picked = sorted(
                (e for e in wanted if cursor is None or e.position > cursor),
                key=lambda e: e.position,
            )[:limit]
        previous = self.previous(picked)
        users = user_names(e.user for e in picked)
        redactor = Redactor()
        return [self.entry(e, previous.get(e.position), users, redactor) for e in picked]

    def previous(self, picked: list[AuditRecord]) -> dict[Position, AuditRecord]:
        """The previous snapshot of each picked event's instance, scanning back from them."""
        if not picked:
            return {}
        positions = {e.position for e in picked}
        oldest = min(positions)
        newest = max(positions)
        waiting: dict[tuple[int | None, str], AuditRecord] = {}
        found: dict[Position, AuditRecord] = {}
        beyond = 0
        # Newest first down from the newest picked event, each event waiting for the next
        # older one of its instance.
        scan = self.events(Query(logger=self.logger, until=newest.time + _TICK))
        for event in scan:
            waiting_for = waiting.get(event.instance)
            if waiting_for is not None and event.position < waiting_for.position:
                found[waiting_for.position] = event
                del waiting[event.instance]
            if event.position in positions:
                waiting[event.instance] = event
            if event.position < oldest:
                beyond += 1
                if not waiting or beyond > PREVIOUS_SCAN:
                    break
        return found

    def entry(
        self,
        event: AuditRecord,
        previous: AuditRecord | None,
        users: dict[str, tuple[int, str]],
        redactor: Redactor,
    ) -> TrailEntry:
        user = users.get(event.user)
        snapshot = event.snapshot or {}
        record = event.record
        model = (
            ContentType.objects.get_for_id(event.content_type_id).model_class()
            if event.content_type_id is not None
            else None
        )
        return TrailEntry(
            time=event.position.time,
            trail=self.key,
            tiebreak=event.position.tiebreak,
            action=event.action,
            content_type_id=event.content_type_id,
            object_id=event.object_id,
            # activity-audit keeps no name of the instance (its instance_repr is a
            # snapshot of the fields): the message is the summary, not the object's name.
            object_repr="",
            user_id=user[0] if user is not None else None,
            user_name=user[1] if user is not None else event.user,
            summary=redactor.redact_text(record.message),
            changes=tuple(
                change.masked(redactor)
                for change in snapshot_changes(event.action, previous, snapshot, labels_of(model))
            ),
            link=record_url(record),
        )

    # -- configuration -----------------------------------------------------------------

    @classmethod
    def check_config(cls, key: object, config: dict[str, Any]) -> list[checks.CheckMessage]:
        messages = super().check_config(key, config)
        options = config.get("OPTIONS") or {}
        source = options.get("source") if isinstance(options, dict) else None
        try:
            get_source(str(source))
        except (LookupError, ImproperlyConfigured):
            messages.append(
                checks.Error(
                    f"Trail {key!r}: OPTIONS['source'] must name a configured log source, "
                    f"not {source!r}.",
                    id="auditconsole.E146",
                )
            )
        return messages


_TICK = datetime.timedelta(microseconds=1)


def model_content_types(overrides: dict[str, str] | None = None) -> dict[str, int]:
    """Model names (``app_label.model`` and unique class names, lower-cased) to content
    type ids; ``overrides`` (``{"Name in the log": "app_label.model"}``) settle the rest."""
    by_label: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for model in apps.get_models():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        by_label[model._meta.label_lower] = content_type.pk
        by_name.setdefault(model.__name__.lower(), []).append(content_type.pk)
    names = {name: ids[0] for name, ids in by_name.items() if len(ids) == 1}
    names.update(by_label)
    for name, label in (overrides or {}).items():
        if label.lower() in by_label:
            names[name.lower()] = by_label[label.lower()]
    return names


def take_older(
    events: Iterator[AuditRecord], cursor: Position | None, limit: int
) -> list[AuditRecord]:
    """The ``limit`` newest events older than ``cursor``, from a stream in time order
    (ties in any order): read on until the time drops below the last one kept."""
    picked: list[AuditRecord] = []
    for event in events:
        if cursor is not None and not event.position < cursor:
            continue
        if len(picked) >= limit and event.position.time < picked[-1].position.time:
            break
        picked.append(event)
    return sorted(picked, key=lambda e: e.position, reverse=True)[:limit]


def snapshot_changes(
    action: str,
    previous: AuditRecord | None,
    snapshot: dict[str, Any],
    labels: dict[str, str],
) -> list[FieldChange]:
    if action == DELETION:
        return []
    before = (previous.snapshot or {}) if previous is not None else None
    changes = []
    for name, value in snapshot.items():
        if name in ("id", "pk"):
            continue
        if before is None:
            if value in (None, "", []):
                continue
            changes.append(FieldChange(name, labels.get(name, name), None, json_value(value)))
        elif before.get(name) != value:
            changes.append(
                FieldChange(
                    name, labels.get(name, name), json_value(before.get(name)), json_value(value)
                )
            )
    return changes


def user_names(stored: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Stored user ids that name an existing user: ``(pk, user name)``, in one query."""
    wanted = {value for value in stored if value.isdigit()}
    if not wanted:
        return {}
    users = get_user_model()._default_manager.filter(pk__in=sorted(int(v) for v in wanted))
    return {str(user.pk): (user.pk, user.get_username()) for user in users}


def record_url(record: Record) -> str:
    return reverse("auditconsole:record", kwargs={"key": record.source, "ref": record.token})
