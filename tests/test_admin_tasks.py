"""The administrator edits a directive's tasks: adds, edits, orders, merges, splits, withdraws
and restores them. On a published directive the units' items follow at once and nothing they
recorded is ever lost: a narrowed audience or a withdrawn task hides items, a widened one or a
restored task brings them back as they were. Merge and split are for drafts only; a closed
directive changes no more. Bad input gets Vietnamese messages beside its fields, a 422 and
nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.directives import lifecycle
from portal.directives.editing import DRAFT_ONLY, NOT_EDITABLE
from portal.extensions import db
from portal.models import (
    Directive,
    DirectiveStatus,
    Evidence,
    Measure,
    Progress,
    Section,
    Task,
    TaskKind,
    Unit,
    UnitKind,
)

from .support.clients import PortalClient
from .support.databases import writes, written_since
from .support.forms import form_of, new_form
from .support.records import audit_since, last_audit_id, task_row

# --- helpers -------------------------------------------------------------------------------------


def html(response) -> str:
    return response.get_data(as_text=True)


def says(response, text: str) -> bool:
    return str(escape(text)) in html(response)


def error_of(response, field: str, message: str) -> bool:
    return f'<p class="error" id="{field}-error">{escape(message)}' in html(response)


def codes_in_order(app, directive_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(Task.code).where(Task.directive_id == directive_id)
            .order_by(Task.position, Task.id)))


def items_of(app, task_id: int) -> dict[str, Progress]:
    """The task's items by unit name, hidden ones too, detached for reading."""
    with app.app_context():
        rows = db.session.execute(
            select(Progress, Unit.name).join(Unit, Unit.id == Progress.unit_id)
            .where(Progress.task_id == task_id)).all()
        for item, _ in rows:
            db.session.expunge(item)
        return {name: item for item, name in rows}


def visible(items: dict[str, Progress]) -> set[str]:
    return {name for name, item in items.items() if not item.hidden}


def unit_names(app, kind: UnitKind | None = None) -> set[str]:
    with app.app_context():
        query = select(Unit.name).where(Unit.active)
        if kind is not None:
            query = query.where(Unit.kind == kind)
        return set(db.session.scalars(query))


def section_id(app, directive_id: int, number: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Section.id).where(Section.directive_id == directive_id,
                                                          Section.number == number))


def checklist_of(client: PortalClient, directive_id: int, unit_id: int) -> str:
    response = client.get(f"/directives/{directive_id}/units/{unit_id}")
    assert response.status_code == 200
    return html(response)


@pytest.fixture
def admin(login) -> PortalClient:
    return login("quantri")


@pytest.fixture
def draft(app, ids) -> int:
    """The Sa Đéc letter copied to 2024: a draft with its sections, tasks and texts."""
    with app.app_context():
        copy = lifecycle.copy_for_cycle(db.session.get(Directive, ids.directive()), 2024,
                                        "sa-dec-2024-cchc", "Khắc phục hạn chế CCHC năm 2024")
        db.session.commit()
        return copy.id


def close(app, directive_id: int) -> None:
    with app.app_context():
        lifecycle.close(db.session.get(Directive, directive_id))
        db.session.commit()


# --- adding --------------------------------------------------------------------------------------


def test_admin_adds_a_task_to_a_draft_at_the_end_of_its_section(app, admin, draft):
    page = admin.get(f"/admin/directives/{draft}/tasks/new")
    assert page.status_code == 200
    for label in ("Mọi đơn vị", "Đơn vị được kiểm tra", "Đơn vị chưa được kiểm tra",
                  "Các phòng chuyên môn", "Các đơn vị sự nghiệp", "Các xã, phường",
                  "Chọn từng đơn vị", "Phường An Hòa", "Đơn vị chủ trì"):
        assert says(page, label), label
    audit_id = last_audit_id(app)
    section = section_id(app, draft, "1")
    response = admin.post(f"/admin/directives/{draft}/tasks/new", new_form(
        code="1.15", section=str(section), kind="metric", measure="count",
        measure_unit="hồ sơ", target="0", target_at_most="y", deadline="31/12/2024",
        audience="kind:commune", evidence_hint="Danh sách hồ sơ"))
    assert response.status_code == 303
    task = task_row(app, draft, "1.15")
    assert response.headers["Location"] == f"/admin/directives/{draft}#task-{task.id}"
    assert (task.kind, task.measure, task.measure_unit, task.target, task.target_at_most) == (
        TaskKind.METRIC, Measure.COUNT, "hồ sơ", Decimal("0"), True)
    assert (task.deadline, task.audience, task.section_id, task.withdrawn) == (
        date(2024, 12, 31), "kind:commune", section, False)
    # After section 1's last task, before section 2's first.
    order = codes_in_order(app, draft)
    assert order.index("1.15") == order.index("1.14") + 1 == order.index("2.1") - 1
    assert [e.action for e in audit_since(app, audit_id)] == ["task.add"]
    assert items_of(app, task.id) == {}  # a draft reaches nobody yet

    listing = admin.get(f"/admin/directives/{draft}")
    assert f'id="task-{task.id}"' in html(listing) and says(listing, "Đã thêm nhiệm vụ 1.15.")


def test_task_added_to_the_open_directive_reaches_its_units_at_once(app, admin, login, ids):
    directive = ids.directive()
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/directives/{directive}/tasks/new", new_form(
        code="1.15", section=str(section_id(app, directive, "1")),
        title="Báo cáo số hoá hồ sơ TTHC quý III", audience="kind:commune"))
    assert response.status_code == 303
    task = task_row(app, directive, "1.15")
    items = items_of(app, task.id)
    assert visible(items) == set(items) == unit_names(app, UnitKind.COMMUNE)
    actions = [e.action for e in audit_since(app, audit_id)]
    assert actions[0] == "task.add" and actions[1:] == ["progress.added"] * len(items)
    assert says(admin.get(f"/admin/directives/{directive}"),
                "nhiệm vụ đã được giao ngay cho các đơn vị thực hiện")

    ward = checklist_of(login("phuong1"), directive, ids.unit("Phường 1"))
    assert "Báo cáo số hoá hồ sơ TTHC quý III" in ward and "30/09/2023" in ward
    office = checklist_of(login("phongtuphap"), directive, ids.unit("Phòng Tư pháp"))
    assert "Báo cáo số hoá hồ sơ TTHC quý III" not in office


# --- editing -------------------------------------------------------------------------------------


def test_editing_a_published_deadline_is_audited_with_before_and_after(app, admin, ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.4")
    items = {name: (i.id, i.hidden, i.supporting) for name, i in items_of(app, task.id).items()}
    page = admin.get(f"/admin/tasks/{task.id}/edit")
    assert page.status_code == 200 and 'value="1.4"' in html(page)
    audit_id = last_audit_id(app)

    response = admin.post(f"/admin/tasks/{task.id}/edit",
                          form_of(app, task.id, deadline="31/7/2023"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/directives/{directive}#task-{task.id}"
    assert task_row(app, directive, "1.4").deadline == date(2023, 7, 31)
    [event] = audit_since(app, audit_id)
    assert (event.action, event.target_id) == ("task.change", task.id)
    assert event.before == {"code": "1.4", "deadline": None}
    assert event.after["deadline"] == "2023-07-31" and event.after["code"] == "1.4"
    assert {n: (i.id, i.hidden, i.supporting)
            for n, i in items_of(app, task.id).items()} == items
    listing = html(admin.get(f"/admin/directives/{directive}"))
    assert "31/07/2023" in listing and "Đã lưu nhiệm vụ 1.4." in listing

    # The form shows it back as dd/mm/yyyy; saving it unchanged writes nothing.
    assert 'value="31/07/2023"' in html(admin.get(f"/admin/tasks/{task.id}/edit"))
    counted = writes(app)
    response = admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id))
    assert response.status_code == 303 and written_since(app, counted) == set()


def test_a_metric_target_reads_vietnamese_decimals_and_other_kinds_drop_the_measure(
        app, admin, ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.10")  # metric, percent, target 100
    assert 'value="100"' in html(admin.get(f"/admin/tasks/{task.id}/edit"))
    response = admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id, target="90,5"))
    assert response.status_code == 303
    assert task_row(app, directive, "1.10").target == Decimal("90.5")
    assert 'value="90,5"' in html(admin.get(f"/admin/tasks/{task.id}/edit"))
    assert "chỉ tiêu ≥ 90,5 %" in html(admin.get(f"/admin/directives/{directive}"))

    response = admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id, kind="action"))
    assert response.status_code == 303
    changed = task_row(app, directive, "1.10")
    assert (changed.kind, changed.measure, changed.target, changed.measure_unit) == (
        TaskKind.ACTION, None, None, "")


def test_a_new_code_is_audited_with_the_old_one(app, admin, draft):
    task = task_row(app, draft, "1.4")
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/tasks/{task.id}/edit",
                          form_of(app, task.id, code="1.4a", title="Theo dõi, đôn đốc CCHC"))
    assert response.status_code == 303
    assert task_row(app, draft, "1.4") is None and task_row(app, draft, "1.4a").id == task.id
    [event] = audit_since(app, audit_id)
    assert event.action == "task.change"
    assert event.before["code"] == "1.4" and event.after["code"] == "1.4a"
    assert event.after["title"] == "Theo dõi, đôn đốc CCHC"


def test_narrowing_an_audience_hides_items_and_widening_restores_them_as_they_were(
        app, admin, login, ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.4")
    office = login("phongtuphap")
    item = ids.item("Phòng Tư pháp", "1.4")
    assert office.post(f"/items/{item}/save", {"note": "Đã kiểm tra nội bộ quý II."}
                       ).status_code == 303
    assert office.post(f"/items/{item}/links", {"url": "https://sadec.dongthap.gov.vn/cchc"}
                       ).status_code == 303
    before = items_of(app, task.id)["Phòng Tư pháp"]
    with app.app_context():
        evidence = db.session.scalars(select(Evidence.url).where(
            Evidence.progress_id == item)).all()
    assert before.note == "Đã kiểm tra nội bộ quý II." and len(evidence) == 1

    response = admin.post(f"/admin/tasks/{task.id}/edit",
                          form_of(app, task.id, audience="kind:commune"))
    assert response.status_code == 303
    items = items_of(app, task.id)
    assert set(items) == unit_names(app)  # nothing deleted
    assert visible(items) == unit_names(app, UnitKind.COMMUNE)
    kept = items["Phòng Tư pháp"]
    assert kept.hidden and (kept.note, kept.status) == (before.note, before.status)
    with app.app_context():
        assert db.session.scalars(select(Evidence.url).where(
            Evidence.progress_id == item)).all() == evidence
    page = checklist_of(office, directive, ids.unit("Phòng Tư pháp"))
    assert f'id="item-{item}"' not in page
    assert "không còn giao cho đơn vị; những gì đã ghi nhận được lưu giữ" in page
    assert says(admin.get(f"/admin/directives/{directive}"), "Các xã, phường")

    response = admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id, audience="all"))
    assert response.status_code == 303
    items = items_of(app, task.id)
    assert visible(items) == set(items) == unit_names(app)
    back = items["Phòng Tư pháp"]
    assert (back.id, back.note, back.status, back.submitted_at) == (
        before.id, before.note, before.status, before.submitted_at)
    with app.app_context():
        assert db.session.scalars(select(Evidence.url).where(
            Evidence.progress_id == item)).all() == evidence
    assert "Đã kiểm tra nội bộ quý II." in checklist_of(office, directive,
                                                        ids.unit("Phòng Tư pháp"))


def test_chosen_units_are_stored_as_a_list_and_a_named_unit_shows_ticked(app, admin, ids):
    directive = ids.directive()
    task = task_row(app, directive, "2.1")  # "unit:Phòng Văn hóa và Thông tin" in the file
    culture = ids.unit("Phòng Văn hóa và Thông tin")
    page = html(admin.get(f"/admin/tasks/{task.id}/edit"))
    assert 'checked id="audience-6" name="audience" type="radio" value="units"' in page
    assert f'value="{culture}" id="unit-{culture}" checked' in page
    # Saved as it is, the letter's wording stays: nothing changes.
    counted = writes(app)
    assert admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id)).status_code == 303
    assert written_since(app, counted) == set()

    chosen = [culture, ids.unit("Phường 1"), ids.unit("Phòng Nội vụ")]
    response = admin.post(f"/admin/tasks/{task.id}/edit", form_of(
        app, task.id, units=[str(i) for i in chosen]))
    assert response.status_code == 303
    assert task_row(app, directive, "2.1").audience == "units:" + ",".join(
        str(i) for i in sorted(chosen))
    assert visible(items_of(app, task.id)) == {"Phòng Văn hóa và Thông tin", "Phường 1",
                                               "Phòng Nội vụ"}
    listing = html(admin.get(f"/admin/directives/{directive}"))
    row = listing[listing.index(f'id="task-{task.id}"'):]
    assert "Phòng Nội vụ, Phòng Văn hóa và Thông tin, Phường 1" in row[:row.index("</tr>")]


def test_a_lead_unit_makes_the_other_units_supporting(app, admin, ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.4")
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/tasks/{task.id}/edit", form_of(
        app, task.id, lead_unit=str(ids.unit("Phòng Nội vụ"))))
    assert response.status_code == 303
    items = items_of(app, task.id)
    assert not items["Phòng Nội vụ"].supporting
    assert all(item.supporting for name, item in items.items() if name != "Phòng Nội vụ")
    assert visible(items) == set(items)
    assert audit_since(app, audit_id)[0].action == "task.change"
    listing = html(admin.get(f"/admin/directives/{directive}"))
    row = listing[listing.index(f'id="task-{task.id}"'):]
    assert "<td>Phòng Nội vụ</td>" in row[:row.index("</tr>")]

    # A lead outside the audience still gets the task; without a lead nobody supports.
    culture_task = task_row(app, directive, "2.1")
    admin.post(f"/admin/tasks/{culture_task.id}/edit", form_of(
        app, culture_task.id, lead_unit=str(ids.unit("Phòng Nội vụ"))))
    items = items_of(app, culture_task.id)
    assert visible(items) == {"Phòng Văn hóa và Thông tin", "Phòng Nội vụ"}
    assert items["Phòng Văn hóa và Thông tin"].supporting
    assert not items["Phòng Nội vụ"].supporting
    admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id, lead_unit=""))
    assert not any(item.supporting for item in items_of(app, task.id).values())


# --- withdraw, restore, delete ------------------------------------------------------------------


def test_withdrawing_a_published_task_hides_it_and_restoring_brings_it_back(app, admin, login,
                                                                            ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.4")
    ward = login("phuong1")
    item = ids.item("Phường 1", "1.4")
    assert ward.post(f"/items/{item}/save", {"note": "Đã lập kế hoạch kiểm tra."}
                     ).status_code == 303
    before = items_of(app, task.id)

    response = admin.post(f"/admin/tasks/{task.id}/withdraw")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/directives/{directive}#task-{task.id}"
    assert task_row(app, directive, "1.4").withdrawn
    items = items_of(app, task.id)
    assert set(items) == set(before) and visible(items) == set()
    assert items["Phường 1"].note == "Đã lập kế hoạch kiểm tra."
    assert f'id="item-{item}"' not in checklist_of(ward, directive, ids.unit("Phường 1"))
    listing = admin.get(f"/admin/directives/{directive}")
    assert says(listing, "Đã rút khỏi văn bản") and says(listing, "Khôi phục")
    assert f'action="/admin/tasks/{task.id}/restore"' in html(listing)

    # Withdrawn twice: refused, nothing written.
    counted = writes(app)
    response = admin.post(f"/admin/tasks/{task.id}/withdraw")
    assert response.status_code == 409 and says(response, "đã được rút khỏi văn bản")
    assert written_since(app, counted) == set()

    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/tasks/{task.id}/restore")
    assert response.status_code == 303
    assert not task_row(app, directive, "1.4").withdrawn
    items = items_of(app, task.id)
    assert visible(items) == set(items) == set(before)
    assert items["Phường 1"].note == "Đã lập kế hoạch kiểm tra."
    assert items["Phường 1"].id == item
    actions = [e.action for e in audit_since(app, audit_id)]
    assert actions[0] == "task.restore" and set(actions[1:]) == {"progress.restored"}
    assert "Đã lập kế hoạch kiểm tra." in checklist_of(ward, directive, ids.unit("Phường 1"))


def test_deleting_a_draft_task_removes_it(app, admin, draft):
    task = task_row(app, draft, "1.3")
    listing = html(admin.get(f"/admin/directives/{draft}"))
    assert 'aria-label="Xoá nhiệm vụ 1.3"' in listing and "Rút khỏi văn bản" not in listing
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/tasks/{task.id}/withdraw")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/directives/{draft}#tasks"
    assert task_row(app, draft, "1.3") is None
    [event] = audit_since(app, audit_id)
    assert (event.action, event.before["code"]) == ("task.delete", "1.3")
    assert admin.post(f"/admin/tasks/{task.id}/withdraw").status_code == 404


# --- order ---------------------------------------------------------------------------------------


def test_tasks_move_up_and_down_within_their_section(app, admin, ids):
    directive = ids.directive()
    first, second = task_row(app, directive, "1.1"), task_row(app, directive, "1.2")
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/tasks/{second.id}/move", {"direction": "up"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/directives/{directive}#task-{second.id}"
    assert codes_in_order(app, directive)[:3] == ["1.2", "1.1", "1.3"]
    [event] = audit_since(app, audit_id)
    assert (event.action, event.after["direction"]) == ("task.move", "up")
    listing = html(admin.get(f"/admin/directives/{directive}"))
    assert listing.index(f'id="task-{second.id}"') < listing.index(f'id="task-{first.id}"')
    # Units read the new order too.
    assert admin.post(f"/admin/tasks/{second.id}/move", {"direction": "down"}
                      ).status_code == 303
    assert codes_in_order(app, directive)[:3] == ["1.1", "1.2", "1.3"]

    # First of its section, last of its section: nothing moves, nothing is written.
    counted = writes(app)
    for code, direction in (("1.1", "up"), ("1.14", "down"), ("2.1", "up")):
        task = task_row(app, directive, code)
        response = admin.post(f"/admin/tasks/{task.id}/move", {"direction": direction})
        assert response.status_code == 303
    assert written_since(app, counted) == set()
    assert says(admin.get(f"/admin/directives/{directive}"), "Nhiệm vụ 2.1 đã ở đầu mục.")
    assert admin.post(f"/admin/tasks/{first.id}/move", {"direction": "left"}).status_code == 400


# --- merge and split -----------------------------------------------------------------------------


def test_merging_on_a_draft_joins_the_texts_and_keeps_the_earliest_deadline(app, admin, draft):
    first, second = task_row(app, draft, "1.1"), task_row(app, draft, "1.2")
    assert first.deadline == date(2024, 6, 16) and second.deadline is None
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/tasks/{first.id}/merge")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/directives/{draft}#task-{first.id}"
    merged = task_row(app, draft, "1.1")
    assert task_row(app, draft, "1.2") is None
    assert merged.text == first.text + "\n\n" + second.text
    assert merged.deadline == date(2024, 6, 16)
    assert merged.audience == "all"  # inspected units and every unit: every unit
    assert merged.evidence_hint == f"{first.evidence_hint}; {second.evidence_hint}"
    assert (merged.title, merged.kind) == (first.title, first.kind)
    assert codes_in_order(app, draft)[:3] == ["1.1", "1.3", "1.4"]
    [event] = audit_since(app, audit_id)
    assert event.action == "task.merge" and event.after["merged"] == "1.2"
    assert event.before["second"]["title"] == second.title
    assert says(admin.get(f"/admin/directives/{draft}"),
                "Đã gộp nhiệm vụ 1.2 vào nhiệm vụ 1.1")

    # Different audiences, neither "all": both tasks' units, by name.
    last, report = task_row(app, draft, "1.6"), task_row(app, draft, "1.7")
    with app.app_context():
        db.session.get(Task, report.id).audience = "kind:office"
        db.session.commit()
    assert admin.post(f"/admin/tasks/{last.id}/merge").status_code == 303
    rule = task_row(app, draft, "1.6").audience
    assert rule.startswith("units:")
    with app.app_context():
        reached = set(db.session.scalars(select(Unit.name).where(
            Unit.id.in_([int(i) for i in rule.removeprefix("units:").split(",")]))))
    assert reached == unit_names(app, UnitKind.COMMUNE) | unit_names(app, UnitKind.OFFICE)
    # 1.6 measured nothing: 1.7's figure (overdue dossiers left, at most 0) comes with it.
    merged = task_row(app, draft, "1.6")
    assert (merged.kind, merged.measure, merged.target, merged.target_at_most) == (
        TaskKind.METRIC, Measure.COUNT, Decimal("0"), True)

    # The last task of a section has nothing after it to merge with.
    counted = writes(app)
    response = admin.post(f"/admin/tasks/{task_row(app, draft, '1.14').id}/merge")
    assert response.status_code == 409 and says(response, "là nhiệm vụ cuối của mục")
    assert written_since(app, counted) == set()


def test_splitting_on_a_draft_cuts_the_text_at_the_chosen_sentence(app, admin, draft):
    task = task_row(app, draft, "1.1")
    page = admin.get(f"/admin/tasks/{task.id}/split")
    assert page.status_code == 200
    assert 'name="at" value="1"' in html(page) and 'value="1.1b"' in html(page)
    assert 'name="at" value="2"' not in html(page)  # after the last sentence: nothing to cut
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/tasks/{task.id}/split", {
        "at": "1", "title": "Khắc phục hạn chế theo Báo cáo kiểm tra CCHC",
        "new_code": "1.1b", "new_title": "Báo cáo kết quả khắc phục"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/directives/{draft}#task-{task.id}"
    first, second = task_row(app, draft, "1.1"), task_row(app, draft, "1.1b")
    assert first.text.startswith("Khẩn trương") and first.text.endswith("năm 2023.")
    assert second.text.startswith("Đối với các cơ quan, đơn vị được kiểm tra")
    assert first.text + " " + second.text == task.text
    assert first.title == "Khắc phục hạn chế theo Báo cáo kiểm tra CCHC"
    assert second.title == "Báo cáo kết quả khắc phục"
    assert (second.kind, second.deadline, second.audience, second.section_id,
            second.evidence_hint) == (task.kind, task.deadline, task.audience, task.section_id,
                                      task.evidence_hint)
    assert codes_in_order(app, draft)[:3] == ["1.1", "1.1b", "1.2"]
    [event] = audit_since(app, audit_id)
    assert event.action == "task.split" and event.after["new"]["code"] == "1.1b"
    assert event.before["text"] == task.text

    # Now one sentence each: nothing left to split.
    counted = writes(app)
    response = admin.post(f"/admin/tasks/{second.id}/split", {
        "at": "1", "title": "x", "new_code": "1.1c", "new_title": "y"})
    assert response.status_code == 422
    assert error_of(response, "at", "Nội dung nhiệm vụ chưa có hoặc chỉ có một câu; không có "
                                    "chỗ để tách. Hãy thêm nhiệm vụ mới thay vì tách.")
    assert written_since(app, counted) == set()


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"at": ""}, "at", "Hãy chọn câu mà nhiệm vụ thứ nhất kết thúc ở đó."),
    ({"at": "2"}, "at", "Hãy chọn câu mà nhiệm vụ thứ nhất kết thúc ở đó."),
    ({"new_code": "1.2"}, "new_code", "Đã có nhiệm vụ mang số «1.2» trong văn bản này."),
    ({"new_code": ""}, "new_code", "Hãy nhập số hiệu nhiệm vụ, ví dụ 1.4."),
    ({"new_title": " "}, "new_title", "Hãy nhập tên nhiệm vụ thứ hai."),
])
def test_bad_split_is_refused_with_its_message_and_nothing_written(app, admin, draft, form,
                                                                   field, message):
    task = task_row(app, draft, "1.1")
    counted = writes(app)
    response = admin.post(f"/admin/tasks/{task.id}/split", {
        "at": "1", "title": "Khắc phục", "new_code": "1.1b", "new_title": "Báo cáo"} | form)
    assert response.status_code == 422
    assert error_of(response, field, message)
    assert written_since(app, counted) == set()


def test_merge_and_split_are_refused_on_a_published_directive(app, admin, ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.1")
    listing = html(admin.get(f"/admin/directives/{directive}"))
    assert "/merge" not in listing and "/split" not in listing
    counted = writes(app)
    for response in (admin.post(f"/admin/tasks/{task.id}/merge"),
                     admin.get(f"/admin/tasks/{task.id}/split"),
                     admin.post(f"/admin/tasks/{task.id}/split", {
                         "at": "1", "title": "a", "new_code": "1.1b", "new_title": "b"})):
        assert response.status_code == 409
        assert says(response, DRAFT_ONLY)
    assert written_since(app, counted) == set()


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"title": "  "}, "title", "Hãy nhập tên nhiệm vụ."),
    ({"code": ""}, "code", "Hãy nhập số hiệu nhiệm vụ, ví dụ 1.4."),
    ({"code": "1.1"}, "code", "Đã có nhiệm vụ mang số «1.1» trong văn bản này."),
    ({"code": "x" * 21}, "code", "Số hiệu nhiệm vụ tối đa 20 ký tự."),
    ({"deadline": "32/13/2024"}, "deadline",
     "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 30/06/2023."),
    ({"deadline": "mai"}, "deadline",
     "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 30/06/2023."),
    ({"kind": "metric", "measure": ""}, "measure",
     "Nhiệm vụ số liệu cần chọn cách đo: tỷ lệ (%) hay số lượng."),
    ({"kind": "metric", "measure": "percent", "target": "nhiều"}, "target",
     "Chỉ tiêu phải là một số không âm, ví dụ 100 hoặc 90,5."),
    ({"kind": "metric", "measure": "percent", "target": "120"}, "target",
     "Chỉ tiêu tỷ lệ không quá 100 (%)."),
    ({"kind": ""}, "kind", "Hãy chọn loại nhiệm vụ."),
    ({"audience": ""}, "audience", "Hãy chọn đơn vị thực hiện."),
    ({"audience": "everyone"}, "audience", "Hãy chọn đơn vị thực hiện."),
    ({"audience": "units"}, "audience", "Hãy đánh dấu ít nhất một đơn vị trong danh sách."),
    ({"audience": "units", "units": ["999999"]}, "audience",
     "Có đơn vị được chọn không có hoặc đã ngừng hoạt động."),
    ({"lead_unit": "999999"}, "lead_unit", "Đơn vị chủ trì không có hoặc đã ngừng hoạt động."),
    ({"section": "999999"}, "section", "Mục không có trong văn bản này."),
])
def test_bad_task_is_refused_with_its_message_and_nothing_written(app, admin, ids, draft,
                                                                  change, field, message):
    counted = writes(app)
    # A new task of the draft, and an edit of the published 1.4 where units are at work.
    response = admin.post(f"/admin/directives/{draft}/tasks/new", new_form(**change))
    assert response.status_code == 422
    assert error_of(response, field, message)
    assert says(response, "Chưa lưu được")
    task = task_row(app, ids.directive(), "1.4")
    response = admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id, **change))
    assert response.status_code == 422
    assert error_of(response, field, message)
    assert written_since(app, counted) == set()


def test_unmatched_audience_is_shown_with_its_heading_and_must_be_replaced(app, admin, draft):
    task = task_row(app, draft, "2.1")
    with app.app_context():
        db.session.get(Task, task.id).audience = "unmatched"
        heading = db.session.get(Section, task.section_id).heading
        db.session.commit()
    listing = admin.get(f"/admin/directives/{draft}")
    row = html(listing)[html(listing).index(f'id="task-{task.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Chưa xác định" in row and str(escape(heading)) in row

    page = admin.get(f"/admin/tasks/{task.id}/edit")
    assert says(page, "Chưa xác định") and says(page, heading)
    assert 'name="audience" type="radio" value="all" checked' not in html(page)
    assert "checked" not in html(page)[html(page).index('name="audience"') - 40:
                                       html(page).index("units-picker")]

    counted = writes(app)
    response = admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id))
    assert response.status_code == 422
    assert error_of(response, "audience", "Văn bản chưa xác định được đơn vị thực hiện nhiệm "
                                          "vụ này; hãy chọn đơn vị thực hiện.")
    assert written_since(app, counted) == set()

    response = admin.post(f"/admin/tasks/{task.id}/edit",
                          form_of(app, task.id, audience="kind:office"))
    assert response.status_code == 303
    assert task_row(app, draft, "2.1").audience == "kind:office"


# --- several unmatched tasks at once -------------------------------------------------------------


def unmatch(app, draft: int, *codes: str) -> list[int]:
    """The tasks as the importer leaves those it could not place: audience "unmatched", with
    the words the letter wrote."""
    ids = []
    with app.app_context():
        for code in codes:
            task = db.session.scalar(select(Task).where(Task.directive_id == draft,
                                                        Task.code == code))
            task.audience = "unmatched"
            task.import_notes = f"Chưa xác định đơn vị: nhiệm vụ giao cho «Tổ dân phố {code}»."
            ids.append(task.id)
        db.session.commit()
    return ids


def test_one_audience_for_several_unmatched_tasks(app, admin, draft):
    first, second = unmatch(app, draft, "2.1", "3.1")
    listing = admin.get(f"/admin/directives/{draft}")
    assert says(listing, "Chọn đơn vị thực hiện cho 2 nhiệm vụ chưa xác định")
    page = admin.get(f"/admin/directives/{draft}/tasks/audience")
    assert page.status_code == 200
    # each listed with the words the letter wrote, all marked
    assert says(page, "Văn bản ghi: «Tổ dân phố 2.1»") and says(page, "«Tổ dân phố 3.1»")
    assert f'name="tasks" value="{first}" checked' in html(page)
    assert f'name="tasks" value="{second}" checked' in html(page)
    audit_id = last_audit_id(app)

    response = admin.post(f"/admin/directives/{draft}/tasks/audience",
                          {"tasks": [str(first), str(second)], "audience": "kind:commune"})

    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/directives/{draft}#tasks"
    assert task_row(app, draft, "2.1").audience == task_row(app, draft, "3.1").audience \
        == "kind:commune"
    events = audit_since(app, audit_id)
    assert [event.action for event in events] == ["task.change", "task.change"]
    after = admin.get(f"/admin/directives/{draft}")
    assert says(after, "Đã chọn đơn vị thực hiện cho 2 nhiệm vụ (2.1, 3.1): Các xã, phường.")
    assert not says(after, "nhiệm vụ chưa xác định")


def test_several_unmatched_tasks_to_units_chosen_one_by_one(app, admin, draft, ids):
    first, second = unmatch(app, draft, "2.1", "3.1")
    office, ward = ids.unit("Phòng Nội vụ"), ids.unit("Phường 1")
    response = admin.post(f"/admin/directives/{draft}/tasks/audience",
                          {"tasks": [str(second)], "audience": "units",
                           "units": [str(office), str(ward)]})
    assert response.status_code == 303
    # only the marked one; the other still waits
    assert task_row(app, draft, "3.1").audience == f"units:{min(office, ward)},{max(office, ward)}"
    assert task_row(app, draft, "2.1").audience == "unmatched"


@pytest.mark.parametrize("form, field, message", [
    ({"audience": "all"}, "tasks", "Hãy đánh dấu ít nhất một nhiệm vụ."),
    ({"tasks": "{first}"}, "audience", "Hãy chọn đơn vị thực hiện cho các nhiệm vụ đã đánh dấu."),
    ({"tasks": "{first}", "audience": "unmatched"}, "audience",
     "Hãy chọn đơn vị thực hiện cho các nhiệm vụ đã đánh dấu."),
    ({"tasks": "{first}", "audience": "units"}, "audience",
     "Hãy đánh dấu ít nhất một đơn vị trong danh sách."),
    ({"tasks": "{first}", "audience": "units", "units": "999999"}, "audience",
     "Có đơn vị được chọn không có hoặc đã ngừng hoạt động."),
    # a task already placed (another editor's), or one of another directive
    ({"tasks": "{placed}", "audience": "all"}, "tasks",
     "Có nhiệm vụ đã được chọn đơn vị hoặc không còn trong văn bản; hãy tải lại trang rồi chọn "
     "lại."),
    ({"tasks": "abc", "audience": "all"}, "tasks",
     "Có nhiệm vụ đã được chọn đơn vị hoặc không còn trong văn bản; hãy tải lại trang rồi chọn "
     "lại."),
])
def test_choosing_an_audience_for_unmatched_tasks_refuses_bad_input(app, admin, draft, form,
                                                                    field, message):
    (first,) = unmatch(app, draft, "2.1")
    placed = task_row(app, draft, "1.1").id
    sent = {key: value.format(first=first, placed=placed) for key, value in form.items()}
    counted = writes(app)
    response = admin.post(f"/admin/directives/{draft}/tasks/audience", sent)
    assert response.status_code == 422
    assert error_of(response, field, message)
    assert written_since(app, counted) == set()
    assert task_row(app, draft, "2.1").audience == "unmatched"


def test_no_unmatched_task_left_and_a_closed_directive(app, admin, draft, ids):
    page = admin.get(f"/admin/directives/{draft}/tasks/audience")
    assert page.status_code == 200
    assert says(page, "Văn bản không còn nhiệm vụ nào chưa xác định đơn vị thực hiện.")
    counted = writes(app)
    response = admin.post(f"/admin/directives/{draft}/tasks/audience", {"audience": "all"})
    assert response.status_code == 422
    assert error_of(response, "tasks", "Văn bản không còn nhiệm vụ nào chưa xác định đơn vị "
                                       "thực hiện.")
    assert written_since(app, counted) == set()
    directive = ids.directive()
    close(app, directive)
    counted = writes(app)
    response = admin.post(f"/admin/directives/{directive}/tasks/audience", {"audience": "all"})
    assert response.status_code == 409
    assert says(response, NOT_EDITABLE[DirectiveStatus.CLOSED])
    assert written_since(app, counted) == set()


# --- closed and archived -------------------------------------------------------------------------


def test_nothing_changes_on_a_closed_directive(app, admin, ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.4")
    close(app, directive)
    message = NOT_EDITABLE[DirectiveStatus.CLOSED]
    listing = html(admin.get(f"/admin/directives/{directive}"))
    assert f'action="/admin/tasks/{task.id}/' not in listing
    assert f"/admin/tasks/{task.id}/edit" not in listing and "/tasks/new" not in listing
    counted = writes(app)
    for response in (
        admin.get(f"/admin/directives/{directive}/tasks/new"),
        admin.post(f"/admin/directives/{directive}/tasks/new", new_form()),
        admin.get(f"/admin/tasks/{task.id}/edit"),
        admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id, deadline="01/08/2023")),
        admin.post(f"/admin/tasks/{task.id}/move", {"direction": "down"}),
        admin.post(f"/admin/tasks/{task.id}/withdraw"),
        admin.post(f"/admin/tasks/{task.id}/restore"),
        admin.post(f"/admin/tasks/{task.id}/merge"),
        admin.get(f"/admin/tasks/{task.id}/split"),
    ):
        assert response.status_code == 409, response.request.path
        assert says(response, message)
        assert f'href="/admin/directives/{directive}#task-{task.id}"' in html(response) \
            or f'href="/admin/directives/{directive}#tasks"' in html(response)
    assert written_since(app, counted) == set()


def test_unknown_task_or_directive_is_404(admin):
    assert admin.get("/admin/tasks/999999/edit").status_code == 404
    assert admin.post("/admin/tasks/999999/move", {"direction": "up"}).status_code == 404
    assert admin.get("/admin/directives/999999/tasks/new").status_code == 404
