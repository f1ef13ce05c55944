"""Administrators manage the areas (địa bàn) units belong to: a tree as deep as needed, each change
audited, a move carrying its subtree's paths along, bad input refused in Vietnamese with nothing
written; a unit is given its area on its form, which offers none where there are no areas."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Area, AuditEvent, Unit
from portal.sheets import csv_bytes

from .support.databases import writes, written_since


def areas(app) -> dict[str, tuple]:
    with app.app_context():
        return {name: (area_id, parent_id, path, depth) for area_id, name, parent_id, path, depth
                in db.session.execute(select(Area.id, Area.name, Area.parent_id, Area.path,
                                             Area.depth))}


def last_audit(app) -> AuditEvent:
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        db.session.expunge(event)
        return event


@pytest.fixture
def admin(login):
    return login("quantri")


def add(admin, name: str, parent: int | None = None, position: str = ""):
    return admin.post("/admin/areas/new", {"name": name, "parent": str(parent or ""),
                                           "position": position})


def test_admin_builds_a_tree_and_each_area_knows_its_path(app, admin):
    assert add(admin, "Tỉnh Đồng Tháp").status_code == 303
    province = areas(app)["Tỉnh Đồng Tháp"][0]
    event = last_audit(app)
    assert event.action == "area.create" and event.after["name"] == "Tỉnh Đồng Tháp"
    assert add(admin, "Huyện Lai Vung (cũ)", province).status_code == 303
    district = areas(app)["Huyện Lai Vung (cũ)"][0]
    assert add(admin, "Cụm xã phía Bắc", district).status_code == 303
    found = areas(app)
    assert found["Tỉnh Đồng Tháp"][2:] == (f"/{province}/", 0)
    assert found["Huyện Lai Vung (cũ)"][1:] == (province, f"/{province}/{district}/", 1)
    cluster = found["Cụm xã phía Bắc"][0]
    assert found["Cụm xã phía Bắc"][2:] == (f"/{province}/{district}/{cluster}/", 2)
    page = admin.get("/admin/areas").get_data(as_text=True)
    assert page.index("Tỉnh Đồng Tháp") < page.index("Huyện Lai Vung (cũ)") < page.index(
        "Cụm xã phía Bắc")
    assert 'class="d2">Cụm xã phía Bắc' in page


def test_moving_an_area_moves_its_subtree(app, admin):
    add(admin, "Tỉnh A")
    add(admin, "Tỉnh B")
    found = areas(app)
    add(admin, "Huyện X (cũ)", found["Tỉnh A"][0])
    district = areas(app)["Huyện X (cũ)"][0]
    add(admin, "Cụm 1", district)
    b = found["Tỉnh B"][0]
    response = admin.post(f"/admin/areas/{district}/edit",
                          {"name": "Huyện X (cũ)", "parent": str(b), "position": "1"})
    assert response.status_code == 303
    moved = areas(app)
    cluster = moved["Cụm 1"][0]
    assert moved["Huyện X (cũ)"][1:] == (b, f"/{b}/{district}/", 1)
    assert moved["Cụm 1"][2:] == (f"/{b}/{district}/{cluster}/", 2)
    event = last_audit(app)
    assert event.action == "area.update"
    assert event.before == {"parent_id": found["Tỉnh A"][0]} and event.after == {"parent_id": b}
    # To the top: the subtree follows again.
    admin.post(f"/admin/areas/{district}/edit", {"name": "Huyện X (cũ)", "parent": ""})
    assert areas(app)["Cụm 1"][2:] == (f"/{district}/{cluster}/", 1)


@pytest.mark.parametrize(("name", "parent", "position", "message"), [
    ("", "", "", "Hãy nhập tên địa bàn."),
    ("   ", "", "", "Hãy nhập tên địa bàn."),
    ("x" * 201, "", "", "Tên địa bàn tối đa 200 ký tự."),
    ("Tỉnh A", "", "", "Đã có địa bàn «Tỉnh A» cùng cấp"),
    ("tỉnh  a", "", "", "Đã có địa bàn «tỉnh a» cùng cấp"),
    ("Huyện Y", "999999", "", "Địa bàn cấp trên không có"),
    ("Huyện Y", "abc", "", "Địa bàn cấp trên không có"),
    ("Huyện Y", "", "-1", "Thứ tự là số nguyên từ 0 trở lên"),
])
def test_bad_area_is_refused_in_vietnamese_and_nothing_written(app, admin, name, parent,
                                                                 position, message):
    add(admin, "Tỉnh A")
    counted = writes(app)
    response = admin.post("/admin/areas/new", {"name": name, "parent": parent,
                                               "position": position})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert written_since(app, counted) == set()


def test_an_area_cannot_go_under_itself_or_below_it(app, admin):
    add(admin, "Tỉnh A")
    province = areas(app)["Tỉnh A"][0]
    add(admin, "Huyện X (cũ)", province)
    district = areas(app)["Huyện X (cũ)"][0]
    counted = writes(app)
    for parent in (province, district):
        response = admin.post(f"/admin/areas/{province}/edit",
                              {"name": "Tỉnh A", "parent": str(parent)})
        assert response.status_code == 422
        assert "chính địa bàn này hay một địa bàn trực thuộc nó" in response.get_data(
            as_text=True)
    assert written_since(app, counted) == set()
    # The select box does not even offer them.
    form = admin.get(f"/admin/areas/{province}/edit").get_data(as_text=True)
    assert f'value="{district}"' not in form and f'<option value="{province}"' not in form


def test_an_area_is_deleted_only_when_empty(app, admin, ids):
    add(admin, "Tỉnh A")
    province = areas(app)["Tỉnh A"][0]
    add(admin, "Huyện X (cũ)", province)
    district = areas(app)["Huyện X (cũ)"][0]
    response = admin.post(f"/admin/areas/{province}/delete")
    assert response.status_code == 303
    assert "còn địa bàn trực thuộc" in admin.get(response.headers["Location"]).get_data(
        as_text=True)
    unit = ids.unit("Phường 1")
    assert admin.post(f"/admin/units/{unit}/edit", {
        "name": "Phường 1", "short_name": "P1", "kind": "commune", "area": str(district),
    }).status_code == 303
    response = admin.post(f"/admin/areas/{district}/delete")
    assert "còn đơn vị" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert set(areas(app)) == {"Tỉnh A", "Huyện X (cũ)"}
    admin.post(f"/admin/units/{unit}/edit", {
        "name": "Phường 1", "short_name": "P1", "kind": "commune", "area": ""})
    assert admin.post(f"/admin/areas/{district}/delete").status_code == 303
    assert set(areas(app)) == {"Tỉnh A"}
    event = last_audit(app)
    assert event.action == "area.delete" and event.before["name"] == "Huyện X (cũ)"


def test_unit_form_offers_areas_only_once_there_are_some(app, admin, ids):
    unit = ids.unit("Phường 1")
    form = admin.get(f"/admin/units/{unit}/edit").get_data(as_text=True)
    assert 'name="area"' not in form
    assert "<th scope=\"col\">Địa bàn</th>" not in admin.get("/admin/units").get_data(
        as_text=True)
    add(admin, "Tỉnh A")
    province = areas(app)["Tỉnh A"][0]
    form = admin.get(f"/admin/units/{unit}/edit").get_data(as_text=True)
    assert 'name="area"' in form and "Tỉnh A" in form
    response = admin.post(f"/admin/units/{unit}/edit", {
        "name": "Phường 1", "short_name": "P1", "kind": "commune", "area": str(province)})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Unit, unit).area_id == province
    event = last_audit(app)
    assert event.action == "unit.update" and event.after["area_id"] == province
    assert "<td>Tỉnh A</td>" in admin.get("/admin/units").get_data(as_text=True)
    # An area that is not offered is refused, and the unit keeps its own.
    counted = writes(app)
    response = admin.post(f"/admin/units/{unit}/edit", {
        "name": "Phường 1", "short_name": "P1", "kind": "commune", "area": "999999"})
    assert response.status_code == 422
    assert "Địa bàn không có trong danh sách." in response.get_data(as_text=True)
    assert written_since(app, counted) == set()
    # A new unit may be given an area as it is made.
    assert admin.post("/admin/units/new", {"name": "Xã Mỹ An Hưng", "kind": "commune",
                                           "area": str(province)}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Unit.id)).where(
            Unit.area_id == province)) == 2


def import_units(admin, rows: list[list[str]]):
    content = csv_bytes(["Tên đơn vị", "Loại đơn vị", "Địa bàn"], rows)
    return admin.post("/admin/import/units", {"file": (io.BytesIO(content), "don-vi.csv")},
                      content_type="multipart/form-data")


def test_units_import_names_each_units_area(app, admin):
    column = '<th scope="row">Địa bàn</th>'
    assert column not in admin.get("/admin/import/units").get_data(as_text=True)
    add(admin, "Tỉnh A")
    province = areas(app)["Tỉnh A"][0]
    add(admin, "Huyện X (cũ)", province)
    add(admin, "Tỉnh B")
    add(admin, "Huyện X (cũ)", areas(app)["Tỉnh B"][0])  # the same name in another province
    assert column in admin.get("/admin/import/units").get_data(as_text=True)
    counted = writes(app)
    assert import_units(admin, [["Xã Mỹ An", "commune", "tinh a"],
                                ["Xã Mỹ Hòa", "commune", "Tỉnh C"],
                                ["Xã Mỹ Lợi", "commune", "Huyện X (cũ)"]]).status_code == 303
    page = admin.get("/admin/import/units/preview").get_data(as_text=True)
    assert "Địa bàn «Tỉnh C» không có trong hệ thống" in page
    assert "Có 2 địa bàn cùng tên «Huyện X (cũ)»" in page
    assert admin.post("/admin/import/units/confirm").status_code == 422
    assert written_since(app, counted) == set()
    assert import_units(admin, [["Xã Mỹ An", "commune", "tinh a"],
                                ["Xã Mỹ Hòa", "commune", ""]]).status_code == 303
    assert admin.post("/admin/import/units/confirm").status_code == 303
    with app.app_context():
        placed = dict(db.session.execute(select(Unit.name, Unit.area_id).where(
            Unit.name.in_(("Xã Mỹ An", "Xã Mỹ Hòa")))).all())
    assert placed == {"Xã Mỹ An": province, "Xã Mỹ Hòa": None}
