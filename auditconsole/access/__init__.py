"""The console's own reads, on record: pages opened, searches run, tails started.

PCI DSS 10.2.1.3 asks that every access to audit logs be logged itself. The console
writes one JSON record per page view or tail start to the ``auditconsole.access`` logger
(:mod:`auditconsole.access.record`), into its own log beside the export records, and
reads them back for the "Viewed by" and "Recent searches" panels
(:mod:`auditconsole.access.history`), which ``auditconsole.view_access`` opens.
"""
