"""JSON views. The same roles as the matrix page read them; Vietnamese is written as UTF-8 text.

The matrix comes a page of units at a time (`?page=`, `UNITS_PER_PAGE` units, `?per_page=` up to
`MAX_PER_PAGE`), in the matrix's order, with those units' cells: `units_total`, `page`, `pages`,
and `next`/`previous` (the URL of the page, or null; also in the Link header). Only the page's
units are read in full (`matrix.model.rows_of`).

Where units have areas (địa bàn), each unit carries its `area` (id, name and `path`, the names
from the top of the tree down to it; null for a unit in no area), and every page carries `areas`:
each area whose subtree holds units of the directive, in the tree's order, with the figures of
its whole subtree (the matrix's roll-ups, `matrix.areas.every_area`), then the units in no area
(`id` null). A city whose units have no areas gets neither.

A logged-out request is refused with 401 and `{"error": "Chưa đăng nhập"}` when it asks for JSON
(Accept: application/json); a browser (or htmx) is sent to the login page like everywhere else.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user

from .. import areas
from ..deadlines import today
from ..matrix import model
from ..matrix.areas import every_area, places
from ..permissions import READ_EVERYTHING, roles_required
from ..query_string import number

bp = Blueprint("api", __name__, url_prefix="/api")

UNITS_PER_PAGE = 100
MAX_PER_PAGE = 500


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
    """A page of the matrix as data; 304 while the directive's revision and the day are
    unchanged."""
    on = today()
    revision = model.directive_revision(directive_id)
    if f"{revision}.{on.isoformat()}" in request.if_none_match:
        response = current_app.response_class(status=304)
        response.set_etag(f"{revision}.{on.isoformat()}")
        return response
    index = model.matrix_index(directive_id, on)
    per_page = min(number(request.args, "per_page") or UNITS_PER_PAGE, MAX_PER_PAGE)
    pages = max(1, -(-len(index.rows) // per_page))
    page = min(number(request.args, "page") or 1, pages)
    shown = index.rows[(page - 1) * per_page: page * per_page]

    def link(to: int) -> str | None:
        if not 1 <= to <= pages:
            return None
        wanted = {"page": to} | ({"per_page": per_page} if per_page != UNITS_PER_PAGE else {})
        return url_for(".matrix", directive_id=directive_id, **wanted)

    data = matrix_data(index, model.rows_of(index, shown))
    data.update(units_total=len(index.rows), page=page, pages=pages, per_page=per_page,
                next=link(page + 1), previous=link(page - 1))
    response = json_response(data)
    if data["next"]:
        response.headers["Link"] = f'<{data["next"]}>; rel="next"'
    response.set_etag(f"{index.revision}.{on.isoformat()}")
    return response


def _day(value) -> str | None:
    return value.isoformat() if value else None


def matrix_data(index: model.MatrixIndex, rows: list[model.Row]) -> dict:
    """The directive, its tasks, and `rows` (units) with their cells; where units have areas,
    each unit's and every area's roll-up."""
    directive = index.directive
    data = {
        "directive": {"id": directive.id, "title": directive.title, "number": directive.number,
                      "revision": index.revision,
                      # True: "trước ngày 16/06" lets the 16th count; False: the 15th is the last.
                      "deadline_day_counts": directive.deadline_day_counts},
        "on": index.on.isoformat(),
        "tasks": [
            {"id": c.task_id, "code": c.code, "title": c.title, "deadline": _day(c.deadline),
             "measure": c.measure, "measure_unit": c.measure_unit or None, "target": c.target,
             "target_at_most": c.target_at_most}
            for c in index.columns
        ],
        "units": [
            {"id": r.unit_id, "name": r.name, "kind": r.kind.value, "kind_label": r.kind.label,
             "done": r.done, "assigned": r.assigned, "overdue": r.overdue}
            for r in rows
        ],
        "cells": [
            {"item_id": cell.item_id, "unit_id": r.unit_id, "task_id": c.task_id,
             "status": cell.status.value, "status_label": cell.status.label,
             "deadline_state": cell.state.value, "deadline_state_label": cell.state.label,
             "deadline": _day(cell.deadline), "figure": cell.figure,
             "evidence_count": cell.evidence_count,
             "findings": {"total": cell.findings, "fixed": cell.fixed}}
            for r in rows for c in index.columns if (cell := r.cells.get(c.task_id))
        ],
    }
    nodes = areas.tree() if any(row.area_id is not None for row in index.rows) else []
    place_of = places(index, nodes)
    if place_of:
        for unit in data["units"]:
            place = place_of.get(unit["id"])
            unit["area"] = {"id": place.id, "name": place.name, "path": list(place.path)} \
                if place else None
        data["areas"] = [
            {"id": area.node.id if area.node else None, "name": area.name,
             "path": [*area.above, area.name] if area.node else [],
             "depth": area.node.depth if area.node else None, "units": area.units,
             "assigned": area.assigned, "awaiting_review": area.submitted, "done": area.done,
             "overdue": area.overdue, "percent": area.percent}
            for area in every_area(index, nodes)]
    return data
