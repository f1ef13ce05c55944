"""The dashboard page: one read of the review matrix, laid out as tables and SVG charts."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from ..deadlines import DeadlineState, today
from ..findings.queries import by_field as findings_by_field
from ..matrix import charts
from ..matrix.model import completion_over_time, matrix
from ..permissions import READ_EVERYTHING, roles_required

bp = Blueprint("dashboard", __name__)

BEHIND_COUNT = 10


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here is for logged-in users only."""


@bp.get("/directives/<int:directive_id>/dashboard")
@roles_required(*READ_EVERYTHING)
def dashboard(directive_id: int):
    m = matrix(directive_id, today())
    totals = m.totals()
    overdue = m.overdue_items()
    over_time = completion_over_time(m)
    kinds = [(kind, m.totals(rows)) for kind, rows in m.by_kind()]
    metrics = [
        {
            "column": column,
            "target": charts.target_text(column),
            "figures": [(row, cell, column.result(cell.figure))
                        for row, cell in m.figures(column)],
            "reported": sum(cell.figure is not None for _, cell in m.figures(column)),
            "chart": charts.metric(m, column),
        }
        for column in m.metric_columns
    ]
    return render_template(
        "dashboard/dashboard.html",
        m=m,
        directive=m.directive,
        totals=totals,
        kinds=kinds,
        states=m.by_state(),
        awaiting=totals["by_state"][DeadlineState.AWAITING_REVIEW],
        overdue=overdue,
        overdue_by_task=_by_task(overdue),
        behind=m.furthest_behind(BEHIND_COUNT),
        behind_count=BEHIND_COUNT,
        metrics=metrics,
        findings=findings_by_field(directive_id),
        kind_chart=charts.completion_by_kind(m),
        state_chart=charts.deadline_states(m),
        over_time=over_time,
        time_chart=charts.completion_over_time(over_time),
    )


def _by_task(items: list[tuple]) -> list[tuple]:
    """Overdue items grouped under their task, tasks in the order of their earliest deadline."""
    groups: dict[int, tuple] = {}
    for row, column, cell in items:
        groups.setdefault(column.task_id, (column, []))[1].append((row, cell))
    return list(groups.values())
