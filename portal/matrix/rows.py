"""The matrix's rows as rendered markup (`review/_matrix_row.html`), kept by each process so that
a new revision of a matrix renders again only the rows that changed.

A row's markup is kept under its directive, its index's full read (`MatrixIndex.build`: the day,
the tasks and the units' names it was read with) and the row's `version` (the revision it was
last read again at, `model._update_index`): whatever changes the row's cells moves its version,
whatever changes every row starts a new build. The rows shown whose markup is not kept are read
in one statement (`model.rows_of`) and rendered; the others are joined as they are.
"""

from __future__ import annotations

import functools
import threading

from flask import current_app
from markupsafe import Markup, escape

from ..kept import Kept
from .model import MatrixIndex, RowSummary, rows_of

# 20 pages of rows; a row of 50 tasks is about 6.5 KB: 13 MB at most.
ROWS = Kept("matrix_rows", 2000)

# Rows rendered by this process, for the tests and the bench.
counters = {"rendered": 0}
_lock = threading.Lock()


def rendered(index: MatrixIndex, shown: list[RowSummary]) -> tuple[dict[int, Markup], bool]:
    """Each row `shown` of `index` as markup (by unit), and whether any of them holds a
    supporting unit's cell (the legend that explains them is shown then)."""
    markup: dict[int, Markup] = {}
    supporting, missing = False, []
    for row in shown:
        found = ROWS.get(_key(index, row))
        if found is None:
            missing.append(row)
        else:
            markup[row.unit_id], supporting = found[0], supporting or found[1]
    if not missing:
        return markup, supporting
    template = current_app.jinja_env.get_template("review/_matrix_row.html")
    summaries = {row.unit_id: row for row in missing}  # the index's rows: their keys
    made = rows_of(index, missing)
    for row in made:
        row_supporting = any(cell.supporting for cell in row.cells.values())
        html = Markup(template.render(row=row, cells=cells_html(row, index.columns),
                                      directive_id=index.directive.id))
        ROWS.put(_key(index, summaries[row.unit_id]), (html, row_supporting))
        markup[row.unit_id], supporting = html, supporting or row_supporting
    with _lock:
        counters["rendered"] += len(made)
    return markup, supporting


def _key(index: MatrixIndex, row: RowSummary) -> tuple:
    return index.directive.id, index.build, row.unit_id, row.version


def forget(app) -> None:
    ROWS.forget(app)


# Each cell's markup, as review/_matrix_row.html wrote it for every one of them: by Python from one
# pattern per kind of cell (status, state, supporting, findings), the item's id put in. The
# template's loop over 100 rows × 50 cells was a third of a cold render.
WORTH_SAYING = ("done_late", "due_soon", "overdue")
NO_CELL = ('<td class="none"><span aria-hidden="true">–</span>'
           '<span class="visually-hidden">Không giao</span></td>')


@functools.lru_cache(maxsize=1024)
def _cell_pattern(status, state, supporting: bool, findings: int, fixed: int) -> str:
    if supporting:
        return ('<td class="supporting"><a id="c{id}" href="/items/{id}" '
                'title="Phối hợp (không tính vào kết quả)">PH<i>Phối hợp (không tính vào kết '
                f'quả), {escape(status.label)}</i></a></td>')
    mark = "!" if state.is_overdue else ""
    counted = f"<b>{fixed}/{findings}</b>" if findings else ""
    said = f", {escape(state.label)}" if state.value in WORTH_SAYING else ""
    fixed_said = f", đã khắc phục {fixed}/{findings} hạn chế" if findings else ""
    return (f'<td class="{status.css} {state.css}"><a id="c{{id}}" href="/items/{{id}}">'
            f"{escape(status.symbol)}{mark}{counted}<i>{escape(status.label)}{said}{fixed_said}"
            "</i></a></td>")


def cells_html(row, columns) -> Markup:
    """A row's cells in the columns' order."""
    parts = []
    for column in columns:
        cell = row.cells.get(column.task_id)
        if cell is None:
            parts.append(NO_CELL)
        else:
            parts.append(_cell_pattern(cell.status, cell.state, cell.supporting, cell.findings,
                                       cell.fixed).replace("{id}", str(cell.item_id)))
    return Markup("".join(parts))
