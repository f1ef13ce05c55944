"""Charts as inline SVG, drawn on the server: no script, no chart library, nothing to download.

`bar_chart` draws horizontal bars, each with its label on the left and its figure written at its
end, so that colour never carries meaning alone; an optional target is a dashed line with its own
label. Every text is escaped, and the SVG is a standalone document (presentation attributes only,
no CSS needed) so that the Word report can embed the same drawings (`reports.pictures`). The
charts of the dashboard are built from a `Matrix` by the functions at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..deadlines import DeadlineState
from ..formatting import format_number
from ..models import TargetResult
from .model import Column, Matrix

FONT = "'Segoe UI', Arial, 'Noto Sans', 'Liberation Sans', 'DejaVu Sans', sans-serif"
INK, MUTED, GRID = "#1b1f24", "#555e68", "#d5d9de"
# Tones name a bar's colour; the colours are the portal's own (static/portal.css).
TONES = {
    "accent": "#0b4f8a",
    "ok": "#1d6b33",
    "late": "#9a6400",
    "wait": "#4a3a8c",
    "info": "#2f6fb0",
    "warn": "#c27c0e",
    "bad": "#a01c1c",
    "muted": "#8a939c",
}
STATE_TONES = {
    DeadlineState.DONE_ON_TIME: "ok",
    DeadlineState.DONE_LATE: "late",
    DeadlineState.AWAITING_REVIEW: "wait",
    DeadlineState.ON_TRACK: "info",
    DeadlineState.NOT_STARTED: "muted",
    DeadlineState.DUE_SOON: "warn",
    DeadlineState.OVERDUE: "bad",
}
REACHED, MISSED = TargetResult.MET.symbol, TargetResult.MISSED.symbol

FONT_SIZE = 14
CHAR_WIDTH = 7.4  # an average advance at 14px, a little generous (measured in Chromium)
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_MAX = 330


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing reported, no bar is drawn
    text: str  # written at the bar's end: the figure as people read it
    tone: str = "accent"


def bar_chart(bars: list[Bar], *, title: str, maximum: float | None = None,
              target: float | None = None, target_text: str = "", axis_unit: str = "",
              note: str = "", plot_width: int = 360) -> Markup:
    """Horizontal bars from 0 to `maximum` (default: the largest value), an optional target line.

    Each figure is written at the end of its bar; with a target line the figures stand in their
    own column right of the plot instead, so that the line never runs through them.
    """
    values = [bar.value for bar in bars if bar.value is not None]
    top = max([maximum or 0, *values, target or 0]) or 1
    ticks = _ticks(top)
    top = ticks[-1]

    label_width = min(LABEL_MAX, math.ceil(max((_width(b.label) for b in bars), default=0)) + 16)
    value_width = math.ceil(1.1 * max((_width(b.text) for b in bars), default=0)) + 16  # bold
    in_column = target is not None
    plot_x = label_width
    width = label_width + plot_width + value_width + (8 if in_column else 0)
    head = 26 if target is not None else 6
    plot_top = head
    plot_bottom = plot_top + ROW_HEIGHT * max(1, len(bars))
    height = plot_bottom + 24 + (22 if note else 0)

    def x(value: float) -> float:
        return round(plot_x + plot_width * value / top, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="{escape(FONT)}" font-size="{FONT_SIZE}" fill="{INK}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(_describe(bars, target_text, note))}</desc>",
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        '<g class="axis">',
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{x(tick)}" y1="{plot_top}" x2="{x(tick)}" y2="{plot_bottom}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{x(tick)}" y="{plot_bottom + 17}" text-anchor="middle" font-size="12" '
            f'fill="{MUTED}">{escape(format_number(tick) + axis_unit)}</text>'
        )
    parts.append(f'<line x1="{plot_x}" y1="{plot_top}" x2="{plot_x}" y2="{plot_bottom}" '
                 f'stroke="{MUTED}" stroke-width="1"/></g>')

    if target is not None:
        at = x(target)
        anchor = "end" if at > plot_x + plot_width * 0.6 else "start"
        shift = -4 if anchor == "end" else 4
        parts.append(
            f'<g class="target"><line x1="{at}" y1="{plot_top - 4}" x2="{at}" y2="{plot_bottom}" '
            f'stroke="{INK}" stroke-width="2" stroke-dasharray="6 3"/>'
            f'<text x="{at + shift}" y="{plot_top - 8}" text-anchor="{anchor}" '
            f'font-weight="600">{escape(target_text)}</text></g>'
        )

    parts.append('<g class="bars">')
    for index, bar in enumerate(bars):
        y = plot_top + index * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2
        label = _shorten(bar.label, label_width - 12)
        parts.append("<g>")
        if label != bar.label:
            parts.append(f"<title>{escape(bar.label)}</title>")
        parts.append(f'<text x="{plot_x - 8}" y="{middle + 5}" text-anchor="end">'
                     f"{escape(label)}</text>")
        end = plot_x
        if bar.value is not None and bar.value > 0:
            end = x(bar.value)
            parts.append(
                f'<rect x="{plot_x}" y="{middle - BAR_HEIGHT / 2}" '
                f'width="{round(end - plot_x, 1)}" height="{BAR_HEIGHT}" '
                f'fill="{TONES.get(bar.tone, TONES["accent"])}"/>'
            )
        # A figure in bold ink (the svg's own fill); nothing reported, in muted regular type.
        # Only what differs from the svg is written: the dashboard draws a hundred of these.
        look = f'fill="{MUTED}"' if bar.value is None else 'font-weight="600"'
        at = plot_x + plot_width + 12 if in_column else round(end + 6, 1)
        parts.append(f'<text x="{at}" y="{middle + 5}" {look}>{escape(bar.text)}</text>')
        parts.append("</g>")
    parts.append("</g>")

    if note:
        parts.append(f'<text x="0" y="{height - 5}" font-size="13" fill="{MUTED}">'
                     f"{escape(note)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(top: float) -> list[float]:
    """0 and three to five round steps up to at least `top`."""
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw)
    if step < 1 and top >= 1:
        step = 1
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 6) for i in range(count + 1)]


def _width(text: str) -> float:
    """A generous guess of a text's width at FONT_SIZE: capitals are wide, spaces narrow."""
    return sum(CHAR_WIDTH * (1.45 if ch.isupper() else 0.6 if ch in " .,:;'|il" else 1)
               for ch in text)


def _shorten(label: str, room: float) -> str:
    if _width(label) <= room:
        return label
    while label and _width(label + "…") > room:
        label = label[:-1]
    return label.rstrip() + "…"


def _describe(bars: list[Bar], target_text: str, note: str) -> str:
    said = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    return " ".join(part for part in (said + ".", target_text, note) if part)


# --- the dashboard's charts -------------------------------------------------------------------


def percent_text(done: int, assigned: int, percent: int) -> str:
    return f"{percent} % ({format_number(done)}/{format_number(assigned)})"


def kind_bars(matrix: Matrix) -> list[Bar]:
    """Approved / assigned for the whole city and for each kind of unit."""
    groups = [("Toàn thành phố", matrix.totals())]
    groups += [(kind.label, matrix.totals(rows)) for kind, rows in matrix.by_kind()]
    return [
        Bar(label, totals["percent"],
            percent_text(totals["done"], totals["assigned"], totals["percent"]),
            "accent" if index == 0 else "info")
        for index, (label, totals) in enumerate(groups)
    ]


KIND_TITLE = "Tỷ lệ hoàn thành (đã duyệt «Đạt») theo loại đơn vị"


def completion_by_kind(matrix: Matrix) -> Markup:
    return bar_chart(kind_bars(matrix), title=KIND_TITLE, maximum=100, axis_unit=" %")


def state_bars(matrix: Matrix) -> list[Bar]:
    """How many items stand in each deadline state."""
    return [Bar(state.label, count, f"{format_number(count)} ({share} %)", STATE_TONES[state])
            for state, count, share in matrix.by_state()]


STATE_TITLE = "Số nhiệm vụ theo tình trạng thực hiện so với hạn"


def completion_by_kind_of(totals, kinds) -> Markup:
    """The same chart as `completion_by_kind`, from sums read in the database (a tally with
    done, assigned and percent for the whole, and for each kind)."""
    groups = [("Toàn bộ", totals)] + [(kind.label, tally) for kind, tally in kinds]
    bars = [Bar(label, t.percent, percent_text(t.done, t.assigned, t.percent),
                "accent" if index == 0 else "info")
            for index, (label, t) in enumerate(groups)]
    return bar_chart(bars, title=KIND_TITLE, maximum=100, axis_unit=" %")


def deadline_states_of(shares) -> Markup:
    """The same chart as `deadline_states`, from (state, count, share) read in the database."""
    return bar_chart([Bar(state.label, count, f"{format_number(count)} ({share} %)",
                          STATE_TONES[state]) for state, count, share in shares],
                     title=STATE_TITLE)


def deadline_states(matrix: Matrix) -> Markup:
    return bar_chart(state_bars(matrix), title=STATE_TITLE)


def target_text(column: Column) -> str:
    """The target as written on the chart and in the table: "≥ 100 %", "≤ 0 hồ sơ ..."."""
    if column.target is None:
        return ""
    sign = "≤" if column.target_at_most else "≥"
    unit = " %" if column.measure == "percent" else f" {column.measure_unit}".rstrip()
    return f"{sign} {format_number(column.target)}{unit}"


def figure_text(column: Column, figure: float | None) -> str:
    """A unit's figure with ✓ or ✗ against the target (`TargetResult`'s symbols), or the words
    for no figure yet."""
    if figure is None:
        return "chưa có số liệu"
    text = format_number(figure) + (" %" if column.measure == "percent" else "")
    reached = column.reached(figure)
    if reached is not None:
        text += f" {REACHED if reached else MISSED}"
    return text


def metric_bars(matrix: Matrix, column: Column) -> list[Bar]:
    """Each unit's figure for a metric task, toned by whether it meets the target."""
    bars = []
    for row, cell in matrix.figures(column):
        reached = column.reached(cell.figure)
        tone = "muted" if cell.figure is None else (
            "accent" if reached is None else ("ok" if reached else "bad"))
        bars.append(Bar(row.name, cell.figure, figure_text(column, cell.figure), tone))
    return bars


def metric_note(column: Column) -> str:
    target = target_text(column)
    if not target:
        return "Nhiệm vụ không đặt chỉ tiêu."
    met, missed = TargetResult.MET, TargetResult.MISSED
    return (f"Đường đứt nét: chỉ tiêu {target}. {met.symbol} {met.label.lower()}, "
            f"{missed.symbol} {missed.label.lower()}.")


def metric(matrix: Matrix, column: Column) -> Markup:
    """Each unit's figure for a metric task, against the target drawn as a dashed line."""
    percent = column.measure == "percent"
    target = target_text(column)
    return bar_chart(
        metric_bars(matrix, column),
        title=f"{column.code} {column.title}: số liệu theo đơn vị",
        maximum=100 if percent else None,
        target=column.target,
        target_text=f"Chỉ tiêu {target}" if target else "",
        axis_unit=" %" if percent else "",
        note=metric_note(column),
        plot_width=300,
    )


def targets_reached(matrix: Matrix) -> list[Bar]:
    """For each metric task with a target, the share of its units whose figure meets it."""
    bars = []
    for column in matrix.metric_columns:
        if column.target is None:
            continue
        figures = matrix.figures(column)
        reached = sum(column.reached(cell.figure) is True for _, cell in figures)
        share = round(100 * reached / len(figures)) if figures else 0
        bars.append(Bar(f"{column.code} {column.title}", share,
                        f"{share} % ({format_number(reached)}/{format_number(len(figures))})",
                        "ok"))
    return bars


TARGETS_TITLE = "Tỷ lệ đơn vị đáp ứng chỉ tiêu, theo nhiệm vụ có chỉ tiêu"


def line_chart(points: list[tuple[str, float, str]], *, title: str, maximum: float = 100,
               axis_unit: str = " %", note: str = "", plot_width: int = 520,
               plot_height: int = 180) -> Markup:
    """A line through `points` (x label, value, text) from left to right, on a 0 to `maximum`
    axis; the first and last values are written beside their points, every value is in the
    description, and the x labels are thinned out so that they never overlap."""
    ticks = _ticks(max([maximum, *(value for _, value, _ in points)]) or 1)
    top = ticks[-1]
    left, head = 56, 14
    width = left + plot_width + 70
    plot_bottom = head + plot_height
    height = plot_bottom + 30 + (22 if note else 0)

    def y(value: float) -> float:
        return round(plot_bottom - plot_height * value / top, 1)

    def x(index: int) -> float:
        if len(points) == 1:
            return left + plot_width
        return round(left + plot_width * index / (len(points) - 1), 1)

    said = "; ".join(f"{label}: {text}" for label, _, text in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="{escape(FONT)}" font-size="{FONT_SIZE}" fill="{INK}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(' '.join(part for part in (said + '.', note) if part))}</desc>",
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        '<g class="axis">',
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{left}" y1="{y(tick)}" x2="{left + plot_width}" y2="{y(tick)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4}" text-anchor="end" font-size="12" '
            f'fill="{MUTED}">{escape(format_number(tick) + axis_unit)}</text>'
        )
    # At most about eight x labels, always the first and the last.
    step = max(1, math.ceil(len(points) / 8))
    shown = sorted({*range(0, len(points), step), len(points) - 1})
    if len(shown) > 1 and shown[-1] - shown[-2] < step:
        shown.pop(-2)
    for index in shown:
        parts.append(f'<text x="{x(index)}" y="{plot_bottom + 18}" text-anchor="middle" '
                     f'font-size="12" fill="{MUTED}">{escape(points[index][0])}</text>')
    parts.append(f'<line x1="{left}" y1="{plot_bottom}" x2="{left + plot_width}" '
                 f'y2="{plot_bottom}" stroke="{MUTED}" stroke-width="1"/></g>')

    if points:
        path = " ".join(f"{x(i)},{y(value)}" for i, (_, value, _) in enumerate(points))
        parts.append(f'<polyline class="line" points="{path}" fill="none" '
                     f'stroke="{TONES["accent"]}" stroke-width="2.5"/>')
        parts.append('<g class="points">')
        for index, (label, value, text) in enumerate(points):
            parts.append(f'<circle cx="{x(index)}" cy="{y(value)}" r="3.5" '
                         f'fill="{TONES["accent"]}"><title>{escape(label)}: {escape(text)}'
                         f"</title></circle>")
        parts.append("</g>")
        last_label, last_value, last_text = points[-1]
        parts.append(f'<text x="{x(len(points) - 1) + 8}" y="{y(last_value) + 5}" '
                     f'font-weight="600">{escape(last_text)}</text>')
        if len(points) > 1:
            _, first_value, first_text = points[0]
            parts.append(f'<text x="{x(0) + 6}" y="{y(first_value) - 8}" font-size="12" '
                         f'fill="{MUTED}">{escape(first_text)}</text>')
    if note:
        parts.append(f'<text x="0" y="{height - 5}" font-size="13" fill="{MUTED}">'
                     f"{escape(note)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def over_time_points(days) -> list[tuple[str, float, str]]:
    """The days of `model.completion_over_time` as chart points: the level before the
    first day, then each day's, written as "dd/mm" and "40 % (12/30)"."""
    if not days:
        return []
    first = days[0]
    points = []
    if len(days) > 1 or first.approved:
        share = round(100 * first.before / first.assigned) if first.assigned else 0
        points.append(("trước " + first.on.strftime("%d/%m"), share,
                       f"{share} % ({format_number(first.before)})"))
    for day in days:
        points.append((day.on.strftime("%d/%m"), day.percent,
                       f"{day.percent} % ({format_number(day.done)})"))
    return points


def completion_over_time(days) -> Markup:
    """Cumulative completion (approved / assigned) by day, from the audit log."""
    return line_chart(
        over_time_points(days),
        title="Tỷ lệ hoàn thành cộng dồn theo ngày duyệt",
        note="Mỗi điểm: tỷ lệ nhiệm vụ đã «Đạt» cuối ngày (số nhiệm vụ đã «Đạt»).",
    )
