"""A directive's life after it is written: its units' records follow every change to the tasks'
audiences without ever losing what a unit recorded, every change is audited, a closed directive
stays as it was, and a new cycle starts from a copy that leaves the old one untouched."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.demo import sample_pdf
from portal.directives import lifecycle
from portal.directives.audience import DirectiveFileError
from portal.directives.loader import load_directive
from portal.extensions import db
from portal.matrix.model import matrix
from portal.models import (
    AuditEvent,
    Directive,
    DirectiveStatus,
    Evidence,
    Inspection,
    Measure,
    Progress,
    ProgressStatus,
    Task,
    TaskKind,
    Unit,
    UnitKind,
)


def sa_dec() -> Directive:
    return db.session.scalar(select(Directive).where(Directive.slug == "sa-dec-2023-cchc"))


def task(code: str, directive: Directive | None = None) -> Task:
    directive = directive or sa_dec()
    return db.session.scalar(select(Task).where(Task.directive_id == directive.id,
                                                Task.code == code))


def unit(name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.name == name))


def item(code: str, unit_name: str) -> Progress:
    return db.session.scalar(
        select(Progress).join(Task, Task.id == Progress.task_id)
        .where(Task.directive_id == sa_dec().id, Task.code == code,
               Progress.unit_id == unit(unit_name).id)
    )


def rows_of(model, **where) -> list[tuple]:
    table = model.__table__
    query = table.select().order_by(*table.primary_key.columns)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    return [tuple(row) for row in db.session.execute(query)]


def actions_logged() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def worked(app, login, ids):
    """Phòng Kinh tế (an office) has started 1.4, written a note and attached a PDF."""
    office = login("phongkinhte")
    item_id = ids.item("Phòng Kinh tế", "1.4")
    assert office.post(f"/items/{item_id}/save", {"note": "Đã lập kế hoạch."}).status_code == 303
    assert office.upload(item_id, sample_pdf("ke hoach"), "Kế hoạch.pdf",
                         htmx=False).status_code == 303
    return item_id


def test_narrowing_an_audience_hides_records_and_widening_restores_them_whole(app, worked):
    with app.app_context():
        directive, target = sa_dec(), task("1.4")
        before = rows_of(Progress, id=worked)
        evidence_before = rows_of(Evidence, progress_id=worked)
        revision = directive.revision
        lifecycle.change_task(target, directive, audience="kind:commune")
        db.session.commit()

        kept = db.session.get(Progress, worked)
        assert kept.hidden and kept.note == "Đã lập kế hoạch."
        assert kept.status is ProgressStatus.IN_PROGRESS
        assert rows_of(Evidence, progress_id=worked) == evidence_before
        assert sa_dec().revision > revision  # the matrix knows
        shown = db.session.scalars(
            select(Unit.kind).join(Progress, Progress.unit_id == Unit.id)
            .where(Progress.task_id == target.id, Progress.hidden.is_(False))).all()
        assert set(shown) == {UnitKind.COMMUNE} and len(shown) == 9
        hidden = db.session.scalars(
            select(AuditEvent.unit_id).where(AuditEvent.action == "progress.hidden")).all()
        assert len(hidden) == 15 and unit("Phòng Kinh tế").id in hidden

        lifecycle.change_task(target, sa_dec(), audience="all")
        db.session.commit()
        # The same row, with everything it held: only the version counter moved on.
        after = rows_of(Progress, id=worked)
        version = [c.name for c in Progress.__table__.columns].index("version")
        assert [v for i, v in enumerate(after[0]) if i != version] == \
            [v for i, v in enumerate(before[0]) if i != version]
        assert rows_of(Evidence, progress_id=worked) == evidence_before
        assert actions_logged().count("progress.restored") == 15
        assert db.session.scalar(select(func.count(Progress.id))
                                 .where(Progress.task_id == target.id)) == 24


def test_hidden_items_leave_the_checklist_and_the_matrix(app, login, ids, worked):
    with app.app_context():
        lifecycle.change_task(task("1.4"), sa_dec(), audience="kind:commune")
        db.session.commit()
        grid = matrix(sa_dec().id, date(2023, 6, 1))
        office = next(row for row in grid.rows if row.name == "Phòng Kinh tế")
        column = next(c for c in grid.columns if c.code == "1.4")
        assert column.task_id not in office.cells and column.assigned == 9
    office = login("phongkinhte")
    page = office.get(f"/directives/{ids.directive()}/units/{ids.unit('Phòng Kinh tế')}")
    assert f'id="item-{worked}"' not in page.get_data(as_text=True)
    assert office.get(f"/items/{worked}").status_code == 404
    assert office.post(f"/items/{worked}/save", {"note": "x"}).status_code == 404


def test_withdrawing_a_task_hides_every_item_and_restoring_brings_them_back(app, worked):
    with app.app_context():
        directive, target = sa_dec(), task("1.4")
        lifecycle.withdraw_task(target, directive)
        db.session.commit()
        assert task("1.4").withdrawn
        assert db.session.scalar(select(func.count(Progress.id)).where(
            Progress.task_id == target.id, Progress.hidden.is_(False))) == 0
        assert all(c.code != "1.4" for c in matrix(directive.id, date(2023, 6, 1)).columns)
        with pytest.raises(lifecycle.Refused):
            lifecycle.withdraw_task(task("1.4"), sa_dec())
        lifecycle.restore_task(task("1.4"), sa_dec())
        db.session.commit()
        assert db.session.get(Progress, worked).note == "Đã lập kế hoạch."
        assert not db.session.get(Progress, worked).hidden
        assert {"task.withdraw", "task.restore"} <= set(actions_logged())


def test_a_draft_task_is_deleted_for_good(app):
    with app.app_context():
        draft = lifecycle.copy_for_cycle(sa_dec(), 2024, "sa-dec-2024", "Năm 2024")
        first = lifecycle.tasks_of(draft)[0]
        lifecycle.withdraw_task(first, draft)
        db.session.commit()
        assert db.session.get(Task, first.id) is None
        assert "task.delete" in actions_logged()


def test_a_lead_unit_counts_and_supporting_units_do_not(app):
    with app.app_context():
        directive, target = sa_dec(), task("1.4")
        lead = unit("Phường 1")
        lifecycle.change_task(target, directive, lead_unit_id=lead.id)
        db.session.commit()
        items = db.session.scalars(select(Progress).where(Progress.task_id == target.id)).all()
        assert [i.unit_id for i in items if not i.supporting] == [lead.id]
        assert len([i for i in items if i.supporting]) == 23
        grid = matrix(directive.id, date(2023, 6, 1))
        column = next(c for c in grid.columns if c.code == "1.4")
        assert column.assigned == 1
        office = next(row for row in grid.rows if row.name == "Phòng Kinh tế")
        assert office.cells[column.task_id].supporting
        assert sum(row.assigned for row in grid.rows) == grid.totals()["assigned"]

        # A lead outside the audience is reached all the same.
        other = task("2.1")
        lifecycle.change_task(other, directive, lead_unit_id=unit("Phòng Tư pháp").id)
        db.session.commit()
        reached = set(db.session.scalars(select(Progress.unit_id).where(
            Progress.task_id == other.id, Progress.hidden.is_(False))))
        assert unit("Phòng Tư pháp").id in reached

        lifecycle.change_task(task("1.4"), sa_dec(), lead_unit_id=None)
        db.session.commit()
        assert not any(db.session.scalars(select(Progress.supporting).where(
            Progress.task_id == target.id)))


def test_changing_the_inspected_units_moves_inspection_tasks(app):
    with app.app_context():
        directive = sa_dec()
        ward, office = unit("Phường 1"), unit("Phòng Kinh tế")
        inspected = lifecycle.inspected_ids(directive)
        assert ward.id in inspected and office.id not in inspected
        lifecycle.set_inspected(directive, (inspected - {ward.id}) | {office.id})
        db.session.commit()
        assert item("1.1", "Phường 1").hidden and not item("1.14", "Phường 1").hidden
        assert not item("1.1", "Phòng Kinh tế").hidden and item("1.14", "Phòng Kinh tế").hidden
        assert "directive.inspected" in actions_logged()


def test_a_deadline_change_is_audited_and_told_to_the_units_it_reaches(app):
    with app.app_context():
        directive, target = sa_dec(), task("1.1")
        changed = lifecycle.change_task(target, directive, deadline=date(2023, 6, 30))
        db.session.commit()
        assert changed == {"deadline": "2023-06-16"}
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.change"))
        assert event.before["deadline"] == "2023-06-16"
        assert event.after["deadline"] == "2023-06-30"
        told = lifecycle.changes_for(directive, unit("Phường 1").id)
        assert [lifecycle.describe_change(e) for e in told] == [
            f"Nhiệm vụ 1.1 «{target.title}»: hạn đổi từ 16/06/2023 thành 30/06/2023."]
        # 1.1 is for inspected units only: an uninspected office is told nothing.
        assert lifecycle.changes_for(directive, unit("Phòng Kinh tế").id) == []
        # Nothing changed, nothing written.
        assert lifecycle.change_task(task("1.1"), sa_dec(), deadline=date(2023, 6, 30)) == {}


def test_a_new_task_on_a_published_directive_reaches_its_units_at_once(app):
    with app.app_context():
        directive = sa_dec()
        added = lifecycle.add_task(directive, code="6.1", title="Báo cáo bổ sung",
                                   kind=TaskKind.REPORT, audience="kind:commune",
                                   deadline=date(2023, 7, 1))
        db.session.commit()
        assert db.session.scalar(select(func.count(Progress.id)).where(
            Progress.task_id == added.id)) == 9
        told = lifecycle.changes_for(directive, unit("Phường 1").id)
        assert "được giao cho đơn vị" in lifecycle.describe_change(told[0])
        with pytest.raises(lifecycle.Refused, match="6.1"):
            lifecycle.add_task(sa_dec(), code="6.1", title="Trùng số", kind=TaskKind.ACTION,
                               audience="all")


def test_publishing_refuses_what_units_could_not_work_on(app):
    with app.app_context():
        empty = Directive(slug="trong", year=2024, title="Văn bản trống",
                          status=DirectiveStatus.DRAFT)
        db.session.add(empty)
        db.session.flush()
        with pytest.raises(lifecycle.Refused, match="chưa có nhiệm vụ"):
            lifecycle.publish(empty)
        lifecycle.add_task(empty, code="1", title="Chưa rõ ai làm", kind=TaskKind.ACTION,
                           audience="unmatched")
        lifecycle.add_task(empty, code="2", title="Tỷ lệ", kind=TaskKind.METRIC,
                           audience="all")
        lifecycle.add_task(empty, code="3", title="Không ai", kind=TaskKind.ACTION,
                           audience="inspected")
        found = lifecycle.problems(empty)
        assert found == [
            "Nhiệm vụ 1: Chưa xác định đơn vị thực hiện.",
            "Nhiệm vụ 2 là số liệu nhưng chưa chọn cách đo (tỷ lệ hay số lượng).",
            "Nhiệm vụ 3 chưa giao cho đơn vị nào.",
        ]
        with pytest.raises(lifecycle.Refused):
            lifecycle.publish(empty)
        assert db.session.scalar(select(func.count(Progress.id)).join(Task).where(
            Task.directive_id == empty.id)) == 0
        for code, values in (("1", {"audience": "kind:office"}),
                             ("2", {"measure": Measure.PERCENT}),
                             ("3", {"audience": f"units:{unit('Phường 3').id}"})):
            lifecycle.change_task(task(code, empty), empty, **values)
        lifecycle.publish(empty)
        db.session.commit()
        offices = db.session.scalar(select(func.count(Unit.id)).where(
            Unit.kind == UnitKind.OFFICE))
        assert empty.status is DirectiveStatus.OPEN and empty.published_at is not None
        assert db.session.scalar(select(func.count(Progress.id)).join(Task).where(
            Task.directive_id == empty.id)) == offices + 24 + 1
        assert actions_logged()[-1] == "directive.publish"
        with pytest.raises(lifecycle.Refused, match="đã được ban hành"):
            lifecycle.publish(empty)


def test_close_reopen_archive_in_order_only(app):
    with app.app_context():
        directive = sa_dec()
        with pytest.raises(lifecycle.Refused):
            lifecycle.archive(directive)
        with pytest.raises(lifecycle.Refused):
            lifecycle.reopen(directive)
        revision = directive.revision
        lifecycle.close(directive)
        assert directive.status is DirectiveStatus.CLOSED and directive.closed_at
        assert directive.revision == revision + 1
        lifecycle.reopen(directive)
        assert directive.status is DirectiveStatus.OPEN and directive.closed_at is None
        lifecycle.close(directive)
        lifecycle.archive(directive)
        lifecycle.unarchive(directive)
        db.session.commit()
        assert sa_dec().status is DirectiveStatus.CLOSED
        assert [a for a in actions_logged() if a.startswith("directive.")] == [
            "directive.close", "directive.reopen", "directive.close", "directive.archive",
            "directive.unarchive"]


def test_a_new_cycle_copies_tasks_and_leaves_the_old_one_untouched(app, worked):
    with app.app_context():
        source = sa_dec()
        culture = unit("Phòng Văn hóa và Thông tin").id
        lifecycle.change_task(task("2.3"), source, lead_unit_id=culture)
        lifecycle.withdraw_task(task("1.13"), source)
        db.session.commit()
        before = {model: rows_of(model) for model in (Progress, Evidence, Task, Inspection)}
        source_row = rows_of(Directive, id=source.id)

        copy = lifecycle.copy_for_cycle(source, 2024, "sa-dec-2024-cchc",
                                        "Chấn chỉnh công tác CCHC năm 2024")
        db.session.commit()

        assert copy.status is DirectiveStatus.DRAFT and copy.copied_from_id == source.id
        assert rows_of(Directive, id=source.id) == source_row
        for model, rows in before.items():
            assert [r for r in rows_of(model) if r in rows] == rows, model
        tasks = lifecycle.tasks_of(copy)
        old = {t.code: t for t in lifecycle.tasks_of(source)}
        assert [t.code for t in tasks] == [c for c, t in old.items() if not t.withdrawn]
        assert task("1.1", copy).deadline == date(2024, 6, 16)
        assert task("1.1", copy).audience == "inspected"
        assert task("2.3", copy).lead_unit_id == unit("Phòng Văn hóa và Thông tin").id
        assert task("4.2", copy).target == old["4.2"].target
        assert lifecycle.inspected_ids(copy) == lifecycle.inspected_ids(source)
        assert db.session.scalar(select(func.count(Progress.id)).join(Task).where(
            Task.directive_id == copy.id)) == 0
        with pytest.raises(lifecycle.Refused, match="sa-dec-2024-cchc"):
            lifecycle.copy_for_cycle(source, 2025, "sa-dec-2024-cchc", "Trùng mã")


def test_a_leap_day_moves_to_the_28th():
    assert lifecycle.shift_year(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert lifecycle.shift_year(date(2023, 6, 16), 2) == date(2025, 6, 16)
    assert lifecycle.shift_year(None, 1) is None


def test_a_directive_file_may_name_a_lead_unit(app, tmp_path):
    path = tmp_path / "lead.yaml"
    path.write_text(
        "slug: chu-tri\nyear: 2024\ntitle: Chủ trì và phối hợp\nsections:\n"
        " - number: '1'\n   audience: kind:office\n   tasks:\n"
        "    - {code: '1', title: Số hoá hồ sơ, lead: Phòng Văn hóa và Thông tin, "
        "target: 80, kind: metric, measure: percent}\n",
        encoding="utf-8",
    )
    with app.app_context():
        loaded = load_directive(path)
        db.session.commit()
        items = db.session.scalars(select(Progress).join(Task).where(
            Task.directive_id == loaded.id)).all()
        leads = [i for i in items if not i.supporting]
        assert [db.session.get(Unit, i.unit_id).name for i in leads] == [
            "Phòng Văn hóa và Thông tin"]
        assert task("1", loaded).target == Decimal("80")
    bad = tmp_path / "bad.yaml"
    bad.write_text(path.read_text(encoding="utf-8").replace("chu-tri", "khac").replace(
        "Phòng Văn hóa và Thông tin", "Phòng Không Có"), encoding="utf-8")
    with app.app_context(), pytest.raises(DirectiveFileError, match="Phòng Không Có"):
        load_directive(bad)


def test_a_deactivated_units_records_are_left_alone(app, worked):
    with app.app_context():
        office = unit("Phòng Kinh tế")
        office.active = False
        db.session.commit()
        lifecycle.change_task(task("1.4"), sa_dec(), audience="kind:commune")
        db.session.commit()
        assert not db.session.get(Progress, worked).hidden
