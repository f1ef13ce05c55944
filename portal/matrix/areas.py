"""The matrix's roll-ups by area (địa bàn): for the area a reader has opened (or the top of the
tree), each area one level below it with the figures of every unit in its subtree, and the way
back up. Empty where no unit of the directive has an area, so that a city's matrix is as it was."""

from __future__ import annotations

from dataclasses import dataclass

from .. import areas
from ..deadlines import DeadlineState
from .model import Matrix


@dataclass
class AreaRow:
    node: areas.Node | None  # None: the units in no area
    units: int
    assigned: int
    submitted: int
    done: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0


@dataclass
class AreaView:
    opened: areas.Node | None  # the area the matrix is filtered to, if any
    trail: list[areas.Node]  # the areas above it, top first
    rows: list[AreaRow]
    nodes: list[areas.Node]  # every area, for the choice of another


def area_view(m: Matrix, area_id: int) -> AreaView | None:
    if not any(row.area_id is not None for row in m.rows):
        return None
    nodes = areas.tree()
    by_id = {node.id: node for node in nodes}
    opened = by_id.get(area_id)
    level = [n for n in nodes if n.parent_id == (opened.id if opened else None)]
    trail = [by_id[int(i)] for i in opened.path.strip("/").split("/")[:-1]] if opened else []
    members: dict[int, list] = {node.id: [] for node in level}
    loose = []
    for row in m.rows:
        node = by_id.get(row.area_id)
        if node is None:
            loose.append(row)
            continue
        for ancestor in node.path.strip("/").split("/"):
            if int(ancestor) in members:
                members[int(ancestor)].append(row)
    rows = [_rolled(m, node, members[node.id]) for node in level if members[node.id]]
    if loose and opened is None:
        rows.append(_rolled(m, None, loose))
    return AreaView(opened, trail, rows, nodes)


def _rolled(m: Matrix, node, rows) -> AreaRow:
    totals = m.totals(rows)
    return AreaRow(node, totals["units"], totals["assigned"],
                   totals["by_state"][DeadlineState.AWAITING_REVIEW], totals["done"],
                   totals["overdue"])


def every_area(m: Matrix) -> list[AreaRow]:
    """Every area of the tree whose subtree holds a unit of the matrix, in tree order, each with
    its subtree's figures, then the units in no area; empty where no unit has an area (the
    exports' sheet "Theo địa bàn")."""
    if not any(row.area_id is not None for row in m.rows):
        return []
    rolled = areas.roll_up(areas.tree(), ((row.area_id, row) for row in m.rows),
                           lambda rows, row: rows.append(row), list)
    return [_rolled(m, r.node, r.totals) for r in rolled if r.totals]
