"""Tổng hợp's charts, drawn on the server as the dashboard's are (`matrix.charts.bar_chart`), each
beside a table of the same numbers: the on-time rate of each directive of the period (the 20
with the most overdue, as the table is ordered) and a unit's shares this period and the one
before."""

from __future__ import annotations

from markupsafe import Markup

from ..matrix.charts import Bar, bar_chart, percent_text
from .queries import Overview, Scorecard

CHARTED = 20


def on_time_by_directive(found: Overview) -> Markup | None:
    lines = found.directives[:CHARTED]
    if not any(line.figures.assigned for line in lines):
        return None
    bars = [Bar(f"{line.title} ({line.year})", line.figures.on_time_percent,
                percent_text(line.figures.on_time, line.figures.assigned,
                             line.figures.on_time_percent), "accent")
            for line in lines if line.figures.assigned]
    return bar_chart(bars, title="Tỷ lệ nhiệm vụ hoàn thành đúng hạn của từng văn bản",
                     maximum=100, axis_unit=" %")


def scorecard_trend(card: Scorecard) -> Markup | None:
    if not card.figures.assigned:
        return None
    bars = []
    for label, figures, tone in ((card.period.previous.label, card.previous, "info"),
                                 (card.period.label, card.figures, "accent")):
        if figures.assigned:
            bars.append(Bar(f"Đúng hạn, {label}", figures.on_time_percent,
                            percent_text(figures.on_time, figures.assigned,
                                         figures.on_time_percent), tone))
    for label, figures, tone in ((card.period.previous.label, card.previous, "info"),
                                 (card.period.label, card.figures, "accent")):
        if figures.assigned:
            share = round(100 * figures.share(figures.overdue))
            bars.append(Bar(f"Quá hạn, {label}", share,
                            percent_text(figures.overdue, figures.assigned, share), tone))
    return bar_chart(bars, title=f"{card.unit.name}: đúng hạn và quá hạn so với kỳ trước",
                     maximum=100, axis_unit=" %")
