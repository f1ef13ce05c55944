"""The dashboard page. A directive that reaches up to DETAIL_UNITS units: one read of the review
matrix, laid out unit by unit as tables and SVG charts. A larger one (a province, the country):
sums read in the database (`queries`), per kind, per deadline state and per area, with the ten
units least done and most overdue; every unit's line is in the full table, a page at a time
(`units`). Both show each area's roll-up where units have areas."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from ..deadlines import DeadlineState, today
from ..findings.queries import by_field as findings_by_field
from ..matrix import charts
from ..matrix.model import completion_over_time, matrix
from ..permissions import READ_EVERYTHING, roles_required
from ..query_string import number
from . import queries

bp = Blueprint("dashboard", __name__)

BEHIND_COUNT = 10
# Past this many units a unit-by-unit dashboard is too long to read and too heavy to send.
DETAIL_UNITS = 100


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here is for logged-in users only."""


@bp.get("/directives/<int:directive_id>/dashboard")
@roles_required(*READ_EVERYTHING)
def dashboard(directive_id: int):
    directive = queries.published(directive_id)
    on = today()
    tallies = queries.unit_tallies(directive, on)
    area_rows = queries.by_area(tallies)
    if len(tallies) > DETAIL_UNITS:
        return _summary(directive, on, tallies, area_rows)
    m = matrix(directive_id, on)
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
        area_rows=area_rows,
    )


def _summary(directive, on, tallies, area_rows):
    """The dashboard of a directive too large to lay out unit by unit."""
    totals = queries.total(tallies)
    kinds = queries.by_kind(tallies)
    states = queries.states(directive, on)
    assigned = totals.assigned
    shares = [(state, count, round(100 * count / assigned) if assigned else 0)
              for state, count in states.counts.items()]
    over_time = queries.over_time(directive, totals, on)
    return render_template(
        "dashboard/summary.html",
        directive=directive,
        on=on,
        totals=totals,
        kinds=kinds,
        states=shares,
        awaiting=states.counts[DeadlineState.AWAITING_REVIEW],
        area_rows=area_rows,
        least_done=queries.least_done(tallies, BEHIND_COUNT),
        most_overdue=queries.most_overdue(tallies, BEHIND_COUNT),
        overdue_tasks=states.most_overdue_tasks(BEHIND_COUNT),
        top_count=BEHIND_COUNT,
        metrics=queries.metrics(directive, on),
        findings=findings_by_field(directive.id),
        kind_chart=charts.completion_by_kind_of(totals, kinds),
        state_chart=charts.deadline_states_of(shares),
        columns=len(states.tasks),
        over_time=over_time,
        time_chart=charts.completion_over_time(over_time),
    )


@bp.get("/directives/<int:directive_id>/dashboard/units")
@roles_required(*READ_EVERYTHING)
def units(directive_id: int):
    """Every unit's line of the dashboard, a page at a time, in an area (and below it) or all."""
    directive = queries.published(directive_id)
    on = today()
    tallies = queries.unit_tallies(directive, on)
    area_id = number(request.args, "area")
    area = queries.area_named(area_id) if area_id else None
    if area is not None:
        tallies = queries.in_area(tallies, area.id)
    shown, page, pages = queries.page_of(tallies, number(request.args, "page") or 1)
    return render_template(
        "dashboard/units.html", directive=directive, on=on, area=area, tallies=shown,
        count=len(tallies), page=page, pages=pages, first=(page - 1) * queries.PAGE_SIZE,
        area_names=queries.area_names(),
    )


def _by_task(items: list[tuple]) -> list[tuple]:
    """Overdue items grouped under their task, tasks in the order of their earliest deadline."""
    groups: dict[int, tuple] = {}
    for row, column, cell in items:
        groups.setdefault(column.task_id, (column, []))[1].append((row, cell))
    return list(groups.values())
