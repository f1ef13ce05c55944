"""`flask seed-scale`: a made-up province or country on an empty database, its accounts printed
ready to log in, refused on a database that holds data."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import Area, Directive, Evidence, Progress, ProgressStatus, Task, Unit, User

from .support.clients import PortalClient

PASSWORD = "Thu-nghiem-quy-mo-2026"


@pytest.fixture
def empty_app(tmp_path, empty_database_url):
    app = create_app({
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": empty_database_url,
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_COST": 64,
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def seed(app, *args: str):
    return app.test_cli_runner().invoke(args=["seed-scale", "--password", PASSWORD, *args])


def accounts(result) -> list[list[str]]:
    return [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]


@pytest.mark.slow
def test_seed_scale_builds_a_province_in_areas_whose_accounts_log_in(empty_app):
    result = seed(empty_app, "--units", "60", "--tasks", "7", "--areas", "4")
    assert result.exit_code == 0, result.output
    assert "giây" in result.stderr and "420 mục việc" in result.stderr
    rows = accounts(result)
    roles = {role for _, role, _ in rows}
    assert roles == {"reviewer", "leader", "admin", "head", "officer"}
    assert ["noivu.duyet", "reviewer", "Sở Nội vụ"] in rows
    with empty_app.app_context():
        assert db.session.scalar(select(func.count(Unit.id))) == 60
        assert db.session.scalar(select(func.count(Area.id))) == 4
        assert db.session.scalar(select(func.count(Task.id))) == 7
        assert db.session.scalar(select(func.count(Progress.id))) == 420
        assert db.session.scalar(select(func.count(User.id))) == len(rows)
        # Communes are spread over the areas; departments belong to none.
        per_area = dict(db.session.execute(
            select(Unit.area_id, func.count(Unit.id)).group_by(Unit.area_id)).all())
        assert set(per_area) == {None, 1, 2, 3, 4} and min(per_area.values()) >= 7
        assert set(db.session.scalars(select(Progress.status))) == set(ProgressStatus)
        begun = db.session.scalar(select(func.count(Progress.id)).where(
            Progress.status != ProgressStatus.NOT_STARTED))
        assert db.session.scalar(select(func.count(Evidence.id))) == begun
        directive = db.session.scalar(select(Directive))
        assert directive.is_open and directive.revision == 1
        names = db.session.scalars(select(Unit.name)).all()
        assert any(name.startswith("Xã ") for name in names)
        assert any(name.startswith("Sở ") for name in names)
        directive_id = directive.id
        # The ids inserted by hand leave the sequences where a new row can follow them.
        db.session.add(Area(name="Cụm thi đua số 1", path="", depth=0))
        db.session.commit()

    head = next(name for name, role, _ in rows if role == "head")
    for username in ("noivu.duyet", "lanhdao", "quantri", head):
        client = PortalClient(empty_app.test_client())
        assert client.login(username, PASSWORD).status_code == 303, username
    reviewer = PortalClient(empty_app.test_client())
    reviewer.login("noivu.duyet", PASSWORD)
    page = reviewer.get(f"/directives/{directive_id}/dashboard")
    assert page.status_code == 200


@pytest.mark.slow
def test_seed_scale_past_400_units_is_a_country_of_provinces(empty_app):
    result = seed(empty_app, "--units", "450", "--tasks", "2")
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        areas = db.session.scalars(select(Area.name).order_by(Area.position)).all()
        assert len(areas) == 34 and "Tỉnh Đồng Tháp" in areas and "Thành phố Huế" in areas
        # Each account's unit is named as the database has it.
        units = set(db.session.scalars(select(Unit.name)))
    rows = accounts(result)
    assert all(unit in units for _, role, unit in rows if role in ("head", "officer"))
    assert len({name for name, _, _ in rows}) == len(rows)


@pytest.mark.slow
def test_seed_scale_refuses_a_database_that_holds_data_and_writes_nothing(empty_app):
    assert seed(empty_app, "--units", "12", "--tasks", "2", "--areas", "0").exit_code == 0
    with empty_app.app_context():
        assert db.session.scalar(select(func.count(Area.id))) == 0
        before = db.session.scalar(select(func.count(Progress.id)))
    again = seed(empty_app, "--units", "30", "--tasks", "3")
    assert again.exit_code != 0
    assert "seed-scale chỉ chạy trên CSDL trống" in again.output
    with empty_app.app_context():
        assert db.session.scalar(select(func.count(Progress.id))) == before == 24
        assert db.session.scalar(select(func.count(Unit.id))) == 12


def test_seed_scale_refuses_sizes_out_of_range(empty_app):
    result = seed(empty_app, "--units", "0", "--tasks", "3")
    assert result.exit_code == 2
    with empty_app.app_context():
        assert db.session.scalar(select(func.count(Unit.id))) == 0
