"""Rendered matrix fragments shared by every worker of every server: one render per revision.

A fragment is kept per *slot* (a directive, a day and the filters) with the revision it was
rendered at; only the newest is kept. A request for revision R is answered with the slot's
fragment if it is of R or newer. Otherwise one render is made for everyone (single-flight):

- within a process, the first thread to ask leads and the others wait for its answer, which
  they get as soon as it is rendered (storing it may wait for the database's writer);
- across processes and servers, the leader takes the slot's *lease* in the shared store (the
  database's `matrix_fragments` table, or Redis where `REDIS_URL` is set); whoever finds the lease
  taken waits until it is released, then serves what the render stored, even if the revision
  moved on while it ran (out of date by one render at most: the reader's next poll, tagged with
  the revision actually served, asks again). A render that ends behind a newer stored one is
  served to those who asked and not stored over it.

A lease that outlives `LEASE_SECONDS` (its process died) is taken over. Each process also keeps
the newest fragments it has seen (`LOCAL_SIZE` slots) so that a page load or poll of an
unchanged matrix reads nothing from the store.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from ..deadlines import utcnow
from ..extensions import db

log = logging.getLogger(__name__)

LEASE_SECONDS = 60
WAIT_STEP = 0.02  # seconds between two looks at a lease held elsewhere
KEEP = timedelta(days=1)  # a slot nobody rendered for this long is swept
LOCAL_SIZE = 128


@dataclass(frozen=True)
class Fragment:
    revision: int
    html: str
    made_by: str  # the render's lease token: tells a waiter that a render ended


# What this process did, for the tests and the bench: renders made; waits for a render of another
# thread of the process and of another process (its lease); answers from the shared store.
counters = {"renders": 0, "local_waits": 0, "lease_waits": 0, "shared": 0}
_counters_lock = threading.Lock()


def _count(name: str) -> None:
    with _counters_lock:
        counters[name] += 1


def slot_key(directive_id: int, on: date, filters_key: str) -> str:
    """The slot's name: short and fixed in length whatever the search typed."""
    digest = hashlib.sha1(filters_key.encode()).hexdigest()[:20]
    return f"{directive_id}:{on.isoformat()}:{digest}"


# --------------------------------------------------------------------------- the stores

class DatabaseStore:
    """Fragments and leases in `matrix_fragments`, one row per slot, each read or change a short
    transaction of its own on its own connection (no request's transaction is held while a
    render runs)."""

    def __init__(self, app: Flask):
        self.app = app
        self._swept = time.monotonic()  # the first sweep an hour after start, then hourly

    @property
    def table(self) -> sa.Table:
        from ..models import MatrixFragment

        return MatrixFragment.__table__

    @contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        """A connection whose statements commit when the block ends, never the request's own
        session. On SQLite each statement commits alone (`statements_commit`: no BEGIN of ours
        is sent, and sqlite3 sends none), which every change here is written for: one statement
        each; elsewhere a transaction of the block. (Not SQLAlchemy's AUTOCOMMIT isolation level:
        its reset when the connection returns to the pool fails on pysqlite when two threads make
        the engine's first connections at once.)"""
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.execution_options(statements_commit=True)
            with connection.begin():
                yield connection

    def get(self, slot: str) -> Fragment | None:
        t = self.table
        with self._connect() as connection:
            row = connection.execute(
                sa.select(t.c.revision, t.c.html, t.c.made_by).where(t.c.slot == slot)).first()
        if row is None or row.html is None:
            return None
        return Fragment(row.revision, row.html, row.made_by or "")

    def leased(self, slot: str) -> bool:
        t = self.table
        with self._connect() as connection:
            until = connection.execute(
                sa.select(t.c.lease_until).where(t.c.slot == slot)).scalar()
        return until is not None and until > utcnow()

    def try_lease(self, slot: str, directive_id: int, exists: bool) -> str | None:
        """The lease's token, or None while another render holds it. `exists`: whether the
        slot's row is thought to be there (one statement either way when it is right)."""
        t, token, now = self.table, secrets.token_hex(8), utcnow()
        until = now + timedelta(seconds=LEASE_SECONDS)
        if not exists:
            try:
                with self._connect() as connection:
                    connection.execute(t.insert().values(
                        slot=slot, directive_id=directive_id, revision=-1, html=None,
                        made_by=None, stored_at=now, lease_token=token, lease_until=until))
                return token
            except IntegrityError:
                pass  # made meanwhile, or a row whose render never stored anything
        with self._connect() as connection:
            taken = connection.execute(
                t.update().where(t.c.slot == slot,
                                 sa.or_(t.c.lease_until.is_(None), t.c.lease_until < now))
                .values(lease_token=token, lease_until=until)).rowcount
        return token if taken else None

    def put(self, slot: str, fragment: Fragment, token: str) -> None:
        """Keep `fragment` unless a newer one is kept, and release the lease `token` holds."""
        t, now = self.table, utcnow()
        newer = t.c.revision <= fragment.revision
        mine = t.c.lease_token == token
        with self._connect() as connection:
            connection.execute(t.update().where(t.c.slot == slot).values(
                html=sa.case((newer, fragment.html), else_=t.c.html),
                made_by=sa.case((newer, fragment.made_by), else_=t.c.made_by),
                revision=sa.case((newer, fragment.revision), else_=t.c.revision),
                stored_at=sa.case((newer, now), else_=t.c.stored_at),
                lease_token=sa.case((mine, None), else_=t.c.lease_token),
                lease_until=sa.case((mine, None), else_=t.c.lease_until),
            ))
            if time.monotonic() - self._swept > 3600:
                self._swept = time.monotonic()
                connection.execute(t.delete().where(
                    t.c.stored_at < now - KEEP,
                    sa.or_(t.c.lease_until.is_(None), t.c.lease_until < now)))

    def release(self, slot: str, token: str) -> None:
        t = self.table
        with self._connect() as connection:
            connection.execute(t.update().where(t.c.slot == slot, t.c.lease_token == token)
                               .values(lease_token=None, lease_until=None))

    def clear(self) -> None:
        with self._connect() as connection:
            connection.execute(self.table.delete())


# Keep the fragment unless a newer one is kept; release the lease if it is still this render's.
_REDIS_PUT = """
local kept = tonumber(redis.call('HGET', KEYS[1], 'revision') or '-1')
if kept <= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'revision', ARGV[1], 'html', ARGV[2], 'made_by', ARGV[3])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
"""
_REDIS_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


class RedisStore:
    """Fragments as hashes and leases as keys set only if absent, with an expiry, under
    `REDIS_PREFIX`."""

    def __init__(self, app: Flask):
        import redis  # only where REDIS_URL is set

        self.redis = redis.Redis.from_url(app.config["REDIS_URL"])
        self.prefix = app.config["REDIS_PREFIX"] + "matrix:"
        self._put = self.redis.register_script(_REDIS_PUT)
        self._release = self.redis.register_script(_REDIS_RELEASE)

    def _keys(self, slot: str) -> tuple[str, str]:
        return f"{self.prefix}fragment:{slot}", f"{self.prefix}lease:{slot}"

    def get(self, slot: str) -> Fragment | None:
        revision, html, made_by = self.redis.hmget(self._keys(slot)[0],
                                                   "revision", "html", "made_by")
        if html is None:
            return None
        return Fragment(int(revision), html.decode(), (made_by or b"").decode())

    def leased(self, slot: str) -> bool:
        return bool(self.redis.exists(self._keys(slot)[1]))

    def try_lease(self, slot: str, directive_id: int, exists: bool) -> str | None:
        token = secrets.token_hex(8)
        taken = self.redis.set(self._keys(slot)[1], token, nx=True, px=LEASE_SECONDS * 1000)
        return token if taken else None

    def put(self, slot: str, fragment: Fragment, token: str) -> None:
        self._put(keys=list(self._keys(slot)),
                  args=[fragment.revision, fragment.html, token, int(KEEP.total_seconds())])

    def release(self, slot: str, token: str) -> None:
        self._release(keys=[self._keys(slot)[1]], args=[token])

    def clear(self) -> None:
        for key in self.redis.scan_iter(match=f"{self.prefix}*", count=500):
            self.redis.delete(key)


def store(app: Flask | None = None) -> DatabaseStore | RedisStore:
    app = app or current_app._get_current_object()
    found = app.extensions.get("matrix_store")
    if found is None:
        found = RedisStore(app) if app.config.get("REDIS_URL") else DatabaseStore(app)
        app.extensions["matrix_store"] = found
    return found


# --------------------------------------------------------------------------- single-flight

class _Flight:
    def __init__(self):
        self.done = threading.Event()
        self.result: Fragment | None = None
        self.error: BaseException | None = None


_flights: dict[tuple[int, str], _Flight] = {}
_flights_lock = threading.Lock()


def _local(app: Flask) -> OrderedDict:
    return app.extensions.setdefault("matrix_cache", OrderedDict())


def _remember(app: Flask, slot: str, fragment: Fragment) -> None:
    cache = _local(app)
    with _flights_lock:
        kept = cache.get(slot)
        if kept is None or kept.revision <= fragment.revision:
            cache[slot] = fragment
        cache.move_to_end(slot)
        while len(cache) > LOCAL_SIZE:
            cache.popitem(last=False)


def fragment(directive_id: int, slot: str, revision: int,
             render: Callable[[], tuple[int, str]]) -> Fragment:
    """The slot's fragment of `revision` or newer, or the one render made for everyone who asked
    while it ran. `render` returns the revision it rendered and the HTML."""
    app = current_app._get_current_object()
    cache = _local(app)
    with _flights_lock:
        kept = cache.get(slot)
        if kept is not None and kept.revision >= revision:
            cache.move_to_end(slot)
            return kept
        key = (id(app), slot)
        flight = _flights.get(key)
        leader = flight is None
        if leader:
            flight = _flights[key] = _Flight()
    if not leader:
        _count("local_waits")
        flight.done.wait()
        if flight.error is not None:
            raise flight.error
        return flight.result

    def land(result: Fragment | None, error: BaseException | None = None) -> None:
        """The flight's answer to this process's waiters (once)."""
        if flight.done.is_set():
            return
        flight.result, flight.error = result, error
        if result is not None:
            _remember(app, slot, result)
        with _flights_lock:
            _flights.pop(key, None)
        flight.done.set()

    try:
        result = _shared(app, directive_id, slot, revision, render, land)
        land(result)
        return result
    except BaseException as error:
        land(None, error)
        raise


def _shared(app: Flask, directive_id: int, slot: str, revision: int,
            render: Callable[[], tuple[int, str]],
            rendered_here: Callable[[Fragment], None]) -> Fragment:
    """The fragment from the shared store, or rendered under its lease and stored there. The
    render is handed to `rendered_here` (this process's waiters) before it is stored: on SQLite
    storing waits for the database's one writer, and those waiters need not."""
    shared = store(app)
    seen = shared.get(slot)
    if seen is not None and seen.revision >= revision:
        _count("shared")
        return seen
    while True:
        # A lease seen taken is waited for without asking for it (asking writes, and on SQLite
        # a write waits for every other writer first).
        leased = seen is not None and shared.leased(slot)
        token = None if leased else shared.try_lease(slot, directive_id, exists=seen is not None)
        if token is not None:
            try:
                rendered, html = render()
            except BaseException:
                shared.release(slot, token)
                raise
            made = Fragment(rendered, html, token)
            rendered_here(made)
            shared.put(slot, made, token)
            _count("renders")
            log.info("matrix fragment %s rendered at revision %s", slot, rendered)
            return made
        # Another process renders this slot: wait for it to end, then serve what it made.
        _count("lease_waits")
        give_up = time.monotonic() + LEASE_SECONDS + 1
        while shared.leased(slot) and time.monotonic() < give_up:
            time.sleep(WAIT_STEP)
        found = shared.get(slot)
        if found is not None and (found.revision >= revision or seen is None
                                  or found.made_by != seen.made_by):
            _count("shared")
            return found
        seen = found  # the render failed or stored nothing newer: try to render ourselves


def forget(app: Flask) -> None:
    """Every fragment, this process's and the shared store's, and this process's matrix
    indexes and rows: the next request renders from the database."""
    from . import rows
    from .model import forget_indexes

    forget_indexes(app)
    rows.forget(app)
    with _flights_lock:
        _local(app).clear()
    with app.app_context():
        store(app).clear()
