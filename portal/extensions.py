"""Flask extensions, created once here and bound to the app in create_app; and how the portal
uses SQLite as a multi-user database (transactions that take the write lock up front, in writing
requests and in the commands that write, `writing`)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that migrations can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()

# Requests that only read: their transactions need no write lock.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Set while a command that writes runs (`writing`): its transactions are a writing request's.
_WRITING = ContextVar("writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Inside, outside any request, every transaction takes SQLite's write lock when it begins,
    as a writing request's does: for the commands that write while the portal serves (remind,
    send-mail, load-directive, seed-demo, restore)."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


def _is_pysqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_transactions_by_sqlalchemy(dbapi_connection, _record) -> None:
    """Python's sqlite3 begins a transaction only before INSERT/UPDATE/DELETE, so the reads before
    a change are outside it. SQLAlchemy's documented recipe: sqlite3 emits no BEGIN, we do."""
    if _is_pysqlite(dbapi_connection):
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """A transaction that may write takes SQLite's write lock when it begins (BEGIN IMMEDIATE):
    a concurrent writer then waits in busy_timeout instead of failing with "database is locked"
    when its read transaction tries to become a write. A GET request only reads, so its
    transaction is deferred (a WAL snapshot) and never waits for a writer."""
    if connection.dialect.name != "sqlite" or connection.dialect.driver != "pysqlite":
        return
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT" or options.get("statements_commit"):
        return  # each statement commits alone (sqlite3 with isolation_level None sends no BEGIN)
    # Outside a request, deferred as sqlite3 always was unless a writing command says otherwise
    # (`writing`): a script or a test's set-up that opens a second session while the first is
    # still in its transaction must not wait on it.
    writes = _WRITING.get() or (has_request_context() and request.method not in READING_METHODS)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
