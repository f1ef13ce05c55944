"""A unit's checklist of a directive: its items, their figures, notes and evidence."""
