"""Administration of the areas (địa bàn) units belong to: a province, a former district, a cluster,
nested as deep as the data needs. Add, rename, move under another area (its whole subtree moves
with it, paths kept true), reorder, and delete an area that holds no unit and no area. Each
change is audited in the same transaction; the tree is read from portal/areas.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .. import areas as tree
from .. import audit
from ..extensions import db
from ..models import Area, Unit
from ..vietnamese import fold
from .blueprint import bp
from .fields import StoredLength, clean, required

NAME_MAX = 200
# Deep enough for country › province › former district › cluster › …; paths stay within 400.
DEPTH_MAX = 8


class Refused(ValueError):
    """Why a change to an area cannot be made, in Vietnamese."""


def parent_choices(moving: Area | None = None) -> list[SelectChoice]:
    """Every area as a possible parent, indented by depth; never the area itself or one below
    it (it would become its own ancestor)."""
    nodes = tree.tree()
    if moving is not None:
        nodes = [n for n in nodes if not n.path.startswith(moving.path)]
    return [SelectChoice("", "— Không (địa bàn cấp cao nhất) —")] + [
        SelectChoice(str(n.id), n.label) for n in nodes]


class AreaForm(FlaskForm):
    name = StringField("Tên địa bàn", validators=[StoredLength(
        max=NAME_MAX, message=f"Tên địa bàn tối đa {NAME_MAX} ký tự.")])
    parent = SelectField("Thuộc địa bàn", validate_choice=False)
    position = StringField("Thứ tự")

    def __init__(self, *args, area: Area | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.area = area
        self.parent.choices = parent_choices(area)
        self.parent_value: Area | None = None
        self.position_value: int | None = None

    def validate_parent(self, field) -> None:
        offered = {choice.value for choice in self.parent.choices if choice.value}
        if field.data and field.data not in offered:
            raise ValidationError("Địa bàn cấp trên không có, hoặc là chính địa bàn này hay một "
                                  "địa bàn trực thuộc nó.")
        self.parent_value = db.session.get(Area, int(field.data)) if field.data else None
        if self.parent_value is not None and self.parent_value.depth + 1 + _height(
                self.area) > DEPTH_MAX:
            raise ValidationError(f"Địa bàn lồng nhau tối đa {DEPTH_MAX} cấp.")

    def validate_name(self, field) -> None:
        name = clean(required(field, "Hãy nhập tên địa bàn."))
        field.data = name
        parent_id = int(self.parent.data) if (self.parent.data or "").isdecimal() else None
        siblings = db.session.execute(select(Area.id, Area.name).where(
            Area.parent_id.is_(None) if parent_id is None else Area.parent_id == parent_id))
        if any(fold(other) == fold(name) and other_id != (self.area.id if self.area else None)
               for other_id, other in siblings):
            raise ValidationError(f"Đã có địa bàn «{name}» cùng cấp; tên không được trùng.")

    def validate_position(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        if not text.isdecimal() or len(text) > 6:
            raise ValidationError("Thứ tự là số nguyên từ 0 trở lên, ví dụ 3.")
        self.position_value = int(text)


def _height(area: Area | None) -> int:
    """How many levels an area's subtree has below it (0: none)."""
    if area is None or area.id is None:
        return 0
    deepest = db.session.scalar(select(func.max(Area.depth)).where(
        Area.path.startswith(area.path, autoescape=True)))
    return (deepest or area.depth) - area.depth


def _snapshot(area: Area) -> dict:
    return {"name": area.name, "parent_id": area.parent_id, "position": area.position}


def _place(area: Area, parent: Area | None) -> None:
    area.parent_id = parent.id if parent else None
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    area.depth = parent.depth + 1 if parent else 0


def create_area(name: str, parent: Area | None, position: int | None) -> Area:
    if position is None:
        last = db.session.scalar(select(func.max(Area.position)).where(
            Area.parent_id.is_(None) if parent is None else Area.parent_id == parent.id))
        position = (last or 0) + 1
    area = Area(name=name, position=position, path="", depth=0)
    db.session.add(area)
    db.session.flush()
    _place(area, parent)
    audit.record("area.create", area, after=_snapshot(area))
    db.session.commit()
    return area


def update_area(area: Area, name: str, parent: Area | None, position: int | None) -> None:
    """Rename, reorder or move an area; moved, its whole subtree's paths and depths follow."""
    if parent is not None and parent.path.startswith(area.path):
        raise Refused("Không thể chuyển địa bàn vào chính nó hoặc một địa bàn trực thuộc nó.")
    before = _snapshot(area)
    old_path, old_depth = area.path, area.depth
    area.name = name
    if position is not None:
        area.position = position
    _place(area, parent)
    if area.path != old_path:
        below = db.session.scalars(select(Area).where(
            Area.path.startswith(old_path, autoescape=True), Area.id != area.id)).all()
        for other in below:
            other.path = area.path + other.path[len(old_path):]
            other.depth += area.depth - old_depth
    after = _snapshot(area)
    changed = [key for key in after if before[key] != after[key]]
    if changed:
        audit.record("area.update", area, before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed})
    db.session.commit()


def delete_area(area: Area) -> None:
    if db.session.scalar(select(Area.id).where(Area.parent_id == area.id).limit(1)):
        raise Refused(f"Địa bàn «{area.name}» còn địa bàn trực thuộc; hãy chuyển hoặc xoá các "
                      "địa bàn đó trước.")
    if db.session.scalar(select(Unit.id).where(Unit.area_id == area.id).limit(1)):
        raise Refused(f"Địa bàn «{area.name}» còn đơn vị; hãy chuyển các đơn vị sang địa bàn "
                      "khác trước.")
    audit.record("area.delete", area, before=_snapshot(area))
    db.session.delete(area)
    db.session.commit()


def unit_counts() -> dict[int, int]:
    """Units directly in each area."""
    return dict(db.session.execute(select(Unit.area_id, func.count(Unit.id))
                                   .where(Unit.area_id.is_not(None)).group_by(Unit.area_id)).all())


def _get(area_id: int) -> Area:
    return db.get_or_404(Area, area_id)


def _status() -> int:
    return 422 if request.method == "POST" else 200


@bp.get("/areas")
def areas():
    nodes = tree.tree()
    direct = unit_counts()
    rolled = {r.node.id: r.totals["units"] for r in tree.roll_up(
        nodes, ((area_id, count) for area_id, count in direct.items()),
        lambda total, count: total.__setitem__("units", total["units"] + count),
        lambda: {"units": 0}) if r.node}
    loose = db.session.scalar(select(func.count(Unit.id)).where(Unit.area_id.is_(None)))
    return render_template("admin/areas.html", nodes=nodes, direct=direct, rolled=rolled,
                           loose=loose)


@bp.route("/areas/new", methods=["GET", "POST"])
def new_area():
    form = AreaForm(data={"parent": request.args.get("parent", "")})
    if form.validate_on_submit():
        area = create_area(form.name.data, form.parent_value, form.position_value)
        flash(f"Đã thêm địa bàn «{area.name}».", "success")
        return redirect(url_for(".areas"), code=303)
    return render_template("admin/area_form.html", form=form, area=None), _status()


@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
def edit_area(area_id: int):
    area = _get(area_id)
    form = AreaForm(area=area, data={"name": area.name, "parent": str(area.parent_id or ""),
                                     "position": str(area.position)})
    if form.validate_on_submit():
        try:
            update_area(area, form.name.data, form.parent_value, form.position_value)
        except Refused as refusal:
            form.parent.errors.append(str(refusal))
        else:
            flash(f"Đã lưu địa bàn «{area.name}».", "success")
            return redirect(url_for(".areas", _anchor=f"area-{area.id}"), code=303)
    return render_template("admin/area_form.html", form=form, area=area), _status()


@bp.post("/areas/<int:area_id>/delete")
def delete_area_route(area_id: int):
    area = _get(area_id)
    name = area.name
    try:
        delete_area(area)
    except Refused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".areas", _anchor=f"area-{area.id}"), code=303)
    flash(f"Đã xoá địa bàn «{name}».", "success")
    return redirect(url_for(".areas"), code=303)
