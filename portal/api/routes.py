"""JSON views. The same roles as the matrix page read them; Vietnamese is written as UTF-8 text.

A logged-out request is refused with 401 and `{"error": "Chưa đăng nhập"}` when it asks for JSON
(Accept: application/json); a browser (or htmx) is sent to the login page like everywhere else.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, request
from flask_login import current_user

from ..deadlines import today
from ..matrix import model
from ..permissions import READ_EVERYTHING, roles_required

bp = Blueprint("api", __name__, url_prefix="/api")


def json_response(payload, status: int = 200):
    """`ensure_ascii=False` here, not app-wide: "Phường" stays readable in the bytes."""
    return current_app.response_class(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


@bp.before_request
def _logged_in():
    if current_user.is_authenticated:
        return None
    if _wants_json():
        return json_response({"error": "Chưa đăng nhập"}, 401)
    return current_app.login_manager.unauthorized()


@bp.get("/directives/<int:directive_id>/matrix")
@roles_required(*READ_EVERYTHING)
def matrix(directive_id: int):
    """The matrix as data; 304 while the directive's revision and the day are unchanged."""
    on = today()
    revision = model.directive_revision(directive_id)
    if f"{revision}.{on.isoformat()}" in request.if_none_match:
        response = current_app.response_class(status=304)
        response.set_etag(f"{revision}.{on.isoformat()}")
        return response
    m = model.matrix(directive_id, on)
    response = json_response(matrix_data(m))
    response.set_etag(f"{m.revision}.{on.isoformat()}")
    return response


def _day(value) -> str | None:
    return value.isoformat() if value else None


def matrix_data(m: model.Matrix) -> dict:
    directive = m.directive
    return {
        "directive": {"id": directive.id, "title": directive.title, "number": directive.number,
                      "revision": m.revision,
                      # True: "trước ngày 16/06" lets the 16th count; False: the 15th is the last.
                      "deadline_day_counts": directive.deadline_day_counts},
        "on": m.on.isoformat(),
        "tasks": [
            {"id": c.task_id, "code": c.code, "title": c.title, "deadline": _day(c.deadline),
             "measure": c.measure, "measure_unit": c.measure_unit or None, "target": c.target,
             "target_at_most": c.target_at_most}
            for c in m.columns
        ],
        "units": [
            {"id": r.unit_id, "name": r.name, "kind": r.kind.value, "kind_label": r.kind.label,
             "done": r.done, "assigned": r.assigned, "overdue": r.overdue}
            for r in m.rows
        ],
        "cells": [
            {"item_id": cell.item_id, "unit_id": r.unit_id, "task_id": c.task_id,
             "status": cell.status.value, "status_label": cell.status.label,
             "deadline_state": cell.state.value, "deadline_state_label": cell.state.label,
             "deadline": _day(cell.deadline), "figure": cell.figure,
             "evidence_count": cell.evidence_count,
             "findings": {"total": cell.findings, "fixed": cell.fixed}}
            for r in m.rows for c in m.columns if (cell := r.cells.get(c.task_id))
        ],
    }
