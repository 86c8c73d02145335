"""CSV export of LogEntry activity and log records. See docs/export.md.

- :mod:`.plans`: what one export writes, from the page's own query string and validation;
- :mod:`.resources`: the columns (django-import-export ``Resource`` classes);
- :mod:`.streaming`: the CSV written a chunk at a time, with flat memory;
- :mod:`.formulas`: escaping cells a spreadsheet would run as formulas;
- :mod:`.audit` and :mod:`.history`: recording each export, and reading the records back;
- :mod:`.naming`, :mod:`.summary`, :mod:`.changes`, :mod:`.widgets`, :mod:`.sql`: the details.
"""
