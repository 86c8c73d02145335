"""Signed, opaque positions: page cursors, record references and tail cursors.

A position names files by ``(st_dev, st_ino)`` and byte offsets, never by path, and it
is signed with :mod:`django.core.signing` (a salt per kind, so a tail cursor cannot be
replayed as a record reference) and bound to the source it was issued for. A forged,
truncated or foreign token raises :class:`InvalidCursor`, which views turn into a form
error or a 404, never a traceback. Tokens are compressed JSON: short enough for a URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias, TypeGuard

from django.core import signing

PAGE = "page"
REF = "ref"
TAIL = "tail"
KINDS: tuple[str, ...] = (PAGE, REF, TAIL)

#: What a cursor carries: JSON, as :func:`dumps` signs it and :func:`loads` reads it back.
#: ``None`` means "from the newest". Each backend gives it a shape (``FileSource``: one
#: position per stream, see :mod:`auditconsole.sources.files.positions`) and checks that
#: shape when the state comes back, since a signed state is trusted not to be forged but
#: not to be well-formed. Read-only containers, so a ``list[int]`` is a ``State``.
State: TypeAlias = bool | int | float | str | Sequence["State"] | Mapping[str, "State"] | None

#: No legitimate token comes near this; longer input is refused before any work.
MAX_TOKEN_LENGTH = 4096


def is_count(value: object) -> TypeGuard[int]:
    """A non-negative ``int`` (not a ``bool``): what offsets, inodes and checksums must be."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class InvalidCursor(ValueError):
    """The token was not issued by this site for this source and purpose."""


def _salt(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown cursor kind {kind!r}")
    return f"auditconsole.sources.cursor.{kind}"


def dumps(kind: str, scope: str, state: State) -> str:
    """Sign ``state`` (JSON-able) for use with the source (or merged view) ``scope``."""
    return signing.dumps([scope, state], salt=_salt(kind), compress=True)


def loads(kind: str, scope: str, token: object) -> State:
    """The state inside ``token``, if it was issued for ``kind`` and ``scope``."""
    salt = _salt(kind)
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidCursor("missing or oversized cursor")
    try:
        payload = signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidCursor("cursor signature does not match") from exc
    if not isinstance(payload, list) or len(payload) != 2 or payload[0] != scope:
        raise InvalidCursor("cursor was issued for another source")
    state: State = payload[1]
    return state
