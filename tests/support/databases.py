"""Real databases for the tests, made fast: a seeded template is built once per test process (and
per pytest-xdist worker), and every test gets a copy of it and of its upload folder.

- SQLite: the template is a file; a copy is a file copy.
- PostgreSQL (TEST_DATABASE_URL): the template is a database of its own on that server; a copy is
  `CREATE DATABASE … TEMPLATE …`, dropped when the test ends. TEST_DATABASE_URL's own database is
  never written; every name starts with it and the worker's id, so two workers never meet.

Templates carry a write counter that the product's schema does not have: a table `test_writes`
and, on every other table, triggers that add one row to it for each row inserted, updated or
deleted (committed writes only: a rolled-back write takes its count with it). "Nothing was written"
is then one small query (`writes`), instead of a dump of every table. Audit events of refusals
(`access.denied`) are not counted: every refusal writes one, and the tests count those apart.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db

COUNTER = "test_writes"
DATABASE_FILE = "portal.sqlite3"
UPLOADS = "uploads"
# The one kind of row a refusal writes; the tests look at those through the audit log.
UNCOUNTED = {"audit_events": "action <> 'access.denied'"}
# Caches a reading request may fill: rendered matrix fragments shared by every server.
CACHES = {"matrix_fragments"}


def worker_id() -> str:
    """pytest-xdist's worker ("gw0", "gw1", …), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@dataclass
class Template:
    """A database built once, and the files that go with it."""

    name: str
    url: str
    root: Path
    built: Any = None  # what the builder returned (ids of what it made)

    @property
    def uploads(self) -> Path:
        return self.root / UPLOADS


class Databases:
    """Templates and their per-test copies, on SQLite (files under `root`) or on the PostgreSQL
    server of `server_url`."""

    def __init__(self, root: Path, server_url: str | None, settings: Callable[[Path, str], dict]):
        self.root = root
        self.settings = settings
        self.templates: dict[str, Template] = {}
        self.copies = itertools.count(1)
        self.server = make_url(server_url) if server_url else None
        self.admin = None
        if self.server is not None:
            self.prefix = f"{self.server.database}_{worker_id()}_"
            self.admin = create_engine(self.server.set(database="postgres"),
                                       isolation_level="AUTOCOMMIT")
            self._drop_leftovers()

    # --- templates -------------------------------------------------------------------------------

    def template(self, name: str, build: Callable[[Flask, Path], Any], *,
                 base: str | None = None) -> Template:
        """The template `name`, built on first use: a copy of template `base` (or an empty
        database) on which `build(app, root)` runs through the real app; its return value is kept
        as Template.built."""
        if name in self.templates:
            return self.templates[name]
        root = self.root / f"template-{name}"
        root.mkdir(parents=True)
        if base is None:
            url = self.empty(root, name)
        else:
            url = self._copy_into(self.templates[base], root, self._name(name))
        app = create_app(self.settings(root, url))
        try:
            built = build(app, root)
        finally:
            with app.app_context():
                db.session.remove()
                if db.engine.dialect.name == "sqlite":
                    # Everything into the main file, so that a copy of that file is the whole.
                    with db.engine.connect() as connection:
                        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                db.engine.dispose()
        template = Template(name, url, root, built)
        self.templates[name] = template
        return template

    # --- copies ----------------------------------------------------------------------------------

    def copy(self, name: str, root: Path) -> str:
        """A database that is a copy of template `name`, with its uploads under `root`; the
        database's URL."""
        return self._copy_into(self.templates[name], root, self._name(next(self.copies)))

    def empty(self, root: Path, name: str | None = None) -> str:
        """A new, empty database (no tables); its URL."""
        root.mkdir(parents=True, exist_ok=True)
        if self.server is None:
            return f"sqlite:///{root / DATABASE_FILE}"
        name = self._name(name or next(self.copies))
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                      f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self._url(name)

    def drop(self, url: str) -> None:
        """Drop a PostgreSQL copy (whoever is still connected); SQLite files go with tmp_path."""
        if self.server is not None:
            name = make_url(url).database
            assert name.startswith(self.prefix), name
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        if self.server is None:
            return
        for template in self.templates.values():
            self.drop(template.url)
        self.admin.dispose()

    def _copy_into(self, template: Template, root: Path, name: str) -> str:
        root.mkdir(parents=True, exist_ok=True)
        if template.uploads.exists():
            shutil.copytree(template.uploads, root / UPLOADS)
        if self.server is None:
            shutil.copyfile(template.root / DATABASE_FILE, root / DATABASE_FILE)
            return f"sqlite:///{root / DATABASE_FILE}"
        source = make_url(template.url).database
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                      f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        return self._url(name)

    def _name(self, suffix) -> str:
        """A PostgreSQL database's name: TEST_DATABASE_URL's, the worker's, `suffix`."""
        return f"{self.prefix}{suffix}" if self.server is not None else str(suffix)

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _execute(self, *statements: str) -> None:
        with self.admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))

    def _drop_leftovers(self) -> None:
        """Databases this worker left behind when a run was killed."""
        with self.admin.connect() as connection:
            names = connection.scalars(text("SELECT datname FROM pg_database")).all()
        self._execute(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                        for name in names if name.startswith(self.prefix)))


# --- the write counter ---------------------------------------------------------------------------


def install_write_counter(app: Flask) -> list[str]:
    """Count every row written to every table of the app's database from now on (the tables that
    exist now but the CACHES; the ones named in UNCOUNTED only where their condition holds). The
    tables counted."""
    with app.app_context(), db.engine.begin() as connection:
        tables = sorted(set(inspect(connection).get_table_names()) - {COUNTER} - CACHES)
        postgres = connection.dialect.name == "postgresql"
        connection.execute(text(f"CREATE TABLE {COUNTER} (table_name VARCHAR(100) NOT NULL)"))
        if postgres:
            connection.execute(text(
                f"CREATE FUNCTION {COUNTER}_add() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN INSERT INTO {COUNTER} (table_name) VALUES (TG_TABLE_NAME); "
                "RETURN NULL; END $$"))
        for table in tables:
            condition = UNCOUNTED.get(table)
            for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
                when = f"WHEN ({row}.{condition})" if condition else ""
                trigger = f"{COUNTER}_{table}_{event.lower()}"
                if postgres:
                    connection.execute(text(
                        f'CREATE TRIGGER {trigger} AFTER {event} ON "{table}" FOR EACH ROW '
                        f"{when} EXECUTE FUNCTION {COUNTER}_add()"))
                else:
                    connection.execute(text(
                        f'CREATE TRIGGER {trigger} AFTER {event} ON "{table}" FOR EACH ROW '
                        f"{when} BEGIN INSERT INTO {COUNTER} (table_name) VALUES ('{table}'); END"))
    return tables


def written_since(app: Flask, before: dict[str, int]) -> set[str]:
    """The tables written since `before` (what `writes` gave then)."""
    after = writes(app)
    return {table for table in before.keys() | after.keys()
            if before.get(table) != after.get(table)}


def database_rows(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table of the models, in primary-key order, for tests that look at what
    was written (to check "nothing was written", `writes` costs a fraction of this), but the
    audit events of refusals."""
    from portal.models import AuditEvent

    audit = AuditEvent.__table__
    with app.app_context():
        return {
            table.name: [
                tuple(row)
                for row in db.session.execute(
                    (table.select().where(audit.c.action != "access.denied")
                     if table is audit else table.select())
                    .order_by(*table.primary_key.columns)
                )
            ]
            for table in db.metadata.sorted_tables
        }


def writes(app: Flask) -> dict[str, int]:
    """How many rows of each table have been inserted, updated or deleted since the template was
    made (tables never written are absent). Equal before and after a request: it wrote nothing."""
    with app.app_context():
        try:
            return dict(db.session.execute(text(
                f"SELECT table_name, count(*) FROM {COUNTER} GROUP BY table_name")).all())
        finally:
            db.session.remove()
