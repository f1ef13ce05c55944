"""Each unit's own findings (hạn chế, khuyết điểm) of an inspection, under the item of the task
that orders them fixed. A finding is part of its item: its changes are `items/findings.py`, its
forms `items/finding_forms.py`, and the item's fragment shows them (`findings/_list.html`); here
are the routes."""
