"""Where the live tail finds :func:`~auditconsole.links.url_with`, the console's one link
builder (``views/tail.py`` imports it from here)."""

from __future__ import annotations

from auditconsole.links import url_with

__all__ = ["url_with"]
