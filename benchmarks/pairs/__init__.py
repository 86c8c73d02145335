"""One module per area, each measuring ours against that area's anchor.

``database`` builds the LogEntry dataset and runs the ``activity`` and ``export`` pairs on
it (once per database); ``logs`` and ``tail`` need no database of their own. Each can be
run alone (``python -m benchmarks.pairs.logs --help``); the harness runs them all.
"""
