"""The letter as data: each unit sees exactly the tasks DOMAIN.md's table gives it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.directives.audience import DirectiveFileError
from portal.directives.loader import load_directive
from portal.extensions import db
from portal.models import Directive, Progress, Task, Unit

SECTION_ONE_FOR_ALL = ["1.2", "1.3", "1.4", "1.5", "1.7", "1.8", "1.9", "1.10", "1.11", "1.12",
                       "1.13"]


def codes_of(app, unit_name: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Task.code)
                .join(Progress, Progress.task_id == Task.id)
                .join(Unit, Unit.id == Progress.unit_id)
                .where(Unit.name == unit_name)
                .order_by(Task.position)
            )
        )


def checklist_codes(client, directive_id: int, unit_id: int) -> list[str]:
    html = client.get(f"/directives/{directive_id}/units/{unit_id}").get_data(as_text=True)
    return re.findall(r'<span class="code">([^<]+)</span>', html)


def test_inspected_ward_has_report_1_1_and_not_self_inspection_1_14(app, login, ids):
    codes = codes_of(app, "Phường 1")
    assert "1.1" in codes and "1.14" not in codes
    assert "1.6" in codes
    assert not [c for c in codes if c[0] in "2345"]
    assert sorted(codes) == sorted(["1.1", "1.6", *SECTION_ONE_FOR_ALL])
    shown = checklist_codes(login("phuong1"), ids.directive(), ids.unit("Phường 1"))
    assert shown == codes


def test_uninspected_office_has_self_inspection_1_14_and_not_1_1(app):
    codes = codes_of(app, "Phòng Kinh tế")
    assert codes == [*SECTION_ONE_FOR_ALL[:4], *SECTION_ONE_FOR_ALL[4:], "1.14"]
    assert "1.1" not in codes and "1.6" not in codes


def test_named_offices_get_their_own_sections(app):
    assert {"4.1", "4.2"} <= set(codes_of(app, "Phòng Tài chính - Kế hoạch"))
    assert {"2.1", "2.2", "2.3"} <= set(codes_of(app, "Phòng Văn hóa và Thông tin"))
    assert {"3.1", "3.2"} <= set(codes_of(app, "Văn phòng HĐND và UBND"))
    home_affairs = codes_of(app, "Phòng Nội vụ")
    assert {"5.1", "5.2", "1.14"} <= set(home_affairs) and "4.1" not in home_affairs
    assert "2.1" not in codes_of(app, "Phòng Tư pháp")


def test_public_service_unit_gets_section_one_only(app):
    codes = codes_of(app, "Ban Quản lý dự án đầu tư xây dựng")
    assert codes == [*SECTION_ONE_FOR_ALL, "1.14"]


def test_deadlines_and_metrics_follow_the_letter(app):
    with app.app_context():
        tasks = {t.code: t for t in db.session.scalars(select(Task))}
    assert len(tasks) == 23
    assert tasks["1.1"].deadline.isoformat() == "2023-06-16"
    assert tasks["1.14"].deadline.isoformat() == "2023-06-20"
    assert [c for c, t in tasks.items() if t.deadline] == ["1.1", "1.14"]
    metrics = sorted(c for c, t in tasks.items() if t.kind.value == "metric")
    assert metrics == ["1.10", "1.11", "1.12", "1.7", "2.2", "3.2"]
    assert tasks["1.10"].measure.value == "percent" and tasks["1.7"].measure.value == "count"
    assert tasks["1.7"].target_at_most and tasks["1.7"].target == 0


def test_each_task_keeps_the_letters_own_words(app):
    letter = (Path(__file__).parent.parent / "portal/directives/sa-dec-2023-cchc.txt").read_text()
    flat = " ".join(letter.replace("*", "").split())
    with app.app_context():
        task = db.session.scalar(select(Task).where(Task.code == "1.12"))
        directive = db.session.scalar(select(Directive))
    assert "tỷ lệ cài phần mềm chống mã độc của Tỉnh" in flat
    assert "chống mã độc của Tỉnh" in task.text
    assert directive.number == "" and directive.display_number == "(chưa có số)"
    assert directive.signer == "Nguyễn Văn Hôn"
    assert directive.date_line == "Sa Đéc, ngày tháng 6 năm 2023"


def test_loading_the_same_directive_twice_is_refused(app):
    from portal.directives.loader import SA_DEC_2023

    with app.app_context(), pytest.raises(DirectiveFileError, match="đã có"):
        load_directive(SA_DEC_2023)


@pytest.mark.parametrize(
    "body, message",
    [
        ("just text", "không phải tệp"),
        ("slug: x\nyear: 2024\n", "Thiếu «title»"),
        ("slug: x\nyear: 2024\ntitle: T\nsections:\n - number: 1\n   audience: unit:Phòng Ma\n"
         "   tasks:\n    - {code: '1', title: A}\n", "Không có đơn vị tên «Phòng Ma»"),
        ("slug: x\nyear: 2024\ntitle: T\nsections:\n - number: 1\n   tasks:\n"
         "    - {code: '1', title: A, deadline: 31/02/2024}\n", "Ngày không hợp lệ"),
        ("slug: x\nyear: 2024\ntitle: T\nsections:\n - number: 1\n   tasks:\n"
         "    - {code: '1', title: A, kind: metric}\n", "thiếu «measure»"),
    ],
)
def test_a_broken_directive_file_says_what_is_wrong_and_writes_nothing(app, tmp_path, body,
                                                                        message):
    path = tmp_path / "directive.yaml"
    path.write_text(body, encoding="utf-8")
    with app.app_context():
        before = db.session.query(Task).count()
        with pytest.raises(DirectiveFileError, match=message):
            load_directive(path)
        db.session.rollback()
        assert db.session.query(Task).count() == before
        assert db.session.query(Directive).count() == 1


def test_a_second_directive_reaches_units_by_kind(app, tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(
        "slug: kiem-tra-2024\nyear: 2024\ntitle: Văn bản 2024\nsections:\n"
        " - number: '1'\n   heading: UBND các xã, phường\n   audience: kind:commune\n"
        "   tasks:\n    - {code: '1', title: Niêm yết TTHC, deadline: 2024-03-01}\n",
        encoding="utf-8",
    )
    with app.app_context():
        directive = load_directive(path)
        db.session.commit()
        reached = db.session.scalars(
            select(Unit.name).join(Progress, Progress.unit_id == Unit.id)
            .join(Task, Task.id == Progress.task_id).where(Task.directive_id == directive.id)
        ).all()
    assert len(reached) == 9 and all(n.startswith(("Phường", "Xã")) for n in reached)
