"""The file backend: JSON-lines and classic text log files on the local disk.

Configured as ``"BACKEND": "auditconsole.sources.files.FileSource"``: that dotted path is
public (settings name it), so :class:`FileSource` is importable from this package.
Everything else here is the backend's own business; nothing outside ``sources/files/``
imports it, so another backend (a remote log store) sits beside this package and shares
only what ``auditconsole.sources`` itself holds.
"""

from __future__ import annotations

from auditconsole.sources.files.source import FileSource

__all__ = ["FileSource"]
