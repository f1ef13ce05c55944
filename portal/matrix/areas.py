"""The matrix's roll-ups by area (địa bàn): for the area a reader has opened (or the top of the
tree), each area one level below it with the figures of every unit in its subtree, and the way
back up (`area_view`); the heading of each area's group of rows in the table (`headings`); every
area's roll-up for the exports (`every_area`) and each unit's place (`places`). Empty where no
unit of the directive has an area, so that a city's matrix and exports are as they were."""

from __future__ import annotations

from dataclasses import dataclass

from .. import areas
from ..deadlines import DeadlineState
from .model import Matrix

NO_AREA = "Chưa phân địa bàn"


@dataclass
class AreaRow:
    node: areas.Node | None  # None: the units in no area
    units: int
    assigned: int
    submitted: int
    done: int
    overdue: int
    above: tuple[str, ...] = ()  # the names of the areas above it, top first

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0

    @property
    def name(self) -> str:
        return self.node.name if self.node else NO_AREA


@dataclass
class AreaView:
    opened: areas.Node | None  # the area the matrix is filtered to, if any
    trail: list[areas.Node]  # the areas above it, top first
    rows: list[AreaRow]
    nodes: list[areas.Node]  # every area, for the choice of another


def area_view(m: Matrix, area_id: int, nodes: list[areas.Node] | None = None) -> AreaView | None:
    """`nodes`: the tree, when the caller has read it already."""
    if not any(row.area_id is not None for row in m.rows):
        return None
    nodes = areas.tree() if nodes is None else nodes
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


def _rolled(m: Matrix, node, rows, above: tuple[str, ...] = ()) -> AreaRow:
    totals = m.totals(rows)
    return AreaRow(node, totals["units"], totals["assigned"],
                   totals["by_state"][DeadlineState.AWAITING_REVIEW], totals["done"],
                   totals["overdue"], above)


def _above(node: areas.Node, by_id: dict[int, areas.Node]) -> tuple[str, ...]:
    return tuple(by_id[int(i)].name for i in node.path.strip("/").split("/")[:-1]
                 if int(i) in by_id)


def headings(m, rows: list, shown: list,
             nodes: list[areas.Node] | None = None) -> dict[int, AreaRow]:
    """The heading of each area's group of rows on a page of the matrix, keyed by the first of
    its units `shown`: the area's name, the names above it, and the figures of every unit of
    `rows` (the matrix's rows the filters leave, on every page) directly in it; the units in no
    area under a heading of their own. `rows` must be in the matrix's order, which groups them by
    area (`model.in_matrix_order`); a column sort leaves the headings out. Empty where no unit
    has an area. `m`: the matrix or its index; `nodes`: the tree, if read already."""
    if not any(row.area_id is not None for row in rows):
        return {}
    nodes = areas.tree() if nodes is None else nodes
    by_id = {node.id: node for node in nodes}
    groups: dict[int | None, list] = {}
    for row in rows:
        groups.setdefault(row.area_id if row.area_id in by_id else None, []).append(row)
    found: dict[int, AreaRow] = {}
    previous: object = object()
    for row in shown:
        key = row.area_id if row.area_id in by_id else None
        if key != previous:
            node = by_id.get(key)
            found[row.unit_id] = _rolled(m, node, groups[key],
                                         _above(node, by_id) if node else ())
            previous = key
    return found


@dataclass(frozen=True)
class Place:
    """Where a unit is: its area's name and the names from the top of the tree down to it."""

    id: int
    name: str
    path: tuple[str, ...]

    @property
    def path_text(self) -> str:
        return " › ".join(self.path)


def places(m, nodes: list[areas.Node] | None = None) -> dict[int, Place]:
    """Each unit's place (`Place`), by unit id; a unit in no area has none. Empty where no unit
    has an area. `nodes`: the tree, if read already."""
    if not any(row.area_id is not None for row in m.rows):
        return {}
    by_id = {node.id: node for node in (areas.tree() if nodes is None else nodes)}
    of_area = {node.id: Place(node.id, node.name, (*_above(node, by_id), node.name))
               for node in by_id.values()}
    return {row.unit_id: of_area[row.area_id] for row in m.rows if row.area_id in of_area}


def every_area(m: Matrix, nodes: list[areas.Node] | None = None) -> list[AreaRow]:
    """Every area of the tree whose subtree holds a unit of the matrix, in tree order, each with
    its subtree's figures, then the units in no area; empty where no unit has an area (the
    exports: the workbook's sheet "Theo địa bàn", the Word report, the JSON view). `nodes`: the
    tree, if read already."""
    if not any(row.area_id is not None for row in m.rows):
        return []
    nodes = areas.tree() if nodes is None else nodes
    rolled = areas.roll_up(nodes, ((row.area_id, row) for row in m.rows),
                           lambda rows, row: rows.append(row), list)
    by_id = {node.id: node for node in nodes}
    return [_rolled(m, r.node, r.totals, _above(r.node, by_id) if r.node else ())
            for r in rolled if r.totals]
