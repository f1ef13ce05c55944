"""The matrix as JSON: every item once with the database's status, the figures the screens show,
Vietnamese as UTF-8 text, and the same roles as the matrix page."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.deadlines import DeadlineState, today
from portal.extensions import db
from portal.models import Directive, Progress, ProgressStatus, Task, Unit, UnitKind

FORBIDDEN = "Bạn không có quyền thực hiện thao tác này."


def ok(response) -> None:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


@pytest.fixture
def directive(app, login, ids) -> int:
    """Phường 1 reports 45/50 for 1.10 and Phường 2 writes a note on 1.8; 1.10 is approved."""
    ward = login("phuong1")
    rate = ids.item("Phường 1", "1.10")
    ok(ward.post(f"/items/{rate}/save", {"numerator": "45", "denominator": "50", "note": ""}))
    ok(ward.post(f"/items/{rate}/submit"))
    ok(login("noivu.duyet").post(f"/items/{rate}/review", {"verdict": "approve"}))
    ok(login("phuong2").post(f"/items/{ids.item('Phường 2', '1.8')}/save",
                             {"note": "Đang xử lý trên iDesk."}))
    return ids.directive()


def url(directive: int) -> str:
    return f"/api/directives/{directive}/matrix"


def read(client, directive: int) -> tuple[dict, bytes]:
    response = client.get(url(directive))
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.data.decode("utf-8")), response.data


def items_in_database(app, directive: int) -> dict[tuple[int, int], tuple[int, str]]:
    """(unit id, task id) -> (item id, status) of every item of the directive."""
    with app.app_context():
        return {
            (unit_id, task_id): (item_id, status.value)
            for item_id, unit_id, task_id, status in db.session.execute(
                select(Progress.id, Progress.unit_id, Progress.task_id, Progress.status)
                .join(Task, Task.id == Progress.task_id).where(Task.directive_id == directive)
            )
        }


def test_every_assigned_item_is_there_once_with_the_databases_status(app, directive, login):
    data, _ = read(login("lanhdao"), directive)
    expected = items_in_database(app, directive)
    pairs = [(cell["unit_id"], cell["task_id"]) for cell in data["cells"]]
    assert len(pairs) == len(set(pairs)) == len(expected) > 200
    assert {(c["unit_id"], c["task_id"]): (c["item_id"], c["status"])
            for c in data["cells"]} == expected
    labels = {status.value: status.label for status in ProgressStatus}
    states = {state.value: state.label for state in DeadlineState}
    for cell in data["cells"]:
        assert cell["status_label"] == labels[cell["status"]]
        assert cell["deadline_state_label"] == states[cell["deadline_state"]]
    assert {c["status"] for c in data["cells"]} == {"approved", "in_progress", "not_started"}


def test_tasks_units_and_directive_are_the_databases(app, directive, login):
    data, _ = read(login("noivu.duyet"), directive)
    with app.app_context():
        found = db.session.get(Directive, directive)
        tasks = db.session.execute(
            select(Task.id, Task.code, Task.title, Task.deadline)
            .where(Task.directive_id == directive).order_by(Task.position)).all()
        units = dict(db.session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_(
                select(Progress.unit_id).join(Task, Task.id == Progress.task_id)
                .where(Task.directive_id == directive)))).all())
        on = today()
        assert data["directive"] == {"id": directive, "title": found.title,
                                     "number": found.number, "revision": found.revision,
                                     "deadline_day_counts": found.deadline_day_counts}
    assert data["on"] == on.isoformat()
    assert [(t["id"], t["code"], t["title"]) for t in data["tasks"]] == [
        (id_, code, title) for id_, code, title, _ in tasks]
    assert {t["code"]: t["deadline"] for t in data["tasks"]}["1.1"] == "2023-06-16"
    rate = next(t for t in data["tasks"] if t["code"] == "1.10")
    assert (rate["measure"], rate["target"], rate["target_at_most"]) == ("percent", 100, False)
    assert next(t for t in data["tasks"] if t["code"] == "1.4")["measure"] is None
    assert {u["id"]: u["name"] for u in data["units"]} == units
    assert {u["kind"] for u in data["units"]} == {kind.value for kind in UnitKind}


def test_unit_counts_agree_with_the_cells(directive, login):
    data, _ = read(login("quantri"), directive)
    for unit in data["units"]:
        cells = [c for c in data["cells"] if c["unit_id"] == unit["id"]]
        assert unit["assigned"] == len(cells)
        assert unit["done"] == sum(c["status"] == "approved" for c in cells)
        assert unit["overdue"] == sum(c["deadline_state"] == "overdue" for c in cells)
    ward = next(u for u in data["units"] if u["name"] == "Phường 1")
    assert ward["done"] == 1 and ward["overdue"] == 1  # 1.10 approved; 1.1 due 16/06/2023


def test_phuong_1_reports_90_percent(app, directive, login, ids):
    data, _ = read(login("lanhdao"), directive)
    [cell] = [c for c in data["cells"] if c["item_id"] == ids.item("Phường 1", "1.10")]
    assert cell["figure"] == 90.0
    assert (cell["status"], cell["status_label"]) == ("approved", "Đạt")
    assert (cell["deadline_state"], cell["deadline"]) == ("done_on_time", None)
    assert cell["evidence_count"] == 0
    [late] = [c for c in data["cells"] if c["item_id"] == ids.item("Phường 1", "1.1")]
    assert (late["deadline_state"], late["deadline"]) == ("overdue", "2023-06-16")
    assert late["deadline_state_label"] == "Quá hạn chưa hoàn thành"
    [count] = [c for c in data["cells"] if c["item_id"] == ids.item("Phường 1", "1.7")]
    assert count["figure"] is None


def test_vietnamese_is_written_as_utf8_not_escaped(directive, login):
    _, raw = read(login("lanhdao"), directive)
    assert "Phường 1".encode() in raw
    assert "Quá hạn chưa hoàn thành".encode() in raw
    assert "Chấn chỉnh, khắc phục".encode() in raw
    assert b"\\u" not in raw


def test_readers_get_the_same_matrix(directive, login):
    answers = [read(login(name), directive)[0] for name in ("lanhdao", "noivu.duyet", "quantri")]
    assert answers[0] == answers[1] == answers[2]


def test_unchanged_matrix_answers_304_until_an_item_changes(directive, login, ids):
    leader = login("lanhdao")
    first = leader.get(url(directive))
    tag = first.headers["ETag"]
    again = leader.get(url(directive), headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    ok(login("phuong1").post(f"/items/{ids.item('Phường 1', '1.4')}/save", {"note": "Đã họp."}))
    changed = leader.get(url(directive), headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert json.loads(changed.data)["directive"]["revision"] > json.loads(first.data)[
        "directive"]["revision"]


@pytest.mark.parametrize("username", ["phuong1", "phongnoivu"])
def test_unit_staff_get_403(directive, login, username):
    client = login(username)
    for headers in ({}, {"Accept": "application/json"}):
        response = client.get(url(directive), headers=dict(headers))
        assert response.status_code == 403
        text = response.get_data(as_text=True)
        assert FORBIDDEN in text and '"cells"' not in text and "Chấn chỉnh" not in text


def test_logged_out_client_asking_for_json_gets_401(directive, visitor):
    response = visitor.get(url(directive), headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.data.decode("utf-8")) == {"error": "Chưa đăng nhập"}
    assert "Chưa đăng nhập".encode() in response.data


def test_logged_out_browser_is_sent_to_login(directive, visitor):
    response = visitor.get(url(directive))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/api/directives/{directive}/matrix"
    assert b'"cells"' not in response.data
    again = visitor.get(url(directive), htmx=True)
    assert again.status_code == 401 and again.headers["HX-Redirect"] == "/login"


def test_unknown_directive_is_404(login):
    assert login("lanhdao").get(url(999999)).status_code == 404


def test_the_matrix_comes_a_page_of_units_at_a_time(app, directive, login):
    """Following `next` from the first page of 5 units reads every unit and every item once, in
    the matrix's order; each page says the total and links both ways."""
    client = login("lanhdao")
    whole, _ = read(client, directive)
    assert (whole["units_total"], whole["page"], whole["pages"]) == (len(whole["units"]), 1, 1)
    assert whole["next"] is None and whole["previous"] is None
    link, units, cells, pages = f"{url(directive)}?per_page=5", [], [], []
    while link:
        response = client.get(link)
        assert response.status_code == 200
        data = response.get_json()
        assert data["units_total"] == len(whole["units"]) and data["per_page"] == 5
        assert len(data["units"]) <= 5 and data["tasks"] == whole["tasks"]
        assert {c["unit_id"] for c in data["cells"]} <= {u["id"] for u in data["units"]}
        if data["next"]:
            assert response.headers["Link"] == f'<{data["next"]}>; rel="next"'
        else:
            assert "Link" not in response.headers
        pages.append((data["page"], data["previous"]))
        units += data["units"]
        cells += data["cells"]
        link = data["next"]
    assert pages[0] == (1, None) and pages[1] == (2, f"{url(directive)}?page=1&per_page=5")
    assert len(pages) == -(-len(whole["units"]) // 5) == data["pages"]
    assert units == whole["units"]
    assert sorted(cells, key=lambda c: c["item_id"]) == sorted(whole["cells"],
                                                               key=lambda c: c["item_id"])
    assert {(c["unit_id"], c["task_id"]): (c["item_id"], c["status"]) for c in cells} == \
        items_in_database(app, directive)


def test_a_page_past_the_last_is_the_last(directive, login):
    client = login("lanhdao")
    last = client.get(f"{url(directive)}?per_page=10&page=999").get_json()
    assert last["page"] == last["pages"] == 3 and last["next"] is None
    assert last["previous"] == f"{url(directive)}?page=2&per_page=10"
    too_many = client.get(f"{url(directive)}?per_page=100000").get_json()
    assert too_many["per_page"] == 500
