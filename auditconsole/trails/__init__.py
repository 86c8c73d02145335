"""Audit trails: every record of "who changed what" a project keeps, read as one shape.

A trail is a backend configured like a log source (``AUDITCONSOLE_TRAILS``, see
:mod:`auditconsole.trails.registry`): ``LogEntryTrail`` reads the admin's log,
``SimpleHistoryTrail`` django-simple-history's historical tables. Each returns
:class:`~auditconsole.trails.entries.TrailEntry` objects, newest first, in keyset order
(:mod:`auditconsole.trails.positions`); :mod:`auditconsole.trails.timeline` merges several
trails into one timeline and folds the entries two trails recorded for one change.
See ``docs/trails.md``.
"""
