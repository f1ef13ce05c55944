"""Download routes. Each export is allowed to the roles of the page it comes from: the matrix's
(Excel, CSV, the Word report) to those who read everything, a unit's ZIP to its own staff and
to them. Nothing here writes to the database."""

from __future__ import annotations

import io
import tempfile

from flask import Blueprint, abort, send_file
from flask_login import login_required

from ..checklist import queries as checklist_queries
from ..deadlines import today
from ..matrix.model import completion_over_time, matrix, matrix_index, rows_of
from ..permissions import READ_EVERYTHING, require_view_unit, roles_required
from . import official, pictures, spreadsheet
from .archive import archive_name, write_zip
from .queries import details, findings_of, signing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv; charset=utf-8"

bp = Blueprint("reports", __name__)


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every download here is for logged-in users only."""


def _download(data: bytes, name: str, mimetype: str):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=name, max_age=0)


def _matrix(directive_id: int):
    """The matrix of a published directive (a draft has no matrix yet: 404)."""
    checklist_queries.get_directive(directive_id)
    return matrix(directive_id, today())


# Units read in full at a time while the workbook is written: its memory does not grow with the
# directive (3,321 units × 30 tasks: bench/matrix.py measures the worker's peak).
XLSX_BATCH = 200


@bp.get("/directives/<int:directive_id>/reports/matrix.xlsx")
@roles_required(*READ_EVERYTHING)
def matrix_xlsx(directive_id: int):
    """The workbook, written from the matrix's index a batch of units at a time into a temporary
    file (deleted when closed) that is then sent as a stream."""
    checklist_queries.get_directive(directive_id)  # a draft has no matrix yet: 404
    index = matrix_index(directive_id, today())

    def batches(with_details: bool):
        for start in range(0, len(index.rows), XLSX_BATCH):
            shown = index.rows[start:start + XLSX_BATCH]
            words = details(directive_id, [row.unit_id for row in shown], findings=False) \
                if with_details else None
            yield rows_of(index, shown), words

    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response once sent
    try:
        spreadsheet.write_xlsx(index, batches, findings_of(directive_id), out)
        size = out.tell()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    response = send_file(out, mimetype=XLSX, as_attachment=True, max_age=0,
                         download_name=spreadsheet.export_name("Ma trận theo dõi", index, "xlsx"))
    response.content_length = size
    return response


@bp.get("/directives/<int:directive_id>/reports/details.csv")
@roles_required(*READ_EVERYTHING)
def matrix_csv(directive_id: int):
    m = _matrix(directive_id)
    return _download(spreadsheet.write_csv(m, details(directive_id)),
                     spreadsheet.export_name("Chi tiết nhiệm vụ", m, "csv"), CSV)


@bp.get("/directives/<int:directive_id>/reports/report.docx")
@roles_required(*READ_EVERYTHING)
def official_report(directive_id: int):
    m = _matrix(directive_id)
    drawn = pictures.report_pictures(m, completion_over_time(m))
    data = official.write_docx(m, details(directive_id), drawn, signing())
    return _download(data, spreadsheet.export_name("Báo cáo kết quả", m, "docx"), DOCX)


@bp.get("/directives/<int:directive_id>/units/<int:unit_id>/evidence.zip")
def unit_archive(directive_id: int, unit_id: int):
    require_view_unit(unit_id)
    directive = checklist_queries.get_directive(directive_id)
    unit = checklist_queries.get_unit(unit_id)
    items = checklist_queries.checklist(directive.id, unit.id)
    if not items:
        abort(404)
    on = today()
    # On disk, not in memory: a unit's evidence can reach hundreds of megabytes.
    out = tempfile.TemporaryFile()  # noqa: SIM115  (send_file closes it once sent)
    write_zip(directive, unit, items, on, out)
    out.seek(0)
    return send_file(out, mimetype="application/zip", as_attachment=True,
                     download_name=archive_name(directive, unit, on), max_age=0)
