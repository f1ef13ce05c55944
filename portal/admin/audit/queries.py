"""What the audit log's page reads: the lists its filters offer, the events that match a page at
a time (newest first, paged by id so that page 1,000 costs what page 1 does), every match for
the export, and the check of the chain of hashes (`audit.verify_chain`, as `flask verify-audit`).

A directive's events are those whose target is the directive, one of its tasks or one of its
units' items. Each statement reads one page through an index: the primary key (newest first),
`ix_audit_events_at` for a period, and the indexes of 0010_audit_indexes for a person, a unit, a
kind of event and a target.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ...audit import ACTION_LABELS, ChainCheck, verify_chain
from ...deadlines import city_zone
from ...extensions import db
from ...models import AuditEvent, Directive, Progress, Task, Unit, User
from ...vietnamese import sort_key
from .forms import Filters

PAGE_SIZE = 50
# An export holds at most this many events, the newest: XlsxWriter writes about 2,000 events a
# second here (bench/audit.py), so a larger one would outlast a request.
EXPORT_MAX = 50_000


def unit_choices() -> list[tuple[str, str]]:
    units = db.session.execute(sa.select(Unit.id, Unit.name)).all()
    return [(str(unit_id), name) for unit_id, name in sorted(units, key=lambda u: sort_key(u[1]))]


def directive_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(Directive.id, Directive.title, Directive.year)
        .order_by(Directive.year.desc(), Directive.id.desc())
    ).all()
    return [(str(directive_id), f"{title} ({year})") for directive_id, title, year in rows]


def action_choices() -> list[tuple[str, str]]:
    return sorted(((action, label) for action, label in ACTION_LABELS.items()),
                  key=lambda choice: sort_key(choice[1]))


def _city_midnight(day: date) -> datetime:
    """The stored (naive UTC) moment at which the city's day begins."""
    return datetime.combine(day, time(), city_zone()).astimezone(UTC).replace(tzinfo=None)


def condition(filters: Filters):
    """The WHERE clause of the filters, over audit_events."""
    event = AuditEvent
    parts = []
    if filters.username:
        parts.append(event.username == filters.username)
    if filters.unit_id is not None:
        parts.append(event.unit_id == filters.unit_id)
    if filters.action:
        parts.append(event.action == filters.action)
    if filters.since:
        parts.append(event.at >= _city_midnight(filters.since))
    if filters.until:
        parts.append(event.at < _city_midnight(filters.until + timedelta(days=1)))
    if filters.directive_id is not None:
        tasks = sa.select(Task.id).where(Task.directive_id == filters.directive_id)
        items = sa.select(Progress.id).where(Progress.task_id.in_(tasks))
        parts.append(sa.or_(
            (event.target_type == "Directive") & (event.target_id == filters.directive_id),
            (event.target_type == "Task") & event.target_id.in_(tasks),
            (event.target_type == "Progress") & event.target_id.in_(items),
        ))
    return sa.and_(sa.true(), *parts)


@dataclass
class Row:
    """One event as the page and the export show it."""

    event: AuditEvent
    full_name: str
    unit_name: str


@dataclass
class Page:
    rows: list[Row]
    newer_than: int | None  # the id to page back to newer events from, None on the first page
    older_than: int | None  # the id to page on to older events from, None on the last page


def _rows(statement) -> list[Row]:
    return [Row(event, full_name or "", unit_name or "")
            for event, full_name, unit_name in db.session.execute(statement)]


def _select():
    return (sa.select(AuditEvent, User.full_name, Unit.name)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .outerjoin(Unit, Unit.id == AuditEvent.unit_id))


def page(filters: Filters, before: int | None = None, after: int | None = None) -> Page:
    """A page of matching events, newest first: the newest, those older than `before`, or those
    just newer than `after` (going back a page). Two statements at most."""
    where = condition(filters)
    if after is not None:
        found = _rows(_select().where(where, AuditEvent.id > after)
                      .order_by(AuditEvent.id.asc()).limit(PAGE_SIZE + 1))
        newer = len(found) > PAGE_SIZE
        rows = list(reversed(found[:PAGE_SIZE]))
        older = bool(rows)
        if not rows:  # nothing newer: the first page
            return page(filters)
    else:
        statement = _select().where(where)
        if before is not None:
            statement = statement.where(AuditEvent.id < before)
        found = _rows(statement.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1))
        rows = found[:PAGE_SIZE]
        older = len(found) > PAGE_SIZE
        newer = before is not None and bool(rows) and db.session.scalar(
            sa.select(AuditEvent.id).where(where, AuditEvent.id > rows[0].event.id).limit(1)
        ) is not None
    return Page(rows, rows[0].event.id if newer and rows else None,
                rows[-1].event.id if older and rows else None)


def every_match(filters: Filters) -> Iterator[Row]:
    """The matching events, newest first, read in batches (the export): EXPORT_MAX of them, and
    one more when there are more."""
    statement = (_select().where(condition(filters)).order_by(AuditEvent.id.desc())
                 .limit(EXPORT_MAX + 1).execution_options(yield_per=2000))
    for event, full_name, unit_name in db.session.execute(statement):
        yield Row(event, full_name or "", unit_name or "")


def check_chain() -> ChainCheck:
    """The whole chain recomputed, as `flask verify-audit` does."""
    with db.engine.connect() as connection:
        return verify_chain(connection)
