"""The audit log as administrators read it (/admin/audit): the filters (forms.py), the events
they select a page at a time and the check of the chain of hashes (queries.py), the events shown
readably (view.py), the Excel export (export.py) and the routes (routes.py)."""
