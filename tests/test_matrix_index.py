"""The matrix page's index (portal/matrix/model.py, `matrix_index` and `rows_of`) says what the full
matrix says: the same rows in the same order, the same counts per row, column and in total, the
same rows for every filter, and the same cells for the rows a page shows; on items spread over
every status, deadline state, extension and supporting unit, under both readings of a deadline."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.matrix.model import (
    STATUS_FILTERS,
    Filters,
    forget_indexes,
    matrix,
    matrix_index,
    rows_of,
)
from portal.models import (
    Directive,
    Extension,
    ExtensionStatus,
    Progress,
    ProgressStatus,
    Task,
    UnitKind,
)

ON = date(2026, 12, 6)


def spread(app, seed: int) -> int:
    """Every item of the directive given a status, a submission around its deadline, some a
    granted or pending extension, some units supporting; the directive's id."""
    rng = random.Random(seed)
    with app.app_context():
        directive_id = db.session.scalar(select(Directive.id))
        tasks = db.session.execute(select(Task.id, Task.deadline)).all()
        for number, (task_id, _) in enumerate(tasks):
            deadline = [None, ON - timedelta(days=20), ON + timedelta(days=2), ON,
                        ON + timedelta(days=40)][number % 5]
            db.session.execute(update(Task).where(Task.id == task_id).values(deadline=deadline))
        items = db.session.execute(select(Progress.id)).scalars().all()
        for item_id in items:
            status = rng.choice(list(ProgressStatus))
            submitted = None
            if status in (ProgressStatus.SUBMITTED, ProgressStatus.APPROVED,
                          ProgressStatus.RETURNED):
                # Around midnight in the city (UTC+7) of days around the deadlines.
                submitted = datetime(2026, 11, 16, 16, 30) + timedelta(
                    days=rng.randint(0, 30), minutes=rng.choice([-60, 0, 29, 31, 60]))
            db.session.execute(update(Progress).where(Progress.id == item_id).values(
                status=status, submitted_at=submitted, supporting=rng.random() < 0.1))
            if rng.random() < 0.1:
                granted = rng.random() < 0.7
                db.session.add(Extension(
                    progress_id=item_id, reason="Chờ số liệu.", proposed_deadline=ON,
                    status=ExtensionStatus.GRANTED if granted else ExtensionStatus.PENDING,
                    requested_at=datetime(2026, 11, 1),
                    granted_deadline=ON - timedelta(days=rng.randint(-5, 5)) if granted else None))
        db.session.execute(update(Directive).values(deadline_day_counts=seed % 2 == 0,
                                                    revision=Directive.revision + 1))
        db.session.commit()
        return directive_id


@pytest.mark.parametrize("seed", [1, 2])
def test_the_index_and_the_shown_rows_say_what_the_full_matrix_says(app, seed):
    directive_id = spread(app, seed)
    forget_indexes(app)
    with app.test_request_context():
        full = matrix(directive_id, ON)
        index = matrix_index(directive_id, ON)
        assert [r.unit_id for r in index.rows] == [r.unit_id for r in full.rows]
        assert [(r.done, r.assigned, r.overdue, r.percent) for r in index.rows] == \
            [(r.done, r.assigned, r.overdue, r.percent) for r in full.rows]
        assert [(c.task_id, c.done, c.assigned) for c in index.columns] == \
            [(c.task_id, c.done, c.assigned) for c in full.columns]
        assert index.totals() == full.totals()
        wanted = [Filters(), Filters(overdue=True), Filters(kind=UnitKind.COMMUNE.value),
                  Filters(q="phuong"), Filters(q="Tân", kind=UnitKind.COMMUNE.value),
                  *(Filters(status=value) for value in STATUS_FILTERS)]
        for filters in wanted:
            by_index = index.filtered(filters)
            by_matrix = full.filtered(filters)
            assert [r.unit_id for r in by_index] == [r.unit_id for r in by_matrix], filters
            assert index.totals(by_index) == full.totals(by_matrix), filters
        # Some filters leave some rows and not all: the comparison means something.
        sizes = {len(index.filtered(f)) for f in wanted}
        assert len(sizes) > 3
        shown = rows_of(index, index.rows[3:11])
        assert [r.unit_id for r in shown] == [r.unit_id for r in full.rows[3:11]]
        for row, expected in zip(shown, full.rows[3:11], strict=True):
            assert row.cells == expected.cells
            assert (row.done, row.assigned, row.overdue) == \
                (expected.done, expected.assigned, expected.overdue)


def test_the_index_is_kept_per_revision(app, ids):
    directive_id = spread(app, 3)
    forget_indexes(app)
    with app.test_request_context():
        first = matrix_index(directive_id, ON)
        assert matrix_index(directive_id, ON) is first
    with app.app_context():
        db.session.execute(update(Directive).values(revision=Directive.revision + 1))
        db.session.commit()
    with app.test_request_context():
        assert matrix_index(directive_id, ON) is not first


def summary(index) -> tuple:
    """Everything an index says: its rows in order with their counts and cells' values, its
    columns' counts and its totals."""
    return ([(r.unit_id, r.assigned, r.done, r.overdue, r.cells, sorted(r.present),
              list(r.by_state)) for r in index.rows],
            [(c.task_id, c.done, c.assigned) for c in index.columns], index.totals())


def test_an_index_brought_up_to_date_says_what_a_full_read_says(app):
    """Items of a few units changed through the session (status, submission, an extension
    granted, a unit made supporting): the kept index reads those units again, and says what an
    index read from nothing says."""
    directive_id = spread(app, 4)
    forget_indexes(app)
    with app.test_request_context():
        kept = matrix_index(directive_id, ON)
    with app.app_context():
        items = db.session.scalars(select(Progress).order_by(Progress.unit_id, Progress.id)).all()
        units = sorted({item.unit_id for item in items})[:3]
        changed = [item for item in items if item.unit_id in units][::3]
        for number, item in enumerate(changed):
            item.status = [ProgressStatus.APPROVED, ProgressStatus.RETURNED,
                           ProgressStatus.NOT_STARTED][number % 3]
            item.submitted_at = datetime(2026, 11, 20, 17, 0) if number % 3 == 0 else None
            item.supporting = number % 4 == 1
        db.session.add(Extension(progress_id=changed[0].id, reason="Chờ số liệu.",
                                 proposed_deadline=ON, status=ExtensionStatus.GRANTED,
                                 requested_at=datetime(2026, 11, 1),
                                 granted_deadline=ON + timedelta(days=3)))
        db.session.commit()
    with app.test_request_context():
        updated = matrix_index(directive_id, ON)
        assert updated.revision > kept.revision
        assert updated.build == kept.build  # brought up to date, not read again
        assert {r.unit_id for r in updated.rows if r.version} == set(units)
        forget_indexes(app)
        fresh = matrix_index(directive_id, ON)
        assert fresh.build != kept.build
        assert summary(updated) == summary(fresh)
        assert summary(kept) != summary(fresh)
