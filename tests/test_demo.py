"""The demo city's accounts: short enough to type, and every one named in the README."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from portal.extensions import db
from portal.models import Role, User

README = Path(__file__).resolve().parent.parent / "README.md"


def demo_accounts(app) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(select(User).order_by(User.id)))


def test_every_demo_user_name_is_short_and_typeable(app):
    names = [user.username for user in demo_accounts(app)]
    assert len(names) == len(set(names)) == 27
    for name in names:
        assert re.fullmatch(r"[a-z0-9.]{4,16}", name), name
    assert {"phongtckh", "ttvhttt", "bqlda", "phongldtbxh"} <= set(names)


def test_readme_names_every_demo_account_of_every_kind(app):
    readme = README.read_text(encoding="utf-8")
    part = readme.split("### Demo accounts", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([a-z0-9.]+)`", part))
    users = demo_accounts(app)
    listed = {u.username for u in users} - {"phuong2", "phuong3"}  # "phuong1 … phuong4"
    assert listed <= named, listed - named
    assert {user.role for user in users} == set(Role)


def test_readme_names_the_system_package_make_run_needs():
    assert "apt install python3-venv" in README.read_text(encoding="utf-8")


def test_demo_accounts_log_in_by_their_short_names(login):
    for username in ("phongtckh", "ttvhttt", "vanphong"):
        page = login(username).get("/", follow_redirects=True).get_data(as_text=True)
        assert "nhiệm vụ theo văn bản" in page
