"""The activity browser over Django's ``LogEntry``: filters, facets, paging, chart, drill-down.

Each module holds one concept and can be used without HTTP; the views in
:mod:`auditconsole.views.activity` only glue them together.
"""
