"""Tổng hợp: the whole year at a glance. Every directive of a period with its figures
(`/overview`), a unit's scorecard across directives (`/units/<id>`), and the ranking of units for
the yearly evaluation by the formula Phòng Nội vụ sets (`/overview/ranking`, in Excel and as a
Word annex). `queries.py` reads every figure set in a fixed number of statements, `scoring.py`
holds the formula, `exports.py` the files."""
