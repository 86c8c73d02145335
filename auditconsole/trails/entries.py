"""The one shape of an audit entry, whichever trail recorded it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from auditconsole.changes import FieldChange
from auditconsole.trails.positions import Position

#: Actions every trail maps its own onto (the activity list's names, plus two more).
ADDITION = "addition"
CHANGE = "change"
DELETION = "deletion"
ACCESS = "access"
LOGIN = "login"
ACTION_LABELS: dict[str, str] = {
    ADDITION: "Addition",
    CHANGE: "Change",
    DELETION: "Deletion",
    ACCESS: "Access",
    LOGIN: "Login",
}


@dataclass(frozen=True)
class Fact:
    """An extra fact a trail keeps beside the change: IP address, reason, request id..."""

    label: str
    value: str


@dataclass(frozen=True)
class TrailEntry:
    """One entry of one trail.

    ``user_id`` is the user's key when the trail stored one and the user still exists
    (the page links it); ``user_name`` is what the trail stored otherwise (or the user's
    name). ``summary``, ``message``, ``changes`` and ``facts`` are already masked: a
    trail masks what it reads (:meth:`FieldChange.masked`, :class:`~auditconsole.redaction.Redactor`).
    """

    time: datetime.datetime
    trail: str
    tiebreak: tuple[int, ...]
    action: str
    content_type_id: int | None
    object_id: str
    #: The object's name as the trail stored it; ``""`` when the trail keeps none.
    object_repr: str
    user_id: int | None = None
    user_name: str = ""
    #: A one-line account of the change ("Changed Name and Email.").
    summary: str = ""
    #: Free text recorded with the change (a reason, a comment).
    message: str | None = None
    changes: tuple[FieldChange, ...] = ()
    facts: tuple[Fact, ...] = ()
    #: Where the trail itself shows the entry (its admin history page), if anywhere.
    link: str = ""
    #: Field names or labels the trail says changed, when it has no values for them
    #: (the admin's "Changed Name.") : what de-duplication compares beside ``changes``.
    changed_names: tuple[str, ...] = field(default=())
    #: The entry's id in a page, when the trail keeps an older one (LogEntry: ``entry-<pk>``).
    anchor: str = ""

    @property
    def position(self) -> Position:
        return Position(self.time, self.trail, self.tiebreak)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action.capitalize())

    @property
    def dom_id(self) -> str:
        """The entry's id in a page: ``entry-<trail>-<key>`` unless the trail names it."""
        return self.anchor or f"entry-{self.trail}-{'-'.join(str(part) for part in self.tiebreak)}"

    def field_names(self) -> frozenset[str]:
        """Every name this entry gives the fields it changed, lower-cased."""
        names = {name.lower() for name in self.changed_names}
        for change in self.changes:
            names.update((change.field.lower(), change.label.lower()))
        return frozenset(names)
