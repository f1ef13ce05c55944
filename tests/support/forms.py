"""The administrator's task form as a browser posts it: `form_of` (an existing task's, with
changes) and `new_form` (a new task's)."""

from __future__ import annotations

from portal.directives import lifecycle
from portal.extensions import db
from portal.models import Task


def form_of(app, task_id: int, **changes) -> dict:
    """What the edit form posts for a task left as it is, with `changes`."""
    from portal.admin.directives.task_forms import TaskForm

    with app.app_context():
        task = db.session.get(Task, task_id)
        data = TaskForm.data_of(task, lifecycle.active_units())
    data.update(changes)
    if data.pop("target_at_most"):
        data["target_at_most"] = "y"
    return data


def new_form(**changes) -> dict:
    return {"code": "9.1", "section": "", "title": "Báo cáo bổ sung về CCHC", "text": "",
            "kind": "report", "measure": "", "measure_unit": "", "target": "",
            "evidence_hint": "", "deadline": "30/09/2023", "audience": "all",
            "lead_unit": ""} | changes
