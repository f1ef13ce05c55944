"""Exports: the matrix as Excel and CSV, the official report to the city's leadership as Word
(with PNG charts), and a unit's own checklist with its evidence as a ZIP.

routes.py checks who may download what (the same roles as the page each export comes from);
queries.py reads what the matrix does not hold (and who signs the report); spreadsheet.py,
official.py (on layout.py, the decree's page and styles), pictures.py and archive.py write the
files.
"""
