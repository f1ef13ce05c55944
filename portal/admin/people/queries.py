"""Every read the administration pages need: units by kind, accounts with filters, choices."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ... import areas
from ...extensions import db
from ...models import Role, Unit, UnitKind, User
from ...query_string import number
from ...vietnamese import fold, sort_key


def get_unit(unit_id: int) -> Unit:
    return db.get_or_404(Unit, unit_id)


def get_user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def units_by_kind() -> list[tuple[UnitKind, list[Unit]]]:
    """Every unit, active or not, grouped by kind; by position, then alphabetically."""
    units = db.session.scalars(select(Unit)).all()
    return [
        (kind, sorted((u for u in units if u.kind is kind),
                      key=lambda u: (u.position, sort_key(u.name))))
        for kind in UnitKind
    ]


def area_names() -> dict[int, str]:
    """Each area's name, for the units' list; empty where there are no areas."""
    return {node.id: node.name for node in areas.tree()}


def unit_choices(keep: int | None = None) -> list[SelectChoice]:
    """Units a new or edited account may belong to: the active ones (and `keep`, the account's
    current unit even if inactive), grouped by kind, alphabetically, as select options."""
    units = db.session.scalars(
        select(Unit).where(Unit.active | (Unit.id == keep))
    ).all()
    kinds = list(UnitKind)
    units = sorted(units, key=lambda u: (kinds.index(u.kind), sort_key(u.name)))
    return [SelectChoice("", "— Không thuộc đơn vị nào —")] + [
        SelectChoice(str(u.id), u.name if u.active else f"{u.name} (ngừng hoạt động)")
        for u in units
    ]


@dataclass(frozen=True)
class UserFilters:
    """The account list's filters, read from the query string; a bad value is no filter."""

    role: Role | None = None
    unit_id: int | None = None
    active: bool | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args) -> UserFilters:
        role = args.get("role", "")
        active = {"1": True, "0": False}.get(args.get("active", ""))
        return cls(
            role=Role(role) if role in Role._value2member_map_ else None,
            unit_id=number(args, "unit"),
            active=active,
            q=args.get("q", "").strip()[:100],
        )

    @property
    def any(self) -> bool:
        return bool(self.role or self.unit_id or self.active is not None or self.q)


def users(filters: UserFilters) -> list[User]:
    """Accounts matching the filters (name search ignores diacritics), by unit then username."""
    query = select(User)
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.unit_id:
        query = query.where(User.unit_id == filters.unit_id)
    if filters.active is not None:
        query = query.where(User.active == filters.active)
    found = db.session.scalars(query).unique().all()  # unit is joined-loaded with each user
    if filters.q:
        wanted = fold(filters.q)
        found = [u for u in found if wanted in fold(f"{u.username} {u.full_name}")]
    return sorted(found, key=lambda u: (sort_key(u.unit.name) if u.unit else (), u.username))


def all_units() -> list[Unit]:
    """Every unit for the account filter, alphabetically."""
    return sorted(db.session.scalars(select(Unit)).all(), key=lambda u: sort_key(u.name))
