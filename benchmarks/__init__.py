"""Benchmarks: the console's figures against the tools a user would otherwise reach for.

``make bench`` (``python -m benchmarks``, :mod:`benchmarks.harness`) runs every pair and
writes ``docs/benchmarks.md``. The per-area scripts (``python -m benchmarks.activity``,
``python benchmarks/sources.py``, ``python benchmarks/tail.py``...) measure one area in
more depth. Nothing here is part of the test suite: timings belong in notes, not in
assertions.
"""
