"""What an administrator changes in units and accounts, each change audited in the same
transaction and committed here; and the rules both the forms and the bulk import check.

A password the portal generates is returned to the caller once, to be shown once; only its Argon2
hash is stored, and the account must change it at its next login.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ... import audit
from ...auth.passwords import hash_first_password
from ...extensions import db
from ...models import Area, Role, Unit, UnitKind, UnitPosition, User
from ...vietnamese import sort_key
from ..fields import clean

# No 0/o, 1/l/i: a password read out over the telephone is typed right the first time.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")
USERNAME_RULE = (
    "Tên đăng nhập gồm 3 đến 80 ký tự: chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới."
)
# Roles that belong to one unit; leadership and administrators belong to none.
UNIT_ROLES = (Role.UNIT, Role.REVIEWER)
NAME_MAX, SHORT_NAME_MAX, FULL_NAME_MAX = 200, 80, 200
TITLE_MAX = 120  # users.title


class Refused(ValueError):
    """Why a change cannot be made, in Vietnamese, for the person who asked."""


# --- rules -------------------------------------------------------------------------------------


def name_key(text: str) -> str:
    """Two unit names that differ only by case or spacing are the same name."""
    return clean(text).casefold()


def unit_name_taken(name: str, except_id: int | None = None) -> bool:
    key = name_key(name)
    return any(
        name_key(other) == key
        for unit_id, other in db.session.execute(select(Unit.id, Unit.name))
        if unit_id != except_id
    )


def username_error(username: str) -> str | None:
    if not username:
        return "Hãy nhập tên đăng nhập."
    if not USERNAME.fullmatch(username):
        return USERNAME_RULE
    return None


def username_taken(username: str) -> bool:
    """Login ignores case, so names differing only in case would be the same account."""
    found = select(User.id).where(func.lower(User.username) == username.lower())
    return db.session.scalar(found) is not None


def unit_rule_error(role: Role, unit: Unit | None) -> str | None:
    """Unit staff and Phòng Nội vụ's reviewers belong to a unit; leadership and admins do not."""
    if role in UNIT_ROLES and unit is None:
        return f"Vai trò «{role.label}» cần chọn đơn vị."
    if role not in UNIT_ROLES and unit is not None:
        return "Lãnh đạo và quản trị không thuộc đơn vị nào; hãy để trống ô đơn vị."
    return None


def position_for(role: Role, position: UnitPosition | None) -> UnitPosition | None:
    """A unit account left without a place in its unit is one of its officers."""
    if role is Role.UNIT and position is None:
        return UnitPosition.OFFICER
    return position


def position_rule_error(role: Role, position: UnitPosition | None) -> str | None:
    """A unit account is its unit's head or one of its officers; no other role has a place in a
    unit's work (a reviewer's unit is only where they sit)."""
    if role is not Role.UNIT and position is not None:
        return (f"Vị trí trong đơn vị chỉ dành cho vai trò «{Role.UNIT.label}»; "
                "hãy để trống ô này.")
    return None


def new_password() -> str:
    """Four groups of four (about 79 bits): 'k7dp-3mxa-q9rt-hw2e'."""
    return "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4)
    )


def unit_snapshot(unit: Unit) -> dict:
    return {"name": unit.name, "short_name": unit.short_name, "kind": unit.kind.value,
            "position": unit.position, "active": unit.active, "area_id": unit.area_id}


def user_snapshot(user: User) -> dict:
    """What the audit log keeps of an account: never the password or its hash."""
    return {"username": user.username, "full_name": user.full_name, "role": user.role.value,
            "position": user.position.value if user.position else None,
            "title": user.title,
            "unit_id": user.unit_id, "active": user.active, "email": user.email}


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}


def commit_or_refuse(message: str) -> None:
    """Commit; a unique constraint that another request beat us to becomes a refusal."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused(message) from None


# --- units -------------------------------------------------------------------------------------


def next_position(kind: UnitKind) -> int:
    """After the last unit of its kind."""
    last = db.session.scalar(select(func.max(Unit.position)).where(Unit.kind == kind))
    return 1 if last is None else last + 1


def create_unit(name: str, short_name: str, kind: UnitKind, position: int | None,
                area: Area | None = None) -> Unit:
    name = clean(name)
    if unit_name_taken(name):
        raise Refused(f"Đã có đơn vị tên «{name}».")
    unit = Unit(name=name, short_name=clean(short_name), kind=kind,
                position=next_position(kind) if position is None else position,
                area_id=area.id if area else None)
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.create", unit, unit_id=unit.id, after=unit_snapshot(unit))
    commit_or_refuse(f"Đã có đơn vị tên «{name}».")
    return unit


def update_unit(unit: Unit, name: str, short_name: str, kind: UnitKind,
                position: int | None, area: Area | None = None) -> None:
    name = clean(name)
    if unit_name_taken(name, except_id=unit.id):
        raise Refused(f"Đã có đơn vị khác tên «{name}».")
    before = unit_snapshot(unit)
    if kind is not unit.kind and position is None:
        position = next_position(kind)
    unit.name, unit.short_name, unit.kind = name, clean(short_name), kind
    unit.area_id = area.id if area else None
    if position is not None:
        unit.position = position
    before, after = _changes(before, unit_snapshot(unit))
    if after:
        audit.record("unit.update", unit, unit_id=unit.id, before=before, after=after)
    commit_or_refuse(f"Đã có đơn vị khác tên «{name}».")


def units_in_order(kind: UnitKind) -> list[Unit]:
    """A kind's units as the administration lists them: by position, then alphabetically."""
    units = db.session.scalars(select(Unit).where(Unit.kind == kind)).all()
    return sorted(units, key=lambda unit: (unit.position, sort_key(unit.name)))


def _renumber(units: list[Unit]) -> None:
    for position, unit in enumerate(units, start=1):
        unit.position = position


def move_unit(unit: Unit, direction: str) -> bool:
    """One place up or down among its kind; False when it is already first or last."""
    units = units_in_order(unit.kind)
    index = units.index(unit)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(units):
        return False
    before = unit.position
    units[index], units[other] = units[other], units[index]
    _renumber(units)
    audit.record("unit.move", unit, unit_id=unit.id, before={"position": before},
                 after={"position": unit.position})
    db.session.commit()
    return True


def sort_units(kind: UnitKind) -> None:
    """Renumber a kind's units in Vietnamese alphabetical order."""
    current = units_in_order(kind)
    units = sorted(current, key=lambda unit: sort_key(unit.name))
    before = [unit.name for unit in current]
    _renumber(units)
    audit.record("unit.sort", before={"kind": kind.value, "order": before},
                 after={"kind": kind.value, "order": [u.name for u in units]})
    db.session.commit()


def set_unit_active(unit: Unit, active: bool) -> None:
    """An inactive unit is left out of directives loaded from now on; its past stays."""
    if unit.active == active:
        return
    unit.active = active
    audit.record("unit.reactivate" if active else "unit.deactivate", unit, unit_id=unit.id,
                 before={"active": not active}, after={"active": active})
    db.session.commit()


# --- accounts ----------------------------------------------------------------------------------


def create_user(username: str, full_name: str, role: Role, unit: Unit | None,
                email: str = "", position: UnitPosition | None = None,
                title: str = "") -> tuple[User, str]:
    """A new account with a generated first password: (the account, the password to show once)."""
    username = username.lower()
    if username_taken(username):
        raise Refused(f"Đã có tài khoản «{username}».")
    password = new_password()
    user = User(username=username, full_name=clean(full_name), role=role, position=position,
                title=clean(title),
                unit_id=unit.id if unit else None, password_hash=hash_first_password(password),
                must_change_password=True, email=email)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, unit_id=user.unit_id, after=user_snapshot(user))
    commit_or_refuse(f"Đã có tài khoản «{username}».")
    return user, password


def _keep_own_access(user: User, by: User, role: Role, active: bool) -> None:
    """An administrator cannot lock themselves out, so one active administrator always remains."""
    if user.id != by.id:
        return
    if not active:
        raise Refused("Bạn không thể tự khoá tài khoản của mình.")
    if role is not Role.ADMIN:
        raise Refused("Bạn không thể tự bỏ quyền quản trị của mình.")


def update_user(user: User, by: User, full_name: str, role: Role, unit: Unit | None,
                active: bool, email: str, position: UnitPosition | None = None,
                title: str = "") -> None:
    _keep_own_access(user, by, role, active)
    before = user_snapshot(user)
    user.full_name, user.role, user.unit_id = clean(full_name), role, unit.id if unit else None
    user.position = position
    user.title = clean(title)
    user.email = email
    if user.active and not active:
        user.end_sessions()
    user.active = active
    before, after = _changes(before, user_snapshot(user))
    if user.awaiting_rights:  # created at a first login: its unit and role are given now
        user.awaiting_rights = False
        before["awaiting_rights"], after["awaiting_rights"] = True, False
    if after:
        audit.record("user.update", user, unit_id=user.unit_id, before=before, after=after)
    db.session.commit()


def reset_password(user: User) -> str:
    """A new generated password, to be changed at next login; every session of the account ends."""
    password = new_password()
    user.password_hash = hash_first_password(password)
    user.must_change_password = True
    user.end_sessions()
    audit.record("user.password_reset", user, unit_id=user.unit_id)
    db.session.commit()
    return password


def set_user_active(user: User, by: User, active: bool) -> None:
    """A deactivated account is logged out everywhere; nothing it did is removed."""
    _keep_own_access(user, by, user.role, active)
    if user.active == active:
        return
    if not active:
        user.end_sessions()
    user.active = active
    audit.record("user.reactivate" if active else "user.deactivate", user, unit_id=user.unit_id,
                 before={"active": not active}, after={"active": active})
    db.session.commit()
