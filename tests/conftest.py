"""Fixtures: the real app on a real database (a SQLite file, or TEST_DATABASE_URL for PostgreSQL),
real uploads on disk, the demo units, letter and accounts, clients logged in per role, and the
permission table's world; and the hook that groups the browser and server tests.

The demo city is seeded once per test process into a template (tests/support/databases.py); each
test works on a copy of its own. What the fixtures are made of (the app's settings, the clients,
the world) is in tests/support/, which tests import as a library; fixtures are never imported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal import demo
from portal.extensions import db

from .support.apps import seeded_app, test_settings
from .support.clients import PASSWORD, PortalClient, login_as
from .support.databases import Databases, install_write_counter
from .support.records import ids_of
from .support.world import World, build_world


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items) -> None:
    """A browser test module runs on one worker: its server and Chromium start once. Browser
    tests and those that start servers are `slow`: `make check` leaves them to `make test`."""
    for item in items:
        if item.path.parent.name == "e2e":
            item.add_marker(pytest.mark.xdist_group(f"e2e-{item.path.stem}"))
            item.add_marker(pytest.mark.slow)
        elif any(mark.args == ("servers",) for mark in item.iter_markers("xdist_group")):
            item.add_marker(pytest.mark.slow)


def seed(app, root) -> None:
    """The demo city: its units, the Sa Đéc letter and the demo accounts; then the write counter."""
    with app.app_context():
        db.create_all()
        demo.seed(PASSWORD)
        db.session.remove()
    install_write_counter(app)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    """This test process's templates (the seeded demo city, built here) and their copies."""
    databases = Databases(tmp_path_factory.mktemp("databases"),
                          os.environ.get("TEST_DATABASE_URL"), test_settings)
    databases.template("seeded", seed)
    yield databases
    databases.close()


@pytest.fixture
def database_url(databases, tmp_path):
    """A database of the test's own holding the demo city: a copy of the seeded template."""
    url = databases.copy("seeded", tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture
def empty_database_url(databases, tmp_path):
    """A new database with no tables, as a new installation has."""
    url = databases.empty(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture
def app(tmp_path, database_url):
    yield from seeded_app(tmp_path, database_url)


@pytest.fixture
def upload_dir(app):
    return Path(app.config["UPLOAD_DIR"])


@pytest.fixture
def visitor(app) -> PortalClient:
    """Someone who has not logged in."""
    return PortalClient(app.test_client())


@pytest.fixture
def login(app):
    """login("phuong1") gives a client logged in as that demo account."""
    return login_as(app)


@pytest.fixture
def ward(login) -> PortalClient:
    """Phường 1's staff, logged in: the unit most tests act as."""
    return login("phuong1")


@pytest.fixture
def report_item(ids) -> int:
    """Phường 1's item 1.1, a report: the item most upload tests attach to."""
    return ids.item("Phường 1", "1.1")


@pytest.fixture
def ids(app):
    """Ids by name: ids.unit("Phường 1"), ids.item("Phường 1", "1.1"), ids.user("lanhdao")."""
    return ids_of(app)


@pytest.fixture(scope="module")
def world_template(databases):
    """The demo portal with its World, built once per test process from the seeded template;
    each test gets a copy of its database and upload folder (the table runs ~650 tests)."""
    return databases.template(
        "world", lambda app, root: build_world(app, login_as(app), ids_of(app), root),
        base="seeded")


@pytest.fixture
def world(world_template) -> World:
    """Phường 1 has uploaded one PDF to its item 1.1, through the upload route, as phuong1; and
    the rest of World."""
    return world_template.built
