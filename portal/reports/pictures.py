"""The dashboard's charts as PNG pictures for the Word report, drawn with matplotlib on the server.

The bars are the dashboard's own (`matrix.charts`: `kind_bars`, `state_bars`, `targets_reached`,
and `over_time_points`), so the picture, the SVG on screen and the numbers written under each
picture agree. Each figure is written at the end of its bar, as on screen: colour never carries
meaning alone. matplotlib ships DejaVu Sans, which has every Vietnamese letter: nothing depends on
the fonts of the server.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..matrix import charts
from ..matrix.charts import TONES, Bar

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FONT = "DejaVu Sans"
WIDTH_INCHES = 6.3  # 160 mm: the text width of an A4 page with the decree's margins
DPI = 150
INK, MUTED, GRID = charts.INK, charts.MUTED, charts.GRID
_PERCENT = re.compile(r"(\d) %")


def _typeset(text: str) -> str:
    """The report's typography in its pictures: "21%", no space before the sign."""
    return _PERCENT.sub(r"\1%", text)


@dataclass(frozen=True)
class Picture:
    title: str
    png: bytes
    text: str  # the numbers drawn, as a sentence: for the reader and the picture's description


def _figure(**options) -> Figure:
    """A matplotlib figure. matplotlib is imported here, when a report is drawn, not when the
    portal starts: it is 40 MB of every worker's memory otherwise."""
    from matplotlib.figure import Figure

    return Figure(**options)


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    # Fast compression: the .docx deflates the picture again anyway.
    figure.savefig(out, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return out.getvalue()


def _wrap(label: str, room: int = 34) -> str:
    """A long label on at most two lines, cut with "…" beyond."""
    if len(label) <= room:
        return label
    cut = label.rfind(" ", 0, room)
    cut = cut if cut > room // 2 else room
    rest = label[cut:].strip()
    if len(rest) > room:
        rest = rest[: room - 1].rstrip() + "…"
    return f"{label[:cut].rstrip()}\n{rest}"


def bars(items: list[Bar], *, title: str, maximum: float | None = None,
         target: float | None = None, target_text: str = "", unit: str = "") -> Picture:
    """Horizontal bars, first at the top, each figure written at its bar's end."""
    values = [bar.value for bar in items if bar.value is not None]
    top = max([maximum or 0, *values, target or 0]) or 1
    height = 0.9 + 0.36 * max(1, len(items))
    labels = [_wrap(bar.label) for bar in items]
    longest = max((len(line) for label in labels for line in label.split("\n")), default=4)
    figure = _figure(figsize=(WIDTH_INCHES, height))
    # Margins worked out from the labels: matplotlib's own layout engines cost 0.2 s a chart.
    figure.subplots_adjust(left=min(0.5, (0.25 + 0.068 * longest) / WIDTH_INCHES), right=0.98,
                           top=1 - 0.42 / height, bottom=0.3 / height)
    axes = figure.add_subplot()
    positions = list(range(len(items)))
    axes.barh(positions, [bar.value or 0 for bar in items], height=0.62,
              color=[TONES.get(bar.tone, TONES["accent"]) for bar in items])
    axes.set_yticks(positions, labels, fontfamily=FONT,
                    fontsize=8.5, color=INK)
    axes.invert_yaxis()
    axes.set_xlim(0, top * 1.32)  # room for the figures written right of the bars
    axes.set_xticks([tick for tick in charts._ticks(top) if tick <= top])
    axes.tick_params(axis="x", labelsize=8, colors=MUTED)
    if unit:
        axes.xaxis.set_major_formatter(
            lambda value, _: _typeset(f"{charts.format_number(value)}{unit}"))
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for position, bar in zip(positions, items, strict=True):
        axes.text((bar.value or 0) + top * 0.015, position, _typeset(bar.text), va="center",
                  fontfamily=FONT, fontsize=8.5, color=INK if bar.value is not None else MUTED,
                  fontweight="bold" if bar.value is not None else "normal")
    if target is not None:
        axes.axvline(target, color=INK, linestyle=(0, (5, 3)), linewidth=1.2)
        axes.text(target, -0.75, _typeset(target_text), ha="center", va="bottom", fontfamily=FONT,
                  fontsize=8.5, color=INK)
    axes.set_title(title, fontfamily=FONT, fontsize=10, loc="left", color=INK)
    text = "; ".join(f"{bar.label}: {bar.text}" for bar in items)
    if target_text:
        text += f". {target_text}"
    return Picture(title, _png(figure), _typeset(text + "."))


def line(points: list[tuple[str, float, str]], *, title: str) -> Picture:
    """A line of percentages from left to right, the first and last values written."""
    figure = _figure(figsize=(WIDTH_INCHES, 2.6))
    figure.subplots_adjust(left=0.1, right=0.96, top=0.86, bottom=0.13)
    axes = figure.add_subplot()
    xs = list(range(len(points)))
    values = [value for _, value, _ in points]
    axes.plot(xs, values, color=TONES["accent"], linewidth=2, marker="o", markersize=3.5)
    axes.set_ylim(0, 105)
    axes.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    step = max(1, -(-len(points) // 8))
    shown = sorted({*range(0, len(points), step), len(points) - 1}) if points else []
    axes.set_xticks(shown, [points[i][0] for i in shown], fontfamily=FONT)
    axes.tick_params(labelsize=8, colors=MUTED)
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if points:
        axes.annotate(_typeset(points[-1][2]), (xs[-1], values[-1]), xytext=(6, 6),
                      textcoords="offset points", fontfamily=FONT, fontsize=8.5,
                      fontweight="bold", color=INK, ha="right" if len(points) > 1 else "left")
        axes.set_xlim(-0.5, max(len(points) - 0.5, 0.5))
    axes.set_title(title, fontfamily=FONT, fontsize=10, loc="left", color=INK)
    text = "; ".join(f"{label}: {said}" for label, _, said in points)
    return Picture(title, _png(figure), _typeset(text + "."))


def report_pictures(m, over_time) -> list[Picture]:
    """The report's charts: completion by kind, deadline states, completion over time and the
    share of units meeting each target."""
    pictures = [
        bars(charts.kind_bars(m), title=charts.KIND_TITLE, maximum=100, unit=" %"),
        bars(charts.state_bars(m), title=charts.STATE_TITLE),
        line(charts.over_time_points(over_time),
             title="Tỷ lệ hoàn thành cộng dồn theo ngày duyệt"),
    ]
    reached = charts.targets_reached(m)
    if reached:
        pictures.append(bars(reached, title=charts.TARGETS_TITLE, maximum=100, unit=" %"))
    return pictures
