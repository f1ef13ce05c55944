"""Tổng hợp's routes: the overview of a period, a unit's scorecard, the ranking with its files, and
the scoring formula (Phòng Nội vụ's reviewers alone change it)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_login import login_required

from ..deadlines import today
from ..extensions import db
from ..htmx import render
from ..models import Directive, Unit
from ..permissions import (
    require_read_overview,
    require_set_formula,
    require_view_scorecard,
)
from ..reports.queries import signing
from . import charts, exports, queries, scoring
from .forms import FormulaForm

bp = Blueprint("overview", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here is for logged-in users only."""


def _period() -> tuple[queries.Period | None, list[int], str]:
    """The period the query string asks for, the years to choose from, and what is wrong."""
    years = queries.directive_years()
    try:
        return queries.period_from(request.args, years, today().year), years, ""
    except queries.PeriodError as error:
        return None, years, str(error)


def _refused(page: str, years: list[int], error: str, **context):
    """A period that cannot be read: the page with the message and the form, 422."""
    return render(page, page, 422, period=None, years=years, error=error, **context)


@bp.get("/overview")
def overview():
    require_read_overview()
    period, years, error = _period()
    if period is None:
        return _refused("overview/overview.html", years, error, sorts=queries.SORTS,
                        sort="overdue")
    sort = request.args.get("sort", "overdue")
    sort = sort if sort in queries.SORTS else "overdue"
    found = queries.overview(period, today(), sort)
    return render("overview/overview.html", "overview/overview.html", period=period,
                  years=years, error="", o=found, sort=sort, sorts=queries.SORTS,
                  chart=charts.on_time_by_directive(found))


@bp.get("/units/<int:unit_id>")
def scorecard(unit_id: int):
    require_view_scorecard(unit_id)
    unit = db.get_or_404(Unit, unit_id)
    period, years, error = _period()
    if period is None:
        return _refused("overview/scorecard.html", years, error, unit=unit)
    card = queries.scorecard(unit, period, today())
    return render("overview/scorecard.html", "overview/scorecard.html", period=period,
                  years=years, error="", unit=unit, card=card,
                  chart=charts.scorecard_trend(card))


@bp.get("/overview/directives/<int:directive_id>/compare")
def compare(directive_id: int):
    """A directive copied to a new cycle beside the one it was copied from."""
    require_read_overview()
    directive = db.get_or_404(Directive, directive_id)
    if directive.is_draft:
        abort(404)
    found = queries.comparison(directive, today())
    return render("overview/compare.html", "overview/compare.html", c=found,
                  directive=directive)


def _ranking():
    period, years, error = _period()
    if period is None:
        return None, years, error, None, None
    formula = scoring.current()
    return period, years, "", formula, queries.ranking(period, today(), formula.score)


@bp.get("/overview/ranking")
def ranking():
    require_read_overview()
    period, years, error, formula, groups = _ranking()
    if period is None:
        return _refused("overview/ranking.html", years, error)
    return render("overview/ranking.html", "overview/ranking.html", period=period, years=years,
                  error="", formula=formula, groups=groups)


def _download(data: bytes, name: str, mimetype: str):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=name, max_age=0)


@bp.get("/overview/ranking.xlsx")
def ranking_xlsx():
    require_read_overview()
    period, years, error, formula, groups = _ranking()
    if period is None:
        return _refused("overview/ranking.html", years, error)
    return _download(exports.write_xlsx(groups, period, formula, today()),
                     exports.file_name(period, "xlsx"), XLSX)


@bp.get("/overview/ranking.docx")
def ranking_docx():
    require_read_overview()
    period, years, error, formula, groups = _ranking()
    if period is None:
        return _refused("overview/ranking.html", years, error)
    return _download(exports.write_docx(groups, period, formula, today(), signing()),
                     exports.file_name(period, "docx"), DOCX)


@bp.route("/overview/formula", methods=["GET", "POST"])
def formula():
    require_set_formula()
    found = scoring.current()
    form = FormulaForm(data={name: _written(value) for name, value in found.weights.items()})
    if form.validate_on_submit():
        if scoring.save(form.weights):
            flash("Đã lưu cách tính điểm xếp loại.", "success")
        else:
            flash("Không có gì thay đổi.", "info")
        return redirect(url_for(".ranking"), code=303)
    status = 422 if request.method == "POST" else 200
    return render("overview/formula.html", "overview/formula.html", status, form=form,
                  formula=found)


def _written(value) -> str:
    """A weight as Vietnamese write it: 1, 0,5."""
    text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    return text.replace(".", ",")
