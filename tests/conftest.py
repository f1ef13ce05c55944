"""Fixtures: the real app on a real database (a SQLite file, or TEST_DATABASE_URL for PostgreSQL),
real uploads on disk, the demo units, letter and accounts, and clients logged in per role.

The demo city is seeded once per test process into a template (tests/databases.py); each test
works on a copy of its own."""

from __future__ import annotations

import io
import os
import re

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import select
from werkzeug.routing import Rule

from portal import create_app, demo
from portal.extensions import db
from portal.models import Progress, Task, Unit, User

from .databases import Databases, install_write_counter

PASSWORD = "mat-khau-demo-2023"
MAX_UPLOAD_MB = 1

# Tests that start servers or processes of their own (gunicorn, LibreOffice, `flask send-mail`,
# four writers): under pytest-xdist (`--dist loadgroup`) they run one after another on one
# worker, so that they never starve each other of the machine's cores. They are slow too.
SERVERS = pytest.mark.xdist_group("servers")


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



def item_row(app, item_id: int) -> Progress:
    """The item as the database holds it now, detached for reading."""
    with app.app_context():
        item = db.session.get(Progress, item_id)
        db.session.expunge(item)
        return item


def test_settings(root, database_url: str) -> dict:
    """Settings of a portal under test, everything of its own below `root`."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(root / "instance"),
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(root / "uploads"),
        "SECRET_KEY": "test-secret",
        "PASSWORD_TIME_COST": 1,  # argon2 at its cheapest: thirty accounts in milliseconds
        "PASSWORD_MEMORY_COST": 64,
        "MAX_UPLOAD_MB": MAX_UPLOAD_MB,
    }


test_settings.__test__ = False  # a helper, not a test


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


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, kept for the whole test process: each test has an app of its
    own, and compiling every template again for each took a quarter of the suite's time. Jinja
    compiles a template again whenever its source changes (the bucket checks a checksum)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def _builders_compiled_once() -> None:
    """Werkzeug compiles two URL builders for every route of every new app, through Python's
    compiler: 40 ms of each test's own app. A builder is a pure function of its rule's parsed
    parts (it takes the rule as its first argument and reads the converters from it when called),
    so the tests keep the first one compiled for each rule and give it to the same rule of the
    next app."""
    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def builder_compiled_once(rule: Rule, append_unknown: bool = True):
        key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())),
               append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = builder_compiled_once


_builders_compiled_once()

# Per database system: its first engine's dialect, and a cache of the statements compiled for it.
_DIALECTS: dict[str, tuple] = {}


def _statements_compiled_once(app) -> None:
    """SQLAlchemy keeps the SQL it compiled for each statement in a cache of the engine's own, and
    each test's app has a new engine: compiling the same queries again took a fifth of the suite.
    The app's engine is given the dialect of the first engine on the same database system (the
    same driver and server, initialised the same way) and a cache shared with it
    (`compiled_cache`, a documented execution option); connections are still the engine's own."""
    with app.app_context():
        engine = db.engine
        dialect, compiled = _DIALECTS.setdefault(
            f"{engine.dialect.name}+{engine.dialect.driver}", (engine.dialect, {}))
        engine.dialect = dialect
        engine.update_execution_options(compiled_cache=compiled)


def seeded_app(tmp_path, database_url, **settings):
    """The app on `database_url` (a copy of the seeded template), `settings` on top of the
    tests' own; every connection closed afterwards."""
    app = create_app({**test_settings(tmp_path, database_url), **settings})
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    _statements_compiled_once(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def copied_app(databases, template: str, tmp_path, **settings):
    """The app on a copy of template `template`: its database and its upload folder."""
    url = databases.copy(template, tmp_path)
    yield from seeded_app(tmp_path, url, **settings)
    databases.drop(url)


@pytest.fixture
def upload_dir(app):
    from pathlib import Path

    return Path(app.config["UPLOAD_DIR"])


class PortalClient:
    """Flask's test client as a user's browser: it carries the session and its CSRF token."""

    def __init__(self, client):
        self.client = client
        self._token: str | None = None

    def csrf_token(self) -> str:
        if self._token is None:
            html = self.client.get("/login").get_data(as_text=True)
            if 'name="csrf-token"' not in html:  # logged in: /login redirects
                html = self.client.get("/account/password").get_data(as_text=True)
            self._token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        return self._token

    def get(self, url: str, htmx: bool = False, **kwargs):
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.get(url, headers=headers, **kwargs)

    def post(self, url: str, data: dict | None = None, htmx: bool = False, csrf: bool = True,
             **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf_token())
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(url, data=data, headers=headers, **kwargs)

    def upload(self, item_id: int, content: bytes, name: str, htmx: bool = True):
        """Attach a file to an item through the upload form."""
        return self.post(f"/items/{item_id}/files", {"file": (io.BytesIO(content), name)},
                         htmx=htmx, content_type="multipart/form-data")

    def login(self, username: str, password: str = PASSWORD):
        response = self.post("/login", {"username": username, "password": password})
        self._token = None  # the session is new after login
        return response


@pytest.fixture
def visitor(app) -> PortalClient:
    """Someone who has not logged in."""
    return PortalClient(app.test_client())


@pytest.fixture
def login(app):
    """login("phuong1") gives a client logged in as that demo account."""
    return login_as(app)


def login_as(app):
    def make(username: str) -> PortalClient:
        client = PortalClient(app.test_client())
        response = client.login(username)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return make


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


def ids_of(app):

    class Ids:
        def unit(self, name: str) -> int:
            with app.app_context():
                return db.session.scalar(select(Unit.id).where(Unit.name == name))

        def user(self, username: str) -> int:
            with app.app_context():
                return db.session.scalar(select(User.id).where(User.username == username))

        def item(self, unit_name: str, code: str) -> int:
            with app.app_context():
                return db.session.scalar(
                    select(Progress.id)
                    .join(Task, Task.id == Progress.task_id)
                    .join(Unit, Unit.id == Progress.unit_id)
                    .where(Unit.name == unit_name, Task.code == code)
                )

        def directive(self) -> int:
            from portal.models import Directive

            with app.app_context():
                return db.session.scalar(
                    select(Directive.id).where(Directive.slug == "sa-dec-2023-cchc")
                )

    return Ids()
