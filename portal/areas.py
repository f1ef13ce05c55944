"""The areas (địa bàn) units belong to, as every page reads them: the tree in display order, an
area's subtree (one prefix match on the materialized path, `Area.path`), and figures of units
summed up each area's subtree (`roll_up`).

An area's path is the ids from the root down to it, "/3/17/"; a unit counts for its own area and
every area above it. Changes to areas (admin/areas.py) keep the paths true.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from .extensions import db
from .models import Area, Unit
from .vietnamese import sort_key


@dataclass
class Node:
    """An area in the tree, with its children in display order."""

    id: int
    name: str
    parent_id: int | None
    position: int
    path: str
    depth: int
    children: list[Node] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The name indented by its depth, for a select box."""
        return "\u2003" * self.depth + self.name


def any_areas() -> bool:
    return db.session.scalar(select(Area.id).limit(1)) is not None


def tree() -> list[Node]:
    """Every area, depth first: each after its parent, siblings by position then name."""
    nodes = {row.id: Node(row.id, row.name, row.parent_id, row.position, row.path, row.depth)
             for row in db.session.execute(select(Area.id, Area.name, Area.parent_id,
                                                  Area.position, Area.path, Area.depth))}
    roots = []
    for node in nodes.values():
        (nodes[node.parent_id].children if node.parent_id in nodes else roots).append(node)
    ordered: list[Node] = []

    def walk(level: list[Node]) -> None:
        for node in sorted(level, key=lambda n: (n.position, sort_key(n.name))):
            ordered.append(node)
            walk(node.children)

    walk(roots)
    return ordered


def subtree_ids(area_id: int):
    """A statement selecting the ids of the area and every area below it."""
    path = select(Area.path).where(Area.id == area_id).scalar_subquery()
    return select(Area.id).where(Area.path.startswith(path, autoescape=False))


def unit_ids_in(area_id: int):
    """A statement selecting the units of the area and of every area below it."""
    return select(Unit.id).where(Unit.area_id.in_(subtree_ids(area_id)))


def get(area_id: int) -> Area | None:
    return db.session.get(Area, area_id)


@dataclass
class Rolled:
    """One area with the sum of its subtree's figures; `node` None: units in no area."""

    node: Node | None
    totals: dict


def roll_up(nodes: list[Node], unit_figures: Iterable[tuple[int | None, dict]],
            add: Callable[[dict, dict], None], empty: Callable[[], dict]) -> list[Rolled]:
    """Each area's figures summed over the units of its subtree, in tree order, then those of
    units in no area (when there are any): `unit_figures` gives (the unit's area id, its
    figures), `add(total, figures)` adds one unit's to a total."""
    by_id = {node.id: node for node in nodes}
    totals = {node.id: empty() for node in nodes}
    loose = empty()
    any_loose = False
    for area_id, figures in unit_figures:
        node = by_id.get(area_id)
        if node is None:
            add(loose, figures)
            any_loose = True
            continue
        for ancestor in node.path.strip("/").split("/"):
            if ancestor and int(ancestor) in totals:
                add(totals[int(ancestor)], figures)
    rolled = [Rolled(node, totals[node.id]) for node in nodes]
    if any_loose and nodes:
        rolled.append(Rolled(None, loose))
    return rolled
