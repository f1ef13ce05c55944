"""Leadership's dashboard: its figures are the matrix's, its charts are escaped SVG with a label and
a table beside them, it changes nothing, and only those who read everything open it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from sqlalchemy import select, update

from portal.deadlines import DeadlineState, today
from portal.extensions import db
from portal.matrix import charts
from portal.matrix import model as queries
from portal.models import Progress, ProgressStatus, Task, Unit, UnitKind

from .support.apps import app_with_progress
from .support.clients import login_as
from .support.pages import Tables, dashboard
from .support.progress import make_progress, ok
from .support.records import ids_of

FORBIDDEN = "Bạn không có quyền thực hiện thao tác này."
SVG = "{http://www.w3.org/2000/svg}"
TRICKY_NAME = 'Phường <3> & "Ba"'


@pytest.fixture(scope="module")
def progress_template(databases):
    return databases.template(
        "dashboard", lambda app, root: make_progress(login_as(app), ids_of(app)), base="seeded")


@pytest.fixture
def app(request, databases, tmp_path):
    """The portal; for a test that asks for `progress`, a copy of one where it was made (once per
    test process, through the routes)."""
    yield from app_with_progress(request, databases, "dashboard", tmp_path)


@pytest.fixture
def progress(app, ids) -> int:
    """make_progress's work is in the app's database: the directive's id."""
    return ids.directive()


# --- reading the page --------------------------------------------------------------------------


def body_rows(table: list[list[str]]) -> dict[str, list[str]]:
    """Rows by their first cell, the header row left out."""
    return {row[0]: row[1:] for row in table[1:]}


def main_of(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def texts(svg: str) -> list[str]:
    """Every text drawn in the SVG, read by an XML parser (so it must be well-formed)."""
    return ["".join(node.itertext()) for node in ET.fromstring(svg).iter(f"{SVG}text")]


def the_matrix(app: Flask, directive: int) -> queries.Matrix:
    with app.test_request_context():
        return queries.matrix(directive, today())


def statuses(app: Flask, directive: int) -> list[tuple[str, UnitKind, ProgressStatus, object]]:
    """(unit, kind, status, task deadline) of every item of the directive, straight from the DB."""
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Unit.name, Unit.kind, Progress.status, Task.deadline)
            .join(Progress, Progress.unit_id == Unit.id)
            .join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == directive)
        )]


def percent(done: int, assigned: int) -> int:
    return round(100 * done / assigned)


# --- figures -------------------------------------------------------------------------------------


def test_completion_shown_is_approved_over_assigned_from_the_database(app, progress, login):
    items = statuses(app, progress)
    approved = sum(status is ProgressStatus.APPROVED for _, _, status, _ in items)
    assert approved == 2  # Phường 1's 1.10 and 1.1: the progress above did reach the database
    html = dashboard(login("lanhdao"), progress)
    table = Tables(html).tables["completion"]

    city = body_rows(table)["Toàn thành phố"]
    units = len({name for name, *_ in items})
    assert city == [str(units), f"{approved}/{len(items)}", f"{percent(approved, len(items))} %"]
    assert (f"<strong>{percent(approved, len(items))} %</strong> "
            f"<span>{approved}/{len(items)} nhiệm vụ</span>") in html
    for kind in UnitKind:
        of_kind = [status for _, k, status, _ in items if k is kind]
        done = sum(status is ProgressStatus.APPROVED for status in of_kind)
        assert body_rows(table)[kind.label][1:] == [
            f"{done}/{len(of_kind)}", f"{percent(done, len(of_kind))} %"], kind
    assert body_rows(table)["Xã, phường"][1].startswith("2/")  # both approvals are a ward's


def test_deadline_states_are_the_matrixs_counts(app, progress, login):
    totals = the_matrix(app, progress).totals()
    rows = body_rows(Tables(dashboard(login("noivu.duyet"), progress)).tables["states"])
    for state in DeadlineState:
        count = totals["by_state"][state]
        assert rows[state.label] == [str(count), f"{percent(count, totals['assigned'])} %"]
    # what the progress above makes: 1.10 on time, 1.1 after its deadline, two waiting
    assert rows[DeadlineState.DONE_ON_TIME.label][0] == "1"
    assert rows[DeadlineState.DONE_LATE.label][0] == "1"
    assert rows[DeadlineState.AWAITING_REVIEW.label][0] == "2"
    assert rows["Tổng số nhiệm vụ được giao"][0] == str(len(statuses(app, progress)))


def test_overdue_items_are_every_late_unfinished_item_with_its_deadline(app, progress, login):
    on = the_matrix(app, progress).on
    expected = sorted(
        (name, deadline.strftime("%d/%m/%Y"))
        for name, _, status, deadline in statuses(app, progress)
        if deadline is not None and deadline < on
        and status not in (ProgressStatus.APPROVED, ProgressStatus.SUBMITTED)
    )
    html = dashboard(login("lanhdao"), progress)
    shown = [row for row in Tables(html).tables["overdue"][1:] if len(row) == 4]
    assert sorted((unit, deadline) for unit, _, deadline, _ in shown) == expected
    assert len(expected) > 10
    assert "Phường 1" not in [unit for unit, *_ in shown]  # its 1.1 was approved
    assert "Phường 4" not in [unit for unit, *_ in shown]  # its 1.1 waits for review
    assert next(r[:3] for r in shown if r[0] == "Phường 2") == ["Phường 2", "1.1", "16/06/2023"]
    assert f"Nhiệm vụ quá hạn chưa hoàn thành ({len(expected)})" in html
    assert "Báo cáo kết quả khắc phục hạn chế theo Báo cáo kiểm tra CCHC năm 2023" in html


def test_units_furthest_behind_are_the_ten_lowest(app, progress, login):
    on = the_matrix(app, progress).on
    units: dict[str, list[int]] = {}
    for name, _, status, deadline in statuses(app, progress):
        done, assigned, overdue = units.setdefault(name, [0, 0, 0])
        units[name] = [
            done + (status is ProgressStatus.APPROVED),
            assigned + 1,
            overdue + (deadline is not None and deadline < on and status not in (
                ProgressStatus.APPROVED, ProgressStatus.SUBMITTED)),
        ]

    def key(name: str) -> tuple[int, int]:
        done, assigned, overdue = units[name]
        return percent(done, assigned), -overdue

    shown = Tables(dashboard(login("lanhdao"), progress)).tables["behind"][1:]
    assert [row[0] for row in shown] == [str(n) for n in range(1, 11)]
    names = [re.sub(r" (Phòng chuyên môn|Đơn vị sự nghiệp công lập|Xã, phường)$", "", row[1])
             for row in shown]
    for name, row in zip(names, shown, strict=True):
        done, assigned, overdue = units[name]
        assert row[2:] == [f"{done}/{assigned}", f"{percent(done, assigned)} %", str(overdue)]
    assert [key(name) for name in names] == sorted(key(name) for name in names)
    assert all(key(other) >= key(names[-1]) for other in units if other not in names)
    # Phường 4 is at 0 % like most, but with nothing overdue it is not among the furthest behind
    assert units["Phường 4"][0] == 0 and units["Phường 4"][2] == 0
    assert "Phường 4" not in names and "Phường 1" not in names and "Phường 2" not in names


def test_metric_table_and_chart_show_phuong_1_at_90_percent_against_100(app, progress, login):
    html = dashboard(login("lanhdao"), progress)
    figures = body_rows(Tables(html).tables["figures-1.10"])
    # The figure against the target never says "Đạt", the verdict beside it.
    assert figures["Phường 1"] == ["90 %", "✗ Chưa đáp ứng chỉ tiêu", "✓ Đạt"]
    assert figures["Phường 2"] == ["50 %", "✗ Chưa đáp ứng chỉ tiêu", "◐ Đang thực hiện"]
    assert figures["Phường 3"] == ["—", "chưa có số liệu", "○ Chưa thực hiện"]
    matrix = the_matrix(app, progress)
    [column] = [c for c in matrix.columns if c.code == "1.10"]
    assert len(figures) == column.assigned
    assert "Chỉ tiêu: <strong>≥ 100 %</strong>" in html

    section = html.split('id="metric-1.10"', 1)[1].split("</section>", 1)[0]
    [svg] = svgs(section)
    drawn = texts(svg)
    assert "Phường 1" in drawn and "90 % ✗" in drawn and "50 % ✗" in drawn
    assert "Chỉ tiêu ≥ 100 %" in drawn
    root = ET.fromstring(svg)
    [target] = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    [hundred] = [text for text in root.iter(f"{SVG}text") if text.text == "100 %"]
    assert target.get("x1") == hundred.get("x")  # the target line stands at 100 % on the axis
    # every metric task of the letter has its own chart and table, the count 1.7 too
    for code in ("1.7", "1.10", "1.11", "1.12"):
        assert f'id="figures-{code}"' in html and f'id="metric-{code}"' in html
    assert "Chỉ tiêu ≤ 0 hồ sơ trễ hạn, quá hạn còn lại" in html


# --- charts ------------------------------------------------------------------------------------


def test_every_chart_is_labelled_svg_with_its_numbers_in_a_table(app, progress, login):
    with app.app_context():
        metric_tasks = list(db.session.scalars(
            select(Task.code).where(Task.directive_id == progress, Task.measure.is_not(None))))
    assert len(metric_tasks) >= 4
    html = dashboard(login("lanhdao"), progress)
    drawn = svgs(main_of(html))
    # completion by kind, deadline states, completion over time, metrics
    assert len(drawn) == 3 + len(metric_tasks)
    for svg in drawn:
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        assert root.get("aria-label")
        assert root.find(f"{SVG}title").text == root.get("aria-label")
        assert re.search(r"\d", "".join(texts(svg)))  # numbers written on the chart
    tables = Tables(html).tables
    for table in ("completion", "states", "over-time",
                  *(f"figures-{code}" for code in metric_tasks)):
        assert len(tables[table]) > 1, table
    # each chart sits in a figure beside (in the same pair as) the table of its numbers
    assert main_of(html).count('<div class="dash-pair">') == len(drawn)
    # drawn here, not by a script or a library from elsewhere
    assert "<script" not in main_of(html) and "<canvas" not in html
    kinds = texts(drawn[0])
    assert "Toàn thành phố" in kinds and "Phòng chuyên môn" in kinds


def test_unit_name_with_markup_cannot_break_the_svg(app, progress, login, ids):
    with app.app_context():
        db.session.execute(update(Unit).where(Unit.name == "Phường 3").values(name=TRICKY_NAME))
        db.session.commit()
    item = ids.item(TRICKY_NAME, "1.10")
    ok(login("phuong3").post(f"/items/{item}/save", {"numerator": "1", "denominator": "4"}))

    html = dashboard(login("lanhdao"), progress)
    assert TRICKY_NAME not in html and "<3>" not in html
    assert "Phường &lt;3&gt; &amp; &#34;Ba&#34;" in html
    for svg in svgs(html):
        ET.fromstring(svg)  # well-formed: nothing the name holds got out of its text
    section = html.split('id="metric-1.10"', 1)[1].split("</section>", 1)[0]
    [svg] = svgs(section)
    assert TRICKY_NAME in texts(svg) and "25 % ✗" in texts(svg)


def test_bar_chart_escapes_every_text_and_draws_the_target():
    svg = charts.bar_chart(
        [charts.Bar('<script>alert("x")</script>', 40, "40 & <b>", "ok"),
         charts.Bar("Không có số", None, "chưa có số liệu")],
        title='Tiêu đề "<đậm>"', maximum=100, target=75, target_text="Chỉ tiêu <75>",
        axis_unit=" %", note="a < b",
    )
    assert "<script" not in svg and "<b>" not in svg and "<đậm>" not in svg
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img" and root.get("aria-label") == 'Tiêu đề "<đậm>"'
    drawn = texts(str(svg))
    assert '<script>alert("x")</script>' in drawn and "40 & <b>" in drawn
    assert "Chỉ tiêu <75>" in drawn and "a < b" in drawn and "chưa có số liệu" in drawn
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("fill") != "#fff"]
    assert len(rects) == 1  # no bar for the unit without a figure
    [target] = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    start, bar = float(rects[0].get("x")), float(rects[0].get("width"))
    assert float(target.get("x1")) == pytest.approx(start + bar * 75 / 40, abs=0.2)


# --- read-only, who may look ---------------------------------------------------------------------


@pytest.mark.parametrize("username", ["lanhdao", "noivu.duyet", "quantri"])
def test_dashboard_is_read_only(progress, login, username):
    html = dashboard(login(username), progress)
    main = main_of(html)
    assert not re.search(r"<form[^>]*method=.?post", main, re.I)
    assert "hx-post" not in html and "<button" not in main and "<input" not in main
    assert "<form" not in main


def test_title_heading_dates_and_links_both_ways(app, progress, login):
    leader = login("lanhdao")
    matrix = the_matrix(app, progress)
    html = dashboard(leader, progress)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "Tổng quan" in title and matrix.directive.title in title
    assert html.count("<h1") == 1
    assert f"Số liệu ngày {matrix.on.strftime('%d/%m/%Y')}" in html
    assert f'href="/directives/{progress}/matrix"' in main_of(html)
    page = leader.get(f"/directives/{progress}/matrix").get_data(as_text=True)
    assert (f'<a class="screen-only" href="/directives/{progress}/dashboard">Xem tổng quan, biểu đồ'
            '</a>') in page


@pytest.mark.parametrize("username", ["phuong1", "phongnoivu"])
def test_unit_staff_get_403(progress, login, username):
    response = login(username).get(f"/directives/{progress}/dashboard")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert FORBIDDEN in html and "<svg" not in html and "Tổng quan:" not in html


def test_visitor_is_sent_to_login(progress, visitor):
    url = f"/directives/{progress}/dashboard"
    response = visitor.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "<svg" not in response.get_data(as_text=True)
    again = visitor.get(url, htmx=True)
    assert again.status_code == 401 and again.headers["HX-Redirect"] == "/login"


def test_unknown_directive_is_404(login):
    assert login("lanhdao").get("/directives/999999/dashboard").status_code == 404
