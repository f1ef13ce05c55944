"""Tổng hợp: the figures of every directive of a period, of a unit's scorecard and of the ranking,
on a small case built by hand through the routes (on time, late, overdue, returned twice, waiting,
an extension granted; a withdrawn task, a hidden item and a supporting unit's item left out; the
directive closed, still counted in its year); who sees what; a period or a formula that cannot be
read refused with the reason, nothing saved; statements that do not grow with the directives."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select, update

from portal.deadlines import DeadlineState, deadline_state, last_day, late_from, local_date
from portal.directives.loader import load_directive
from portal.extensions import db
from portal.models import (
    Extension,
    ExtensionStatus,
    Progress,
    ProgressStatus,
    ScoringFormula,
    Task,
)

from .support.databases import writes, written_since
from .support.progress import ok, send_in
from .support.records import audit_actions_since, last_audit_id
from .support.statements import count_statements

FORBIDDEN = "Bạn không có quyền thực hiện thao tác này."

# A letter of 2024 for the communes: tasks whose deadlines are long past (16/06/2024) or far
# ahead (31/12/2099), so that on time and late do not depend on the day the test runs.
LETTER = """\
slug: {slug}
year: {year}
title: {title}
sections:
 - number: '1'
   audience: kind:commune
   tasks:
    - {{code: '1', title: Đúng hạn, deadline: 2099-12-31}}
    - {{code: '2', title: Quá hạn đã xong, deadline: 2024-06-16}}
    - {{code: '3', title: Quá hạn chưa xong, deadline: 2024-06-16}}
    - {{code: '4', title: Bị trả lại hai lần, deadline: 2099-12-31}}
    - {{code: '5', title: Chờ duyệt, deadline: 2099-12-31}}
    - {{code: '6', title: Đã rút, deadline: 2024-06-16}}
    - {{code: '7', title: Đã ẩn, deadline: 2024-06-16}}
    - {{code: '8', title: Phối hợp, deadline: 2024-06-16}}
    - {{code: '9', title: Được gia hạn, deadline: 2024-06-16}}
"""


def load_letter(app, folder, slug: str, year: int = 2024, title: str = "") -> int:
    path = folder / f"{slug}.yaml"
    path.write_text(LETTER.format(slug=slug, year=year, title=title or f"Kế hoạch {slug}"),
                    encoding="utf-8")
    with app.app_context():
        directive_id = load_directive(path).id
        db.session.commit()
    return directive_id


def item_of(app, directive_id: int, unit_id: int, code: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Progress.id).join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == directive_id, Task.code == code,
                   Progress.unit_id == unit_id))


@pytest.fixture
def case(app, login, ids, tmp_path) -> int:
    """The 2024 letter worked on by Phường 1 through the routes, then closed: its id."""
    directive = load_letter(app, tmp_path, "nam-2024", title="Kế hoạch CCHC năm 2024")
    ward, reviewer = login("phuong1"), login("noivu.duyet")
    unit = ids.unit("Phường 1")

    def item(code: str) -> int:
        return item_of(app, directive, unit, code)

    with app.app_context():  # gia hạn granted to 2099 before the old deadline passed
        db.session.add(Extension(progress_id=item("9"), reason="Chờ số liệu",
                                 proposed_deadline=date(2099, 12, 31),
                                 status=ExtensionStatus.GRANTED,
                                 requested_at=datetime(2024, 6, 1),
                                 granted_deadline=date(2099, 12, 31)))
        db.session.commit()
    for code in ("1", "9"):
        send_in(ward, item(code))
        ok(reviewer.post(f"/items/{item(code)}/review", {"verdict": "approve"}))
    ok(ward.post(f"/items/{item('2')}/save", {"note": "Đã làm, muộn."}))
    ok(ward.post(f"/items/{item('2')}/submit", {"late_reason": "Thiếu người."}))
    ok(reviewer.post(f"/items/{item('2')}/review", {"verdict": "approve"}))
    for _ in range(2):
        send_in(ward, item("4"))
        ok(reviewer.post(f"/items/{item('4')}/review",
                         {"verdict": "return", "comment": "Bổ sung biên bản."}))
    send_in(ward, item("5"))
    with app.app_context():
        db.session.execute(update(Task).where(Task.directive_id == directive, Task.code == "6")
                           .values(withdrawn=True))
        db.session.execute(update(Progress).where(Progress.id == item("7")).values(hidden=True))
        db.session.execute(update(Progress).where(Progress.id == item("8"))
                           .values(supporting=True))
        db.session.commit()
    ok(login("quantri").post(f"/admin/directives/{directive}/close"))
    return directive


def table_row(html: str, row_id: str) -> str:
    return html.split(f'id="{row_id}"', 1)[1].split("</tr>", 1)[0]


def cells(fragment: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", found).strip()
            for found in re.findall(r"<td[^>]*>(.*?)</td>", fragment, re.S)]


# --- the figures ----------------------------------------------------------------------------


def test_overview_counts_each_directive_of_the_year_closed_ones_too(app, login, ids, case):
    html = login("lanhdao").get("/overview?year=2024").get_data(as_text=True)
    assert "Tổng hợp các văn bản năm 2024" in html
    assert "Kế hoạch CCHC năm 2024" in html and "Chấn chỉnh" not in html  # 2023's is not
    assert "Đã kết thúc" in html
    # 9 communes; Phường 1 has 6 items that count (withdrawn 6, hidden 7 and supporting 8
    # left out), each other commune 8 (the withdrawn one left out): 70. Done: 1 and 9 on time,
    # 2 late; overdue: Phường 1's 3, and 2, 3, 7, 8, 9 of each of the 8 others.
    year, units, done, on_time, overdue, waiting, _next = cells(
        table_row(html, f"directive-{case}"))
    assert year == "2024" and units == "9"
    assert done == "4 % (3/70)"
    assert on_time == "3 %"  # 2 of 70
    assert overdue == "41" and waiting == "1"
    # Behind on everything: the other communes have 5 overdue items each, Phường 1 one; each
    # name leads to the unit's scorecard for the same period.
    behind = html.split('id="behind"', 1)[1].split("</table>", 1)[0]
    rows = behind.split("<tr>")[2:]
    assert len(rows) == 9 and "Phường 1<" in rows[-1] and cells(rows[-1])[-1] == "1"
    assert all(cells(row)[-1] == "5" for row in rows[:-1])
    assert f'href="/units/{ids.unit("Phường 1")}?from_year=2024&amp;to_year=2024"' in behind
    # Archived, it still counts in its year, the same.
    ok(login("quantri").post(f"/admin/directives/{case}/archive"))
    again = login("lanhdao").get("/overview?year=2024").get_data(as_text=True)
    assert "Đã lưu trữ" in again
    assert cells(table_row(again, f"directive-{case}"))[1:6] == [units, done, on_time, overdue,
                                                                 waiting]


def test_scorecard_counts_a_units_items_and_compares_with_the_year_before(app, login, ids, case):
    unit = ids.unit("Phường 1")
    html = login("phuong1").get(f"/units/{unit}?year=2024").get_data(as_text=True)
    assert "Kết quả của Phường 1 năm 2024" in html
    rows = {row.split("</th>")[0].rsplit(">", 1)[-1]: cells(row)
            for row in html.split('id="figures"', 1)[1].split("</table>", 1)[0].split("<tr>")[2:]}
    assert rows["Nhiệm vụ được giao"][:2] == ["6", "13"]  # 2023: the demo letter's 13
    assert rows["Hoàn thành đúng hạn"][0] == "2 (33 %)"
    assert rows["Hoàn thành quá hạn"][0] == "1"
    assert rows["Quá hạn chưa hoàn thành"][0] == "1"
    assert rows["Chờ duyệt"][0] == "1"
    assert rows["Đang thực hiện"][0] == "1"
    assert rows["Bị yêu cầu bổ sung (số lần)"][0] == "1 (2 lần)"
    assert rows["Hoàn thành đúng hạn"][2] == "tăng 33 điểm %"  # 2023: none done
    for left_out in ("Đã rút", "Đã ẩn", "Phối hợp"):
        assert left_out not in html
    assert "Bị trả lại hai lần" in html


def test_ranking_scores_by_the_formula_and_prints_it(app, login, ids, case):
    reviewer = login("noivu.duyet")
    html = reviewer.get("/overview/ranking?year=2024").get_data(as_text=True)
    assert "tỷ lệ nhiệm vụ được giao hoàn thành đúng hạn × 100" in html
    first = html.split('id="rank-commune"', 1)[1].split("</tr>", 2)[1]
    assert "Phường 1" in first and "<strong>33,3</strong>" in first  # 2 of 6 on time
    ok(reviewer.post("/overview/formula",
                     {"on_time": "1", "late": "0,5", "overdue": "0", "returned": "0"}))
    html = reviewer.get("/overview/ranking?year=2024").get_data(as_text=True)
    assert "Điểm = (1 × tỷ lệ hoàn thành đúng hạn + 0,5 × tỷ lệ hoàn thành quá hạn) ÷ 1,5" in html
    first = html.split('id="rank-commune"', 1)[1].split("</tr>", 2)[1]
    assert "<strong>27,8</strong>" in first  # (2/6 + 0.5 × 1/6) / 1.5

    book = load_workbook(io.BytesIO(reviewer.get("/overview/ranking.xlsx?year=2024").data))
    sheet = book.active
    assert "0,5 × tỷ lệ hoàn thành quá hạn" in sheet["A2"].value
    phuong1 = next(row for row in sheet.iter_rows(min_row=6, values_only=True)
                   if row[1] == "Phường 1")
    assert phuong1[0] == 1 and phuong1[3:10] == (6, 2, 1, 1, 1, 1, 2)  # waiting 1, returned
    assert phuong1[11] == pytest.approx(27.78)  # once, two times in all
    document = Document(io.BytesIO(reviewer.get("/overview/ranking.docx?year=2024").data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "KẾT QUẢ XẾP LOẠI ĐƠN VỊ NĂM 2024" in text and "0,5 × tỷ lệ" in text
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape
    assert any(row.cells[1].text == "Phường 1" for row in document.tables[0].rows)


def test_setting_the_formula_is_audited_and_reviewer_only(app, login):
    reviewer = login("noivu.duyet")
    audit_id = last_audit_id(app)
    ok(reviewer.post("/overview/formula", {
        "on_time": "2", "late": "1", "overdue": "0,25", "returned": "-0,5"}))
    assert audit_actions_since(app, audit_id) == ["scoring.update"]
    with app.app_context():
        stored = db.session.scalar(select(ScoringFormula))
        assert [float(w) for w in (stored.on_time, stored.late, stored.overdue,
                                   stored.returned)] == [2, 1, 0.25, -0.5]
    for username in ("lanhdao", "quantri", "phuong1"):
        response = login(username).post("/overview/formula", {"on_time": "1", "late": "0",
                                                              "overdue": "0", "returned": "0"})
        assert response.status_code == 403 and FORBIDDEN in response.get_data(as_text=True)


@pytest.mark.parametrize("day_counts", [True, False])
def test_late_from_splits_submissions_as_the_deadline_rule_does(app, day_counts):
    """The overview sorts submissions by `late_from`; `deadline_state` must agree either side."""
    with app.app_context():
        for deadline in (date(2024, 6, 16), date(2024, 1, 1), date(2023, 12, 31)):
            first_late = late_from(deadline, day_counts)
            for moment, state in ((first_late - timedelta(microseconds=1),
                                   DeadlineState.DONE_ON_TIME),
                                  (first_late, DeadlineState.DONE_LATE)):
                assert deadline_state(deadline, ProgressStatus.APPROVED, moment,
                                      date(2026, 1, 1), 3, day_counts) is state
            assert local_date(first_late) == last_day(deadline, day_counts) + timedelta(days=1)


# --- bad input: the reason, and nothing saved -------------------------------------------------


ZERO_SUM = "Tổng các trọng số phải khác 0"


@pytest.mark.parametrize("weights,says", [
    ({"on_time": "0", "late": "0", "overdue": "0", "returned": "0"}, ZERO_SUM),
    ({"on_time": "1", "late": "-1", "overdue": "0", "returned": "0"}, ZERO_SUM),
    ({"on_time": "một", "late": "0", "overdue": "0", "returned": "0"}, "Trọng số phải là một số"),
    ({"on_time": "1", "late": "", "overdue": "0", "returned": "0"}, "Trọng số phải là một số"),
    ({"on_time": "1", "late": "0", "overdue": "1e3", "returned": "0"}, "Trọng số phải là một số"),
    ({"on_time": "1", "late": "0", "overdue": "0", "returned": "200"}, "từ -100 đến 100"),
])
def test_a_formula_that_cannot_be_used_is_refused_and_nothing_saved(app, login, weights, says):
    reviewer = login("noivu.duyet")
    counted = writes(app)
    response = reviewer.post("/overview/formula", weights)
    assert response.status_code == 422
    assert says in response.get_data(as_text=True)
    assert written_since(app, counted) == set()


@pytest.mark.parametrize("query,status,says", [
    ("from_year=2024&to_year=2023", 422, "năm kết thúc (2023) trước năm bắt đầu (2024)"),
    ("year=20x4", 422, "Năm phải là một năm gồm 4 chữ số"),
    ("from_year=99999", 422, "Năm bắt đầu phải là một năm gồm 4 chữ số"),
    ("year=2019", 200, "Không có văn bản nào được ban hành trong năm 2019"),
])
def test_a_period_that_cannot_be_read_says_why(app, login, ids, query, status, says):
    leader = login("lanhdao")
    counted = writes(app)
    for url in (f"/overview?{query}", f"/overview/ranking?{query}"):
        response = leader.get(url)
        assert response.status_code == status, url
        html = response.get_data(as_text=True)
        assert says in html or "Không có nhiệm vụ nào được giao" in html, url
    response = leader.get(f"/units/{ids.unit('Phường 1')}?{query}")
    assert response.status_code == status
    assert written_since(app, counted) == set()


# --- who sees what ------------------------------------------------------------------------------


def test_a_unit_sees_its_own_scorecard_and_no_other(app, login, ids):
    ward = login("phuong1")
    own = ward.get(f"/units/{ids.unit('Phường 1')}")
    assert own.status_code == 200 and "Kết quả của Phường 1" in own.get_data(as_text=True)
    for url in (f"/units/{ids.unit('Phường 2')}", "/overview", "/overview/ranking",
                "/overview/ranking.xlsx"):
        response = ward.get(url)
        assert response.status_code == 403, url
        assert "Phường 2" not in response.get_data(as_text=True)
    # The unit's own pages lead to its scorecard; the reviewer's to every unit's.
    home = ward.get(f"/directives/{ids.directive()}/units/{ids.unit('Phường 1')}")
    assert f'href="/units/{ids.unit("Phường 1")}"' in home.get_data(as_text=True)
    assert login("lanhdao").get(f"/units/{ids.unit('Phường 2')}").status_code == 200
    # From the matrix, a cell's side panel leads to its unit's scorecard.
    panel = login("noivu.duyet").get(f"/items/{ids.item('Phường 2', '1.4')}/panel", htmx=True)
    assert f'href="/units/{ids.unit("Phường 2")}"' in panel.get_data(as_text=True)


def test_leadership_lands_on_the_overview_when_more_than_one_directive_is_open(
        app, login, tmp_path):
    leader = login("lanhdao")
    assert "/dashboard" in leader.get("/").headers["Location"]  # one open: its dashboard
    load_letter(app, tmp_path, "thu-hai")
    assert leader.get("/").headers["Location"] == "/overview"
    assert login("noivu.duyet").get("/").headers["Location"] != "/overview"


# --- cost ----------------------------------------------------------------------------------------


def test_statements_do_not_grow_with_directives(app, login, ids, tmp_path):
    leader, ward = login("lanhdao"), login("phuong1")
    unit = ids.unit("Phường 1")
    urls = ("/overview?from_year=2023&to_year=2024", "/overview/ranking?year=2024",
            f"/units/{unit}?year=2024")
    load_letter(app, tmp_path, "mot")
    before = [count_statements(app, leader, url) for url in urls]
    own_before = count_statements(app, ward, f"/units/{unit}?year=2024")
    for slug in ("hai", "ba", "bon"):
        load_letter(app, tmp_path, slug)
    assert [count_statements(app, leader, url) for url in urls] == before
    assert count_statements(app, ward, f"/units/{unit}?year=2024") == own_before
    assert max(before) <= 10, before


# --- year over year -------------------------------------------------------------------------


def test_a_copied_directive_shows_beside_last_years_per_unit_and_task(app, login, ids, case):
    admin = login("quantri")
    response = admin.post(f"/admin/directives/{case}/copy",
                          {"year": "2025", "title": "Kế hoạch CCHC năm 2025", "slug": "nam-2025"})
    ok(response)
    draft = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    ok(admin.post(f"/admin/directives/{draft}/publish"))
    neighbour = ids.unit("Phường 2")
    item = item_of(app, draft, neighbour, "1")
    send_in(login("phuong2"), item)
    ok(login("noivu.duyet").post(f"/items/{item}/review", {"verdict": "approve"}))

    leader = login("lanhdao")
    overview = leader.get("/overview?year=2025").get_data(as_text=True)
    assert f'href="/overview/directives/{draft}/compare"' in overview
    html = leader.get(f"/overview/directives/{draft}/compare").get_data(as_text=True)
    assert "So với chu kỳ trước: Kế hoạch CCHC năm 2025" in html
    assert "Kế hoạch CCHC năm 2024" in html
    units = {row.split("</a>")[0].rsplit(">", 1)[-1]: cells(row)
             for row in html.split('id="units"', 1)[1].split("</table>", 1)[0]
             .split("<tr>")[2:]}
    assert units["Phường 1"][0] == "33 %" and units["Phường 1"][-1] == "Giảm"
    assert units["Phường 2"][:3] == ["0 %", "12 %", "+12"]  # 1 of 8, rounded as the matrix
    assert units["Phường 2"][-1] == "Tiến bộ"
    tasks = html.split('id="tasks"', 1)[1]
    # Task 1: done on time by one commune each year; task 2: done late by Phường 1 in 2024 only.
    assert "<th scope=\"row\">1 Đúng hạn</th>" in tasks
    by_task = {row.split("</th>")[0].rsplit(">", 1)[-1]: cells(row)
               for row in tasks.split("</table>", 1)[0].split("<tr>")[2:]}
    assert by_task["1 Đúng hạn"][-1] == "Không đổi"
    assert by_task["2 Quá hạn đã xong"][3:5] == ["11 %", "0 %"]
    assert by_task["2 Quá hạn đã xong"][-1] == "Giảm"
    assert login("phuong1").get(f"/overview/directives/{draft}/compare").status_code == 403
    # Its statements do not grow with the units and items it compares.
    assert count_statements(app, leader, f"/overview/directives/{draft}/compare") <= 10
