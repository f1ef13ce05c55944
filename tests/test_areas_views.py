"""Areas on the pages that read progress, on a made-up province from seed-scale. The dashboard of a
directive that reaches many units: its sums agree with the matrix, each area's roll-up with its
units, and every unit is one click away in the full table, a page at a time, an area's page
holding its sub-areas' units too. The matrix: filtered to an area (its sub-areas included), with
the roll-ups of the areas one level down, its rows under their areas' headings in the tree's
order. The exports: each unit's area in the CSV and the JSON view, every area's roll-up in the
workbook, the JSON view and the Word report. A city's pages and files gain nothing until its
units have areas."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from docx import Document
from flask_migrate import upgrade
from sqlalchemy import select, update

from portal import create_app
from portal.deadlines import DeadlineState, today
from portal.extensions import db
from portal.matrix.model import matrix
from portal.models import Area, Directive, Progress, ProgressStatus, Unit, UnitKind
from portal.reports.spreadsheet import LONG_HEADER

from .support.clients import PortalClient
from .support.statements import recorded_statements

PASSWORD = "Thu-nghiem-quy-mo-2026"


@pytest.fixture
def province(tmp_path, empty_database_url):
    """130 units (16 departments, 114 communes in 4 former districts), 6 tasks; a fifth area
    under the first holds some of its communes."""
    app = create_app({
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": empty_database_url,
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_COST": 64,
    })
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=[
        "seed-scale", "--units", "130", "--tasks", "6", "--areas", "4", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        sub = Area(name="Cụm xã phía Bắc", parent_id=1, position=1, path="", depth=1)
        db.session.add(sub)
        db.session.flush()
        sub.path = f"/1/{sub.id}/"
        moved = db.session.scalars(select(Unit.id).where(Unit.area_id == 1)
                                   .order_by(Unit.id).limit(10)).all()
        db.session.execute(update(Unit).where(Unit.id.in_(moved)).values(area_id=sub.id))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def reviewer(app) -> PortalClient:
    client = PortalClient(app.test_client())
    assert client.login("noivu.duyet", PASSWORD).status_code == 303
    return client


def number_in(html: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}"><strong>([\d.]+)', html)
    return int(found.group(1).replace(".", ""))


def area_row(html: str, name: str) -> list[str]:
    row = re.search(rf">{re.escape(name)}</a></th>(.*?)</tr>", html).group(1)
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)


def test_large_dashboard_sums_agree_with_the_matrix(province):
    with province.test_request_context():
        directive_id = db.session.scalar(select(Directive.id))
        m = matrix(directive_id, today())
        totals = m.totals()
        states = {state: count for state, count, _ in m.by_state()}
        behind = m.furthest_behind(10)
    html = reviewer(province).get(f"/directives/{directive_id}/dashboard").get_data(as_text=True)
    assert number_in(html, "kpi-overdue") == totals["overdue"] > 0
    assert number_in(html, "kpi-awaiting") == states[DeadlineState.AWAITING_REVIEW] > 0
    assert number_in(html, "kpi-units") == 130
    assert f"{totals['done']}/{totals['assigned']}" in html
    for state, count in states.items():
        assert re.search(rf"{state.label}</span></th><td class=\"num\">{count}</td>", html)
    # The ten units least done are the matrix's, in its order.
    table = html[html.index('id="behind"'):]
    shown = re.findall(r'/units/(\d+)">', table)[:10]
    assert [int(unit_id) for unit_id in shown] == [row.unit_id for row in behind]
    # A unit-by-unit table is not drawn: every unit's line is in the full table.
    assert html.count("/units/") < 40
    assert f'href="/directives/{directive_id}/dashboard/units"' in html


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which carry the second they were signed in."""
    return re.sub(r'(csrf[-_]token"? (?:value|content)=")[^"]*"', r"\1", html)


def test_large_dashboard_keeps_its_figures_until_the_revision_moves(province):
    """Asked again before anything changed, the dashboard reads no item: names alone, so that a
    unit renamed even behind the portal's back (a statement that moves no revision) shows at once;
    an item sent for review (which moves it) is counted at once."""
    with province.app_context():
        directive_id = db.session.scalar(select(Directive.id))
        engine = db.engine
    client = reviewer(province)
    url = f"/directives/{directive_id}/dashboard"

    def dashboard() -> tuple[str, list[str]]:
        with recorded_statements(engine) as seen:
            html = client.get(url).get_data(as_text=True)
        return html, [s for s in seen if "FROM progress" in s]

    first, read_first = dashboard()
    again, read_again = dashboard()
    assert without_tokens(again) == without_tokens(first)
    assert len(read_first) >= 3 and read_again == []
    with province.app_context():
        behind = re.search(r'/units/(\d+)">([^<]+)<', first[first.index('id="behind"'):])
        db.session.execute(update(Unit).where(Unit.id == int(behind.group(1)))
                           .values(name="Phường Đổi Tên"))
        db.session.commit()
    renamed, _ = dashboard()
    assert behind.group(2) not in renamed and "Phường Đổi Tên" in renamed
    with province.app_context():
        item = db.session.scalars(select(Progress).where(
            Progress.status == ProgressStatus.IN_PROGRESS, Progress.supporting.is_(False))
            .limit(1)).one()
        item.status = ProgressStatus.SUBMITTED  # the flush moves the directive's revision
        db.session.commit()
    changed, read_changed = dashboard()
    assert number_in(changed, "kpi-awaiting") == number_in(first, "kpi-awaiting") + 1
    assert len(read_changed) >= 3


def test_each_area_rolls_up_its_sub_areas_units(province):
    directive_id, m, area_of, names, sub = province_facts(province)
    html = reviewer(province).get(f"/directives/{directive_id}/dashboard").get_data(as_text=True)
    assert "Theo địa bàn" in html and "Chưa phân địa bàn" in html
    for area_id, members in ((1, {1, sub}), (sub, {sub}), (2, {2})):
        rows = [row for row in m.rows if area_of[row.unit_id] in members]
        totals = m.totals(rows)
        units, done_assigned, percent, _, overdue = area_row(html, names[area_id])
        assert int(units) == len(rows) > 0
        assert done_assigned == f"{totals['done']}/{totals['assigned']}"
        assert percent == f"{totals['percent']} %"
        assert int(overdue) == totals["overdue"]
    # The sub-area is indented under its parent, right after it.
    assert html.index(names[1]) < html.index(names[sub]) < html.index(names[2])


def test_full_table_pages_every_unit_and_an_area_holds_its_sub_areas(province):
    with province.app_context():
        directive_id = db.session.scalar(select(Directive.id))
        in_first = set(db.session.scalars(select(Unit.id).where(
            Unit.area_id.in_(select(Area.id).where(Area.path.startswith("/1/"))))))
    client = reviewer(province)
    url = f"/directives/{directive_id}/dashboard/units"
    first = client.get(url).get_data(as_text=True)
    second = client.get(f"{url}?page=2").get_data(as_text=True)
    listed = re.findall(r'/units/(\d+)">', first) + re.findall(r'/units/(\d+)">', second)
    assert len(listed) == len(set(listed)) == 130
    assert len(re.findall(r'/units/(\d+)">', first)) == 100
    assert f'href="{url}?page=2"' in first
    # A page past the last is the last; a bad page or area number is none.
    # (The CSRF tokens carry the second they were signed in: compared without them.)
    last = client.get(f"{url}?page=99").get_data(as_text=True)
    assert without_tokens(last) == without_tokens(second)
    assert client.get(f"{url}?page=x&area=abc").status_code == 200
    area = client.get(f"{url}?area=1").get_data(as_text=True)
    assert {int(u) for u in re.findall(r'/units/(\d+)">', area)} == in_first
    assert "và các địa bàn trực thuộc" in area
    assert client.get(f"{url}?area=999999").status_code == 200


def test_city_dashboard_shows_areas_only_once_units_have_them(app, login, ids):
    client = login("noivu.duyet")
    url = f"/directives/{ids.directive()}/dashboard"
    assert "Theo địa bàn" not in client.get(url).get_data(as_text=True)
    with app.app_context():
        area = Area(name="Khu vực nội ô", position=1, path="", depth=0)
        db.session.add(area)
        db.session.flush()
        area.path = f"/{area.id}/"
        db.session.execute(update(Unit).where(Unit.name.in_(("Phường 1", "Phường 2")))
                           .values(area_id=area.id))
        db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Theo địa bàn" in html and "Khu vực nội ô" in html and "Chưa phân địa bàn" in html
    # The city keeps its unit-by-unit dashboard.
    assert 'id="overdue"' in html and "Phường 3" in html


def test_matrix_opens_an_area_with_its_sub_areas_and_rolls_up_the_level_below(province):
    directive_id, m, area_of, names, sub = province_facts(province)
    client = reviewer(province)
    url = f"/directives/{directive_id}/matrix"
    top = client.get(url).get_data(as_text=True)
    assert 'name="area"' in top and "Theo địa bàn" in top and "Chưa phân địa bàn" in top
    first = [row for row in m.rows if area_of[row.unit_id] in (1, sub)]
    totals = m.totals(first)
    row = re.search(rf'area=1">{re.escape(names[1])}</a></th>(.*?)</tr>', top).group(1)
    units, assigned, submitted, done, overdue, percent = re.findall(r">([^<>]+)</td>", row)
    assert (int(units), int(assigned), int(done), int(overdue), percent) == (
        len(first), totals["assigned"], totals["done"], totals["overdue"],
        f"{totals['percent']} %")
    assert int(submitted) == totals["by_state"][DeadlineState.AWAITING_REVIEW]
    # Opened, the area shows its units and those of its sub-area, and its sub-area's roll-up.
    opened = client.get(f"{url}?area=1").get_data(as_text=True)
    shown = {int(u) for u in re.findall(r'/directives/\d+/units/(\d+)"', opened)}
    assert shown == {row.unit_id for row in first}
    assert f"area={sub}\">{names[sub]}</a>" in opened
    assert "Tất cả địa bàn</a> › <strong>" in opened
    # The sub-area alone; htmx gets the fragment with the same rows.
    inner = client.get(f"{url}?area={sub}", htmx=True).get_data(as_text=True)
    assert {int(u) for u in re.findall(r'/directives/\d+/units/(\d+)"', inner)} == {
        row.unit_id for row in m.rows if area_of[row.unit_id] == sub}
    # A bad area number is no filter.
    assert client.get(f"{url}?area=abc").status_code == 200


def test_city_matrix_has_no_area_filter_until_units_have_areas(app, login, ids):
    client = login("noivu.duyet")
    html = client.get(f"/directives/{ids.directive()}/matrix").get_data(as_text=True)
    assert 'name="area"' not in html and "Theo địa bàn" not in html


def test_workbook_rolls_up_every_area_on_a_sheet_of_its_own(province):
    directive_id, m, area_of, names, sub = province_facts(province)
    response = reviewer(province).get(f"/directives/{directive_id}/reports/matrix.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames[-1] == "Theo địa bàn"
    rows = list(book["Theo địa bàn"].iter_rows(min_row=4, values_only=True))
    by_name = {row[0].strip(): row for row in rows}
    assert [row[0].strip() for row in rows] == [
        names[1], names[sub], names[2], names[3], names[4], "Chưa phân địa bàn"]
    first = m.totals([row for row in m.rows if area_of[row.unit_id] in (1, sub)])
    assert by_name[names[1]][1:] == (1, first["units"], first["assigned"],
                                     first["by_state"][DeadlineState.AWAITING_REVIEW],
                                     first["done"], first["overdue"], first["percent"])
    assert by_name[names[sub]][1] == 2 and by_name[names[sub]][0].startswith("    ")
    assert sum(by_name[names[n]][2] for n in (1, 2, 3, 4)) + by_name["Chưa phân địa bàn"][2] == 130


def test_city_workbook_has_no_area_sheet(app, login, ids):
    response = login("noivu.duyet").get(f"/directives/{ids.directive()}/reports/matrix.xlsx")
    assert "Theo địa bàn" not in openpyxl.load_workbook(io.BytesIO(response.get_data())).sheetnames


def headings_and_units(html: str) -> list[tuple[str, list[int]]]:
    """The matrix table's area headings in order, each with the units under it."""
    table = html[html.index('<table class="matrix">'):]
    found: list[tuple[str, list[int]]] = []
    for part in re.split(r'(?=<tr class="group)', table)[1:]:
        heading = re.search(r'<th scope="rowgroup"[^>]*>(.*?)</th>', part, re.S).group(1)
        units = [int(u) for u in re.findall(r'/directives/\d+/units/(\d+)"', part)]
        found.append((heading, units))
    return found


def test_matrix_rows_come_under_their_areas_headings_in_tree_order(province):
    directive_id, m, area_of, names, sub = province_facts(province)
    client = reviewer(province)
    url = f"/directives/{directive_id}/matrix"
    first = headings_and_units(client.get(url).get_data(as_text=True))
    second = headings_and_units(client.get(f"{url}?page=2").get_data(as_text=True))
    # The second page starts with the heading of the area the first ended in.
    assert sum(len(units) for _, units in first) == 100
    groups: list[tuple[str, list[int]]] = []
    for heading, units in first + second:
        name = re.sub(r"<[^>]+>", "", heading).split("·")[0].strip()
        if groups and groups[-1][0] == name:
            groups[-1][1].extend(units)
        else:
            groups.append((name, units))
    assert [name for name, _ in groups] == [
        names[1], f"{names[1]} › {names[sub]}", names[2], names[3], names[4], "Chưa phân địa bàn"]
    for (_, units), area in zip(groups, (1, sub, 2, 3, 4, None), strict=True):
        assert units == [row.unit_id for row in m.rows if area_of[row.unit_id] == area]
    # Each heading: its units' figures (every page's), a link opening the area.
    heading = first[1][0]
    rows = [row for row in m.rows if area_of[row.unit_id] == sub]
    totals = m.totals(rows)
    assert f'area={sub}">{names[sub]}</a>' in heading
    assert f"{totals['done']}/{totals['assigned']} đạt ({totals['percent']} %)" in heading
    assert f"{len(rows)} đơn vị" in heading
    assert f"{UnitKind.COMMUNE.label}</th>" not in client.get(url).get_data(as_text=True)
    # Filtered to an area, its units' headings alone, figures of what the filter leaves.
    opened = headings_and_units(client.get(f"{url}?area=1&overdue=1").get_data(as_text=True))
    shown = [row for row in m.rows if area_of[row.unit_id] in (1, sub) and row.overdue]
    assert [units for _, units in opened] == [
        [row.unit_id for row in shown if area_of[row.unit_id] == area] for area in (1, sub)]
    assert f"{len([r for r in shown if area_of[r.unit_id] == 1])} đơn vị" in opened[0][0]


def test_city_matrix_keeps_its_kinds_as_headings(app, login, ids):
    html = login("noivu.duyet").get(f"/directives/{ids.directive()}/matrix").get_data(
        as_text=True)
    headings = [re.sub(r"<[^>]+>", "", h) for h, _ in headings_and_units(html)]
    assert headings == [kind.label for kind in UnitKind]
    assert "area-group" not in html


def province_facts(app) -> tuple:
    with app.test_request_context():
        directive_id = db.session.scalar(select(Directive.id))
        m = matrix(directive_id, today())
        area_of = dict(db.session.execute(select(Unit.id, Unit.area_id)).all())
        names = dict(db.session.execute(select(Area.id, Area.name)).all())
        sub = db.session.scalar(select(Area.id).where(Area.parent_id == 1))
    return directive_id, m, area_of, names, sub


def rolled_up(m, area_of: dict, members) -> dict:
    return m.totals([row for row in m.rows if area_of[row.unit_id] in members])


def test_csv_names_each_units_area_and_the_areas_above_it(province):
    directive_id, m, area_of, names, sub = province_facts(province)
    response = reviewer(province).get(f"/directives/{directive_id}/reports/details.csv")
    assert response.status_code == 200
    header, *rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"),
                                                newline=""), delimiter=";"))
    assert header[:4] == ["Đơn vị", "Loại đơn vị", "Địa bàn", "Thuộc địa bàn (đầy đủ)"]
    assert header[4:] == LONG_HEADER[2:]
    assert len(rows) == sum(len(row.cells) for row in m.rows)
    unit_area = {row.name: area_of[row.unit_id] for row in m.rows}
    for row in rows:
        area = unit_area[row[0]]
        expected = {None: ["Chưa phân địa bàn", ""], sub: [names[sub], f"{names[1]} › {names[sub]}"]
                    }.get(area, [names.get(area), names.get(area)])
        assert row[2:4] == expected, row[:4]
    assert {row[2] for row in rows} == {names[1], names[sub], names[2], names[3], names[4],
                                        "Chưa phân địa bàn"}


def test_json_units_carry_their_area_and_every_page_the_areas_roll_ups(province):
    directive_id, m, area_of, names, sub = province_facts(province)
    client = reviewer(province)
    url = f"/api/directives/{directive_id}/matrix"
    first = client.get(url, headers={"Accept": "application/json"}).get_json()
    second = client.get(first["next"], headers={"Accept": "application/json"}).get_json()
    assert first["units_total"] == 130 and len(first["units"]) + len(second["units"]) == 130
    for unit in first["units"] + second["units"]:
        area = area_of[unit["id"]]
        if area is None:
            assert unit["area"] is None
        else:
            path = [names[1], names[sub]] if area == sub else [names[area]]
            assert unit["area"] == {"id": area, "name": names[area], "path": path}
    assert first["areas"] == second["areas"]
    assert [(a["id"], a["name"], a["path"], a["depth"]) for a in first["areas"]] == [
        (1, names[1], [names[1]], 0), (sub, names[sub], [names[1], names[sub]], 1),
        (2, names[2], [names[2]], 0), (3, names[3], [names[3]], 0),
        (4, names[4], [names[4]], 0), (None, "Chưa phân địa bàn", [], None)]
    for area, members in zip(first["areas"], ({1, sub}, {sub}, {2}, {3}, {4}, {None}),
                             strict=True):
        totals = rolled_up(m, area_of, members)
        assert (area["units"], area["assigned"], area["done"], area["overdue"],
                area["percent"], area["awaiting_review"]) == (
            totals["units"], totals["assigned"], totals["done"], totals["overdue"],
            totals["percent"], totals["by_state"][DeadlineState.AWAITING_REVIEW])


def test_word_report_rolls_up_the_top_areas_and_every_area_in_an_annex(province):
    directive_id, m, area_of, names, sub = province_facts(province)
    response = reviewer(province).get(f"/directives/{directive_id}/reports/report.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.get_data()))
    texts = [p.text for p in document.paragraphs]
    at = texts.index("3. Theo địa bàn (gồm cả các địa bàn trực thuộc):")
    listed = texts[at + 1: at + 6]
    for line, (name, members) in zip(listed, (
            (names[1], {1, sub}), (names[2], {2}), (names[3], {3}), (names[4], {4}),
            ("Chưa phân địa bàn", {None})), strict=True):
        totals = rolled_up(m, area_of, members)
        assert line.startswith(f"- {name} ({totals['units']} đơn vị): hoàn thành "
                               f"{totals['done']}/{totals['assigned']} ({totals['percent']}%)")
    assert texts[at + 6] == "Kết quả của từng địa bàn tại Phụ lục II."
    assert texts[texts.index("KẾT QUẢ THỰC HIỆN THEO ĐỊA BÀN") - 1] == "Phụ lục II"
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Địa bàn")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert [row[:2] for row in rows] == [
        [names[1], ""], [names[sub], names[1]], [names[2], ""], [names[3], ""], [names[4], ""],
        ["Chưa phân địa bàn", ""]]
    totals = rolled_up(m, area_of, {1, sub})
    assert rows[0][2:] == [str(totals["units"]), str(totals["assigned"]),
                           str(totals["by_state"][DeadlineState.AWAITING_REVIEW]),
                           str(totals["done"]), str(totals["overdue"]), f"{totals['percent']}%"]


def test_city_exports_say_nothing_of_areas(app, login, ids):
    client = login("noivu.duyet")
    directive_id = ids.directive()
    data = client.get(f"/directives/{directive_id}/reports/details.csv").get_data()
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert header == LONG_HEADER
    found = client.get(f"/api/directives/{directive_id}/matrix",
                       headers={"Accept": "application/json"}).get_json()
    assert "areas" not in found and all("area" not in unit for unit in found["units"])
    document = Document(io.BytesIO(client.get(
        f"/directives/{directive_id}/reports/report.docx").get_data()))
    assert not any("địa bàn" in p.text.lower() for p in document.paragraphs)
