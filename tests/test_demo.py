"""The demo city's accounts: short enough to type, every one named in the README, and each unit's
people (its head and one to three officers) with names like real people's."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from portal.extensions import db
from portal.models import Role, Unit, UnitPosition, User

README = Path(__file__).resolve().parent.parent / "README.md"


def demo_accounts(app) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(select(User).order_by(User.id)))


def test_every_demo_user_name_is_short_and_typeable(app):
    users = demo_accounts(app)
    names = [user.username for user in users]
    assert len(names) == len(set(names))
    heads = {user.unit_id: user.username for user in users
             if user.position is UnitPosition.HEAD}
    for user in users:
        if user.position is UnitPosition.OFFICER:  # the head's name and a number: phuong1.cb2
            assert re.fullmatch(re.escape(heads[user.unit_id]) + r"\.cb[1-3]", user.username)
        else:
            assert re.fullmatch(r"[a-z0-9.]{4,16}", user.username), user.username
    assert {"phongtckh", "ttvhttt", "bqlda", "phongldtbxh"} <= set(names)


def test_each_unit_has_one_head_and_one_to_three_officers_with_real_names(app):
    users = demo_accounts(app)
    with app.app_context():
        units = {unit.id: unit.name for unit in db.session.scalars(select(Unit))}
    people = {unit_id: [u for u in users if u.unit_id == unit_id and u.role is Role.UNIT]
              for unit_id in units}
    for unit_id, staff in people.items():
        positions = [user.position for user in staff]
        assert positions.count(UnitPosition.HEAD) == 1, units[unit_id]
        assert 1 <= positions.count(UnitPosition.OFFICER) <= 3, units[unit_id]
    assert {len(staff) for staff in people.values()} == {2, 3, 4}
    # The accounts that tests and the README log in as are the heads of their units.
    head = {user.username: user.position for user in users}
    assert head["phuong1"] is head["phongnoivu"] is head["vanphong"] is UnitPosition.HEAD
    # Full names as people have them: family, middle and given name, with their marks, and no
    # two alike (the history tells people apart by name).
    names = [user.full_name for staff in people.values() for user in staff]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"(\w+ ){2,3}\w+", name) and name != name.lower(), name
    assert sum(name != name.encode("ascii", "ignore").decode() for name in names) > len(names) / 2
    assert all(user.position is None for user in users if user.role is not Role.UNIT)


def test_readme_names_every_demo_account_of_every_kind(app):
    readme = README.read_text(encoding="utf-8")
    part = readme.split("### Demo accounts", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([a-z0-9.]+)`", part))
    users = demo_accounts(app)
    listed = {u.username for u in users if u.position is not UnitPosition.OFFICER} - {
        "phuong2", "phuong3"}  # "phuong1 … phuong4"
    assert listed <= named, listed - named
    assert {user.role for user in users} == set(Role)
    # Officers are named by the rule the README gives, with an example that logs in.
    assert "`phuong1.cb1`" in part and "`.cb1`" in part


def test_readme_names_the_system_package_make_run_needs():
    assert "apt install python3-venv" in README.read_text(encoding="utf-8")


def test_demo_accounts_log_in_by_their_short_names(login):
    for username in ("phongtckh", "ttvhttt", "vanphong", "phuong1.cb1", "ttvhttt.cb1"):
        page = login(username).get("/", follow_redirects=True).get_data(as_text=True)
        assert "<h1>Việc của tôi</h1>" in page
