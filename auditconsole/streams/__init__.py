"""The pushed live tail: Server-Sent Events under ASGI.

Each server process keeps one :class:`~auditconsole.streams.hub.Hub` on its event loop. It
watches each followed source once (:mod:`.watch`: inotify, and a stat poll as the safety
net; a source with nothing to watch is polled), calls
:func:`~auditconsole.sources.follow.since` once per filter and position when the source
changes, renders that batch once (:mod:`.batches`) and hands the same bytes to every tab
at that position with that filter. The view (:mod:`auditconsole.views.tail_stream`) checks
the session, the source and the caps, then relays a subscriber's batches as events
(:mod:`.sse`). See ``docs/tail.md``.
"""

from __future__ import annotations
