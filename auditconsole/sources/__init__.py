"""Log sources: configured files (or, later, remote stores) read as streams of records.

The public entry points, importable from here::

    from auditconsole.sources import get_source, sources_for_user

* :func:`~auditconsole.sources.registry.get_source` / ``get_source_for_user`` /
  ``sources_for_user`` / ``merged_source_for_user`` (:mod:`.registry`);
* :class:`~auditconsole.sources.base.LogSource`, the interface every backend implements
  (:mod:`.base`), and :class:`~auditconsole.sources.files.FileSource`, the file backend
  (the :mod:`.files` package, which holds all of its internals);
* :class:`~auditconsole.sources.tails.TailResult` (:mod:`.tails`) and
  :func:`~auditconsole.sources.follow.follow` (:mod:`.follow`): the live tail, without HTTP;
* :class:`~auditconsole.sources.records.Record` (:mod:`.records`),
  :class:`~auditconsole.sources.query.Query` and its form (:mod:`.query`), signed cursors
  (:mod:`.cursor`).

See ``docs/sources.md`` for the interface and the configuration.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "get_source": "registry",
    "get_source_for_user": "registry",
    "sources_for_user": "registry",
    "merged_source_for_user": "registry",
    "UnknownSource": "registry",
    "LogSource": "base",
    "Page": "base",
    "TailResult": "tails",
    "Record": "records",
    "RecordRef": "records",
    "Query": "query",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    # Lazy, so that importing a submodule (records -> levels) never imports the registry.
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(import_module(f"auditconsole.sources.{module}"), name)
