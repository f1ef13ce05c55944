"""The shapes real letters come in, each in a small made-up letter: whom an order reaches when
the letter names it inside a sentence, groups of units as letters write them, decisions and
plans, deadlines given apart from the order, and what is never an order."""

from __future__ import annotations

from datetime import date

import pytest

from portal.demo import UNITS
from portal.directives.importer import Draft, UnitRef, import_letter
from portal.directives.importer.build import _NEWS_TAG, TO_EVERY_UNIT, UNREAD
from portal.directives.importer.text import is_furniture

# A province after the 2025 reform: its departments and two communes and a ward.
PROVINCE = [UnitRef(i, name, short, kind) for i, (name, short, kind) in enumerate([
    ("Văn phòng UBND tỉnh", "VP UBND tỉnh", "office"),
    ("Sở Nội vụ", "Sở Nội vụ", "office"),
    ("Sở Tài chính", "Sở Tài chính", "office"),
    ("Sở Y tế", "Sở Y tế", "office"),
    ("Sở Khoa học và Công nghệ", "Sở KH&CN", "office"),
    ("Trung tâm Phục vụ hành chính công tỉnh", "TTPVHCC", "service"),
    ("UBND xã Tân Phú", "Tân Phú", "commune"),
    ("UBND xã An Bình", "An Bình", "commune"),
    ("UBND phường Mỹ Phước", "Mỹ Phước", "commune"),
], start=1)]
CITY = [UnitRef(i, name, short, kind.value) for i, (kind, name, short) in enumerate(UNITS)]
ID = {unit.name: unit.id for unit in PROVINCE}

HEADER = """ỦY BAN NHÂN DÂN
TỈNH ĐỒNG THÁP

Số: 120/UBND-KGVX
V/v triển khai nhiệm vụ năm 2025

Đồng Tháp, ngày 10 tháng 8 năm 2025

Kính gửi:
- Các sở, ban, ngành tỉnh;
- UBND các xã, phường.

"""
SIGNATURE = """

Nơi nhận:
- Như trên;
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Nguyễn Văn A
"""


def letter(body: str, units: list[UnitRef] = PROVINCE) -> Draft:
    return import_letter(HEADER + body + SIGNATURE, units)


def tasks(draft: Draft) -> list[tuple[str | None, date | None, str]]:
    """(audience, deadline, first words) of each task, in the draft's order."""
    return [(section.audience_of(task), task.deadline, task.text[:40])
            for section in draft.sections for task in section.tasks]


def audiences(draft: Draft) -> list[str | None]:
    return [audience for audience, _, _ in tasks(draft)]


# ---- addressees named inside a sentence


def test_giao_names_who_leads_not_who_helps():
    draft = letter("1. Giao Sở Khoa học và Công nghệ chủ trì, phối hợp với Sở Tài chính và các "
                   "đơn vị liên quan tham mưu ban hành Kế hoạch chuyển đổi số.")
    assert audiences(draft) == ["unit:Sở Khoa học và Công nghệ"]


def test_de_nghi_after_a_lead_clause():
    draft = letter(
        "Theo đó, đề nghị UBND các xã, phường rà soát thủ tục hành chính trên Cổng dịch vụ công."
        "\n\nTrên cơ sở kết quả rà soát, đề nghị Sở Nội vụ tổng hợp, báo cáo UBND tỉnh.")
    assert audiences(draft) == ["kind:commune", "unit:Sở Nội vụ"]


def test_the_issuer_before_yeu_cau_is_not_the_addressee():
    draft = letter("Chủ tịch UBND tỉnh yêu cầu Giám đốc Sở Y tế khẩn trương kiểm tra, xử lý "
                   "các cơ sở khám bệnh vi phạm.")
    assert audiences(draft) == ["unit:Sở Y tế"]


def test_grounds_then_order_in_one_sentence():
    draft = letter("Thực hiện Công văn số 12/BNV-CCHC ngày 02/7/2025 của Bộ Nội vụ, UBND tỉnh đề "
                   "nghị các sở, ban, ngành rà soát quy trình nội bộ giải quyết thủ tục hành "
                   "chính.")
    assert audiences(draft) == ["kind:office"]


def test_an_introduction_naming_the_addressees_then_numbered_items():
    draft = letter(
        "Để triển khai hiệu quả, UBND tỉnh đề nghị Sở Nội vụ thực hiện các nội dung sau:\n\n"
        "1. Rà soát, sắp xếp tổ chức bộ máy.\n\n2. Hướng dẫn các xã, phường kiện toàn công chức.")
    assert audiences(draft) == ["unit:Sở Nội vụ", "unit:Sở Nội vụ"]


def test_an_opinion_introduction_is_no_addressee():
    draft = letter("Ủy ban nhân dân tỉnh có ý kiến như sau:\n\n"
                   "1. Giao Sở Tài chính bố trí kinh phí thực hiện.")
    assert audiences(draft) == ["unit:Sở Tài chính"]
    assert not any("ý kiến" in section.heading for section in draft.sections)


def test_a_task_naming_its_own_addressee_inside_a_section():
    draft = letter("1. Nhiệm vụ chung\n\n- Sở Y tế kiểm tra an toàn thực phẩm.\n"
                   "- UBND các xã, phường tuyên truyền cho người dân.")
    assert audiences(draft) == ["unit:Sở Y tế", "kind:commune"]


# ---- groups as letters write them


@pytest.mark.parametrize("group, rule", [
    ("UBND các xã, thị trấn", "kind:commune"),
    ("UBND các xã, phường, thị trấn", "kind:commune"),
    ("Thủ trưởng các sở, ban, ngành tỉnh", "kind:office"),
    ("UBND các huyện, thị xã, thành phố", "kind:commune"),
    ("Các cơ quan, đơn vị, địa phương", "all"),
])
def test_groups_match_by_unit_kind(group, rule):
    draft = letter(f"1. {group} tăng cường kiểm tra công vụ.")
    assert audiences(draft) == [rule]


def test_several_units_in_one_order_reach_exactly_them():
    draft = letter("1. Giao Sở Nội vụ, Sở Tài chính rà soát biên chế năm 2026.")
    assert audiences(draft) == [f"units:{ID['Sở Nội vụ']},{ID['Sở Tài chính']}"]


def test_an_addressee_the_portal_lacks_is_kept_and_flagged():
    draft = letter("1. Giao Công an tỉnh chủ trì kiểm tra an ninh mạng.\n\n"
                   "2. Sở Y tế kiểm tra cơ sở y tế.")
    first, second = draft.sections
    assert first.audience is None and first.unmatched == ["Công an"]
    assert first.heading == "Giao Công an tỉnh"
    assert [task.title for task in first.tasks] == ["Chủ trì kiểm tra an ninh mạng"]
    assert any("chưa xác định đơn vị" in w and "Công an" in w for w in draft.warnings)
    assert second.audience == "unit:Sở Y tế"


def test_a_task_naming_an_unknown_unit_is_flagged_not_given_to_the_section():
    draft = letter("1. Các sở, ban, ngành\n\n- Kiểm tra công vụ.\n"
                   "- Ban Dân tộc tỉnh rà soát chính sách dân tộc.")
    (_, section_rule), = {(s.number, s.audience) for s in draft.sections}
    assert section_rule == "kind:office"
    assert audiences(draft) == ["kind:office", "unmatched"]
    task = draft.tasks[1]
    assert any(note.startswith("Chưa xác định đơn vị") and "Ban Dân tộc tỉnh" in note
               for note in task.notes)
    assert any("Ban Dân tộc tỉnh" in w for w in draft.warnings)


# ---- decisions and plans


DECISION = """ỦY BAN NHÂN DÂN
TỈNH BÌNH ĐỊNH
Số: 636/QĐ-UBND
Bình Định, ngày 21 tháng 11 năm 2024
QUYẾT ĐỊNH
Về việc ban hành Quy định theo dõi công tác cải cách hành chính
ỦY BAN NHÂN DÂN TỈNH
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 617/TTr-SNV,
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy định về theo dõi công tác cải cách hành chính.
Điều 2. Giao Giám đốc Sở Nội vụ hướng dẫn, theo dõi, kiểm tra việc thực hiện Quyết định này.
Sở Tài chính bố trí kinh phí thực hiện trước ngày 31/12/2024.
Điều 3. Quyết định này có hiệu lực kể từ ngày ký.
Điều 4. Chánh
Văn phòng UBND tỉnh, Giám đốc các sở, Chủ tịch UBND các xã, phường chịu trách nhiệm thi hành
Quyết định này./.
"""


def test_a_decision_gives_only_its_orders():
    draft = import_letter(DECISION, PROVINCE)
    assert tasks(draft) == [
        ("unit:Sở Nội vụ", None, "Hướng dẫn, theo dõi, kiểm tra việc thực "),
        ("unit:Sở Tài chính", date(2024, 12, 31), "Sở Tài chính bố trí kinh phí thực hiện t"),
    ]


def test_a_decisions_first_article_that_authorises_is_no_order():
    draft = import_letter(DECISION.replace(
        "Ban hành kèm theo Quyết định này Quy định",
        "Ủy quyền cho Chủ tịch UBND các xã, phường cho phép thành lập, giải thể các tổ chức"),
        PROVINCE)
    assert len(draft.tasks) == 2


PLAN = HEADER.replace("V/v triển khai nhiệm vụ năm 2025", "KẾ HOẠCH\nCải cách hành chính năm "
                      "2025") + """I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Nâng cao chất lượng giải quyết thủ tục hành chính.
2. Yêu cầu
- Triển khai đồng bộ, hiệu quả các nhiệm vụ.
II. NHIỆM VỤ
1. Rà soát, đơn giản hóa thủ tục hành chính.
- Cơ quan chủ trì: Sở Tư pháp.
- Thời gian hoàn thành: trước ngày 30/11/2025.
2. Kiện toàn đội ngũ công chức một cửa.
- Đơn vị chủ trì: Sở Nội vụ; đơn vị phối hợp: UBND các xã, phường.
- Thời gian thực hiện: Quý IV năm 2025.
III. TỔ CHỨC THỰC HIỆN
1. Sở Y tế: Kiểm tra việc niêm yết thủ tục hành chính.
2. UBND các xã, phường: Báo cáo kết quả thực hiện trước ngày 15/12/2025.
"""


def test_a_plan_skips_its_purposes_and_reads_its_task_lines():
    draft = import_letter(PLAN + SIGNATURE, PROVINCE + [
        UnitRef(20, "Sở Tư pháp", "Sở Tư pháp", "office")])
    assert tasks(draft) == [
        ("unit:Sở Tư pháp", date(2025, 11, 30), "Rà soát, đơn giản hóa thủ tục hành chính"),
        ("unit:Sở Nội vụ", None, "Kiện toàn đội ngũ công chức một cửa. Thờ"),
        ("unit:Sở Y tế", None, "Kiểm tra việc niêm yết thủ tục hành chín"),
        ("kind:commune", date(2025, 12, 15), "Báo cáo kết quả thực hiện trước ngày 15/"),
    ]


# ---- deadlines


def test_a_deadline_clause_after_the_order_is_one_task():
    draft = letter("1. Sở Nội vụ rà soát vị trí việc làm; hoàn thành trước ngày 30/9/2025.\n\n"
                   "2. Sở Tài chính lập dự toán. Thời gian hoàn thành: trước ngày 15/10/2025.\n\n"
                   "3. Sở Y tế đánh giá, tổng hợp kết quả. Trình UBND tỉnh trước ngày 20/10/2025."
                   "\n\n4. Giao Sở Khoa học và Công nghệ đánh giá hệ thống. Báo cáo yêu cầu gửi "
                   "về Văn phòng UBND tỉnh trước 14 giờ, ngày 25/10/2025.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("unit:Sở Nội vụ", date(2025, 9, 30)),
        ("unit:Sở Tài chính", date(2025, 10, 15)),
        ("unit:Sở Y tế", date(2025, 10, 20)),
        ("unit:Sở Khoa học và Công nghệ", date(2025, 10, 25)),
    ]


def test_deadlines_per_level_in_a_separate_sentence():
    draft = letter("1. Các sở, ban, ngành và UBND các xã, phường báo cáo kết quả thực hiện.\n\n"
                   "Thời hạn báo cáo: các sở, ban, ngành gửi trước ngày 20/11/2025; UBND các "
                   "xã, phường gửi trước ngày 25/11/2025.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("kind:office", date(2025, 11, 20)), ("kind:commune", date(2025, 11, 25))]
    assert all(task.kind == "report" for task in draft.tasks)


def test_a_date_without_a_year_is_its_next_occurrence_after_the_letter():
    draft = import_letter(HEADER.replace("ngày 10 tháng 8", "ngày 20 tháng 12")
                          + "1. Sở Nội vụ báo cáo kết quả trước ngày 15/01.\n\n"
                          "2. Sở Y tế báo cáo trước ngày 28/12." + SIGNATURE, PROVINCE)
    assert [d for _, d, _ in tasks(draft)] == [date(2026, 1, 15), date(2025, 12, 28)]
    assert any("năm sau (2026)" in note for note in draft.tasks[0].notes)


def test_truoc_ngay_is_kept_as_the_day_written():
    draft = letter("1. Sở Nội vụ báo cáo trước ngày 16/6/2025.")
    assert draft.tasks[0].deadline == date(2025, 6, 16)


# ---- what is never an order


def test_grounds_closing_lines_and_furniture_are_no_tasks():
    draft = letter(
        "Căn cứ Kế hoạch số 45/KH-UBND ngày 01/7/2025 của UBND tỉnh;\n\n"
        "Thực hiện Công văn số 12/BNV-CCHC ngày 02/7/2025 của Bộ Nội vụ về việc tăng cường "
        "cải cách hành chính;\n\n"
        "1. Sở Y tế kiểm tra an toàn thực phẩm.\n\n"
        "Trang 2/3\n\n- 2 -\n\nTải về\n\nLượt xem: 1.234\n\nhttps://dongthap.gov.vn/vb/120\n\n"
        "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, báo cáo về Sở Nội vụ.\n\n"
        "Ủy ban nhân dân tỉnh yêu cầu Thủ trưởng các sở, ban, ngành và Chủ tịch UBND các xã, "
        "phường nghiêm túc triển khai thực hiện./.")
    assert tasks(draft) == [("unit:Sở Y tế", None, "Kiểm tra an toàn thực phẩm.")]


def test_a_closing_sentence_at_the_end_of_a_paragraph_is_no_task():
    draft = letter("1. Sở Y tế kiểm tra an toàn thực phẩm. Đề nghị các đơn vị nghiêm túc thực "
                   "hiện.")
    assert len(draft.tasks) == 1


def test_a_web_pages_title_line_is_no_task():
    draft = letter("1. Sở Y tế kiểm tra an toàn thực phẩm.\n\nBáo cáo và dự thảo Nghị quyết")
    assert len(draft.tasks) == 1


def test_a_news_lead_repeating_the_order_is_one_task():
    text = ("Chủ tịch UBND tỉnh yêu cầu Giám đốc Sở Y tế phối hợp triển khai đánh giá 1 năm thực "
            "hiện Nghị định số 68/2017/NĐ-CP về quản lý cụm công nghiệp.\n"
            "Sau khi xem xét, Chủ tịch UBND tỉnh có ý kiến chỉ đạo:\n"
            "Giao Sở Y tế chủ trì, phối hợp với các đơn vị liên quan đánh giá, tổng hợp báo cáo "
            "kết quả 1 năm thực hiện Nghị định số 68/2017/NĐ-CP. Trình UBND tỉnh trước ngày "
            "10/8/2018.")
    draft = import_letter(text, PROVINCE)
    assert [(a, d) for a, d, _ in tasks(draft)] == [("unit:Sở Y tế", date(2018, 8, 10))]


def test_capital_lines_of_a_decision_are_no_sections():
    draft = import_letter("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH\nQUYẾT ĐỊNH:\n"
                          "Điều 1. Sở Nội vụ kiểm tra công vụ.", PROVINCE)
    assert [s.heading for s in draft.sections] == ["Sở Nội vụ"]


def test_the_city_seed_shapes_still_hold():
    """The district's units (the demo's): an order to the communes inside a sentence."""
    draft = letter("Đề nghị UBND các xã, phường cập nhật thủ tục hành chính.", CITY)
    assert audiences(draft) == ["kind:commune"]


def test_what_was_done_what_must_be_done_to_something_and_contingencies_are_no_tasks():
    draft = letter(
        "Sở Y tế đã tham mưu UBND tỉnh ban hành kế hoạch phòng dịch.\n\n"
        "Trung tâm Phục vụ hành chính công phải được bố trí ở vị trí thuận lợi.\n\n"
        "Trường hợp xảy ra vụ việc đột xuất, yêu cầu các đơn vị báo cáo ngay.\n\n"
        "Theo đề nghị của Giám đốc Sở Nội vụ.\n\n"
        "1. Sở Y tế kiểm tra an toàn thực phẩm.")
    assert audiences(draft) == ["unit:Sở Y tế"]


def test_a_news_title_line_is_no_task_but_a_cut_order_naming_its_unit_is():
    draft = import_letter(
        "Triển khai hướng dẫn tuyên truyền kỷ niệm 30 năm Ngày thành lập tỉnh của Huyện ủy\n\n"
        "Đề nghị Sở Y tế tăng cường kiểm tra an toàn thực phẩm trong dịp lễ, các cơ sở", PROVINCE)
    assert audiences(draft) == ["unit:Sở Y tế"]


def test_a_level_named_by_its_tier_and_giao_trach_nhiem_cho():
    draft = letter("UBND cấp xã thành lập Trung tâm Phục vụ hành chính công, hoàn thành trước "
                   "7h00 sáng ngày 01/7/2025.\n\n"
                   "Giao trách nhiệm cho Giám đốc Sở Nội vụ theo dõi việc thực hiện.\n\n"
                   "Đồng thời yêu cầu Sở Tài chính bố trí kinh phí.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("kind:commune", date(2025, 7, 1)), ("unit:Sở Nội vụ", None),
        ("unit:Sở Tài chính", None)]


def test_an_introduction_naming_the_addressees_mid_paragraph_reaches_the_paragraphs_after():
    draft = import_letter(
        "Thực hiện Chỉ thị số 02/CT-UBND ngày 12/01/2015 của Chủ tịch UBND tỉnh, Chủ tịch UBND "
        "tỉnh yêu cầu:\n"
        "Thủ trưởng các sở, ban, ngành thực hiện tốt một số nhiệm vụ sau: Tổ chức tổng vệ sinh "
        "trụ sở làm việc.\n"
        "Phân công lãnh đạo trực cơ quan từ ngày 16/02/2015 đến hết ngày 23/02/2015.", PROVINCE)
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("kind:office", None), ("kind:office", date(2015, 2, 23))]


def test_an_event_time_and_a_lead_clause_before_the_subject():
    draft = letter("UBND tỉnh yêu cầu tất cả các cơ quan, đơn vị dọn dẹp vệ sinh trụ sở vào lúc "
                   "16h chiều thứ bảy ngày 27/12. Ngoài việc tổng vệ sinh tại cơ quan, đơn vị, "
                   "UBND các xã, phường huy động nhân dân ra quân vào 7h sáng chủ nhật ngày "
                   "28/12.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("all", date(2025, 12, 27)), ("kind:commune", date(2025, 12, 28))]


def test_a_web_copy_without_a_header_takes_the_year_it_was_posted():
    draft = import_letter("Tổng vệ sinh môi trường\n14:58 | 27/12/2014\n\n"
                          "Đề nghị UBND các xã, phường ra quân trước ngày 28/12.\n\n"
                          "Các bài mới\n\nCác bài đã đăng", PROVINCE)
    assert [(a, d) for a, d, _ in tasks(draft)] == [("kind:commune", date(2014, 12, 28))]
    assert any("27/12/2014" in warning for warning in draft.warnings)
    assert [s.heading for s in draft.sections] == ["Đề nghị UBND các xã, phường"]


def test_a_news_report_of_an_order_and_a_deadline_within_a_month():
    draft = import_letter(
        "Về việc này, UBND thành phố đã giao Sở Nội vụ chủ trì, phối hợp với UBND các xã, "
        "phường triển khai thực hiện, báo cáo UBND thành phố trước ngày 10/3/2013.\n\n"
        "UBND tỉnh cũng giao Sở Y tế kiểm tra, báo cáo đề xuất với UBND tỉnh trong tháng "
        "9/2014.", PROVINCE)
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("unit:Sở Nội vụ", date(2013, 3, 10)), ("unit:Sở Y tế", date(2014, 9, 30))]


def test_the_duties_of_a_group_of_persons_are_no_tasks():
    draft = letter("Tổ Công tác có nhiệm vụ chỉ đạo, kiểm tra các vụ việc khiếu nại; chỉ đạo, đôn "
                   "đốc các cơ quan thực hiện kế hoạch.\n\n"
                   "Sở Nội vụ có trách nhiệm phối hợp với các sở xây dựng quy chế.")
    assert audiences(draft) == ["unit:Sở Nội vụ"]


def test_a_text_wrapped_at_a_pages_width_gives_the_same_tasks():
    """A PDF's text comes in lines of the page's width without blank lines between
    paragraphs: short lines end paragraphs, long ones go on."""
    import textwrap

    body = ("Ủy ban nhân dân tỉnh giao Sở Nội vụ:\n"
            "1. Khẩn trương rà soát, sắp xếp tổ chức bộ máy của các cơ quan chuyên môn thuộc "
            "UBND tỉnh theo hướng tinh gọn, hoàn thành trước ngày 15/4/2025 để trình cấp có "
            "thẩm quyền.\n"
            "2. Phối hợp chặt chẽ với Sở Tài chính hướng dẫn các xã, phường bố trí công chức "
            "làm việc tại Trung tâm Phục vụ hành chính công.\n"
            "Đề nghị UBND các xã, phường rà soát, cập nhật thủ tục hành chính trên Cổng dịch vụ "
            "công quốc gia, báo cáo kết quả về Sở Nội vụ trước ngày 30/4/2025.\n")
    plain = letter(body.replace("\n", "\n\n"))
    wrapped = "\n".join(line for paragraph in body.splitlines()
                        for line in textwrap.wrap(paragraph, 80))
    folded = import_letter(HEADER.replace("\n\n", "\n") + wrapped + SIGNATURE, PROVINCE)
    assert [(a, d) for a, d, _ in tasks(folded)] == [(a, d) for a, d, _ in tasks(plain)] == [
        ("unit:Sở Nội vụ", date(2025, 4, 15)), ("unit:Sở Nội vụ", None),
        ("kind:commune", date(2025, 4, 30))]


def test_sentences_that_report_or_describe_are_no_tasks():
    draft = letter("Tại kỳ họp sẽ thông qua báo cáo tổng kết nhiệm kỳ; báo cáo tình hình kinh tế "
                   "- xã hội.\n\n"
                   "Giải pháp của Kế hoạch này là đẩy mạnh công tác tuyên truyền; tăng cường "
                   "công tác chỉ đạo của chính quyền các cấp.\n\n"
                   "1. Sở Y tế kiểm tra an toàn thực phẩm.")
    assert audiences(draft) == ["unit:Sở Y tế"]


def test_a_speaker_before_yeu_cau_and_an_order_to_others_inside_a_clause():
    draft = letter("Về nhiệm vụ trong thời gian tới, Phó Bí thư Thường trực Huyện ủy - Chủ tịch "
                   "HĐND huyện yêu cầu các sở, ban, ngành, địa phương tập trung cho công tác bầu "
                   "cử, các xã phải tổ chức tổng kết nhiệm kỳ trước ngày 30/3.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("all", None), ("kind:commune", date(2026, 3, 30))]


def test_a_headline_line_does_not_swallow_the_next_line():
    draft = import_letter("Khẩn trương hoàn thiện công tác chuẩn bị cho các hoạt động kỷ niệm\n"
                          "Đề nghị Sở Y tế bảo đảm công tác y tế cho các hoạt động kỷ niệm.",
                          PROVINCE)
    assert [(a, t) for a, _, t in tasks(draft)] == [
        ("unit:Sở Y tế", "Bảo đảm công tác y tế cho các hoạt động ")]


@pytest.mark.parametrize("line, furniture", [
    ("Trang 2/3", True), ("- 2 -", True), ("Tải về", True), ("Lượt xem: 1.234", True),
    ("Nguồn: Báo Dân trí", True), ("Đánh giá", True), ("https://dongthap.gov.vn/a", True),
    ("Các bài đã đăng", True),
    ("Đánh giá kết quả thực hiện, báo cáo UBND tỉnh trước ngày 15/12/2025.", False),
    ("Nguồn kinh phí: ngân sách tỉnh.", False), ("2. Phòng Nội vụ", False),
    ("Trang thông tin điện tử của tỉnh đăng tải tin bài.", False),
])
def test_page_furniture_is_told_from_the_letters_lines(line, furniture):
    from portal.directives.importer.text import is_furniture

    assert is_furniture(line) is furniture


def test_a_numbered_heading_over_its_own_items_is_no_task():
    draft = letter("1. MỤC ĐÍCH, YÊU CẦU\n- Nâng cao chất lượng phục vụ.\n"
                   "2. NHIỆM VỤ\n2.1. Kiểm tra, giám sát\n- Sở Y tế kiểm tra an toàn thực phẩm.\n"
                   "- Sở Tài chính rà soát dự toán trước ngày 30/9/2025.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("unit:Sở Y tế", None), ("unit:Sở Tài chính", date(2025, 9, 30))]


def test_deadlines_per_level_inside_the_order():
    draft = letter("Các sở, ban, ngành báo cáo kết quả trước ngày 15/11/2025; UBND các xã, phường "
                   "báo cáo trước ngày 20/11/2025.\n\n"
                   "Đề nghị báo cáo số liệu về Sở Nội vụ trước ngày 05/12/2025 đối với các sở, "
                   "ban, ngành; trước ngày 10/12/2025 đối với UBND các xã, phường.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("kind:office", date(2025, 11, 15)), ("kind:commune", date(2025, 11, 20)),
        ("kind:office", date(2025, 12, 5)), ("kind:commune", date(2025, 12, 10))]
    assert all(task.kind == "report" for task in draft.tasks)


def test_whose_product_is_sent_by_a_date_is_an_order_to_them():
    draft = letter("1. Các sở, ban, ngành và UBND các xã, phường phân công lãnh đạo trực Tết. Lịch "
                   "trực Tết của UBND các xã, phường gửi về Văn phòng UBND tỉnh trước ngày "
                   "13/02/2026.")
    ids = ",".join(str(u.id) for u in PROVINCE if u.kind in ("office", "commune"))
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        (f"units:{ids}", None), ("kind:commune", date(2026, 2, 13))]


def test_a_pages_headline_naming_the_issuer_and_the_state_offices_as_a_group():
    draft = import_letter(
        "UBND huyện tổ chức cuộc họp triển khai Kế hoạch phối hợp tổ chức Ngày hội năm 2021\n"
        "Ngày cập nhật 30/04/2021\n"
        "Đề nghị các cơ quan QLNN rà soát lịch trực trước ngày 13/02/2021.", PROVINCE)
    assert [(a, d) for a, d, _ in tasks(draft)] == [("kind:office", date(2021, 2, 13))]


def test_a_first_line_that_gives_an_order_is_no_headline():
    draft = import_letter("Đề nghị UBND các xã, phường rà soát hồ sơ trễ hạn trên hệ thống",
                          PROVINCE)
    assert audiences(draft) == ["kind:commune"]


# ---- a meeting's conclusions (thông báo kết luận) and what is not an order


CONCLUSIONS_HEADER = """ỦY BAN NHÂN DÂN
TỈNH ĐỒNG THÁP
VĂN PHÒNG

Số: 45/TB-VPUBND

Đồng Tháp, ngày 12 tháng 3 năm 2025

THÔNG BÁO
Kết luận của Chủ tịch UBND tỉnh tại cuộc họp về tiến độ chuyển đổi số

"""


def conclusions(body: str) -> Draft:
    return import_letter(CONCLUSIONS_HEADER + body + SIGNATURE, PROVINCE)


def test_a_leaders_remarks_on_what_was_done_are_no_tasks():
    draft = conclusions(
        "1. Đánh giá cao sự chủ động của Sở Khoa học và Công nghệ trong việc tham mưu triển khai "
        "các nhiệm vụ chuyển đổi số.\n\n"
        "2. Cơ bản thống nhất với báo cáo của Sở Nội vụ về kết quả thực hiện năm 2024.\n\n"
        "3. Tuy nhiên, việc số hóa hồ sơ tại một số xã chưa đạt yêu cầu, cần khắc phục.\n\n"
        "4. Sở Y tế cập nhật dữ liệu y tế lên hệ thống dùng chung.")
    assert audiences(draft) == ["unit:Sở Y tế"]


def test_the_meetings_time_chair_and_attendance_are_no_tasks():
    draft = conclusions(
        "Ngày 10/3/2025, đồng chí Nguyễn Văn A, Chủ tịch UBND tỉnh chủ trì cuộc họp nghe báo cáo "
        "tiến độ chuyển đổi số.\n\n"
        "Tham dự có lãnh đạo Sở Nội vụ, Sở Tài chính và UBND các xã, phường.\n\n"
        "Chủ trì: đồng chí Nguyễn Văn A, Chủ tịch UBND tỉnh.\n\n"
        "Sau khi nghe Sở Khoa học và Công nghệ báo cáo, Chủ tịch UBND tỉnh kết luận như sau:\n\n"
        "1. Giao Sở Khoa học và Công nghệ chủ trì, phối hợp với Sở Tài chính rà soát các nhiệm "
        "vụ chậm tiến độ, báo cáo UBND tỉnh trước ngày 30/3/2025.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("unit:Sở Khoa học và Công nghệ", date(2025, 3, 30))]


def test_the_notice_that_passes_the_conclusions_on_is_no_task():
    draft = conclusions(
        "1. Văn phòng UBND tỉnh theo dõi, đôn đốc việc thực hiện.\n\n"
        "Văn phòng UBND tỉnh thông báo để các cơ quan, đơn vị liên quan biết, thực hiện./.")
    assert [(a, t) for a, _, t in tasks(draft)] == [
        ("unit:Văn phòng UBND tỉnh", "Theo dõi, đôn đốc việc thực hiện.")]


def test_a_topic_before_its_order_gives_the_order_its_own_addressee():
    draft = conclusions(
        "1. Giao Sở Khoa học và Công nghệ chủ trì rà soát các nhiệm vụ chậm tiến độ.\n\n"
        "2. Về đề xuất bổ sung kinh phí của Sở Nội vụ: Giao Sở Tài chính thẩm định, tham mưu "
        "UBND tỉnh trước ngày 15/4/2025.\n\n"
        "3. Về công tác y tế: Sở Y tế chủ trì kiểm tra các trạm y tế.")
    assert [(a, d, t) for a, d, t in tasks(draft)][1:] == [
        ("unit:Sở Tài chính", date(2025, 4, 15), "Thẩm định, tham mưu UBND tỉnh trước ngày"),
        ("unit:Sở Y tế", None, "Chủ trì kiểm tra các trạm y tế.")]


def test_a_closing_line_asking_for_care_and_cooperation_is_no_task():
    draft = letter("1. Sở Nội vụ tổng hợp kết quả cải cách hành chính.\n\n"
                   "Ủy ban nhân dân tỉnh đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực "
                   "hiện./.")
    assert audiences(draft) == ["unit:Sở Nội vụ"]


def test_what_to_act_on_before_the_order_is_no_legal_basis():
    draft = letter("III. TỔ CHỨC THỰC HIỆN\n1. UBND các xã, phường\n"
                   "Căn cứ Kế hoạch này, xây dựng kế hoạch tuyên truyền của địa phương, hoàn "
                   "thành trước ngày 31/3/2025.\n"
                   "2. Sở Y tế\nCăn cứ chức năng, nhiệm vụ được giao, kiểm tra an toàn thực "
                   "phẩm.\n\n"
                   "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ, bổ sung một "
                   "số quy định về một cửa.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [
        ("kind:commune", date(2025, 3, 31)), ("unit:Sở Y tế", None)]


def test_what_a_unit_is_is_no_task():
    draft = letter("1. Sở Y tế là cơ quan thường trực, tổng hợp tình hình dịch bệnh.\n\n"
                   "2. Sở Y tế giám sát chặt chẽ tình hình dịch bệnh.")
    assert [t for _, _, t in tasks(draft)] == ["Giám sát chặt chẽ tình hình dịch bệnh."]


def test_a_report_of_how_a_plan_was_carried_out_is_no_task():
    draft = letter("Triển khai Kế hoạch số 12/KH-UBND ngày 05/01/2025 của UBND tỉnh, các sở, ngành "
                   "đã tổ chức tuyên truyền sâu rộng.\n\n"
                   "Triển khai Kế hoạch số 30/KH-UBND ngày 02/3/2025 của UBND tỉnh, UBND các xã, "
                   "phường tổ chức ra quân dọn vệ sinh trước ngày 30/3/2025.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [("kind:commune", date(2025, 3, 30))]


def test_the_next_item_of_the_same_numbering_leaves_a_units_section():
    draft = letter("Chủ tịch UBND tỉnh chỉ đạo như sau:\n\n"
                   "1. Giao Sở Y tế chủ trì, phối hợp với các địa phương giám sát dịch bệnh.\n\n"
                   "2. Tăng cường công tác tuyên truyền phòng, chống dịch bệnh.\n\n"
                   "3. Sở Tài chính:\n- Bố trí kinh phí phòng, chống dịch.\n"
                   "- Hướng dẫn thanh toán chế độ cho lực lượng tham gia.\n\n"
                   "4. Đẩy mạnh vệ sinh môi trường tại khu dân cư.")
    everyone = ",".join(str(u.id) for u in PROVINCE if u.kind in ("office", "commune"))
    assert sorted((t, a) for a, _, t in tasks(draft)) == sorted([
        ("Chủ trì, phối hợp với các địa phương giá", "unit:Sở Y tế"),
        ("Tăng cường công tác tuyên truyền phòng, ", f"units:{everyone}"),
        ("Bố trí kinh phí phòng, chống dịch.", "unit:Sở Tài chính"),
        ("Hướng dẫn thanh toán chế độ cho lực lượn", "unit:Sở Tài chính"),
        ("Đẩy mạnh vệ sinh môi trường tại khu dân ", f"units:{everyone}")])


def test_what_is_not_yet_done_and_the_shortcomings_part_are_no_tasks():
    draft = conclusions(
        "I. TỒN TẠI, HẠN CHẾ\n1. Công tác giải phóng mặt bằng tiến hành chậm.\n\n"
        "II. NHIỆM VỤ THỜI GIAN TỚI\n"
        "1. Qua kiểm tra, Sở Tài chính chưa thẩm định xong dự toán điều chỉnh; UBND các xã còn "
        "chậm bàn giao mặt bằng.\n\n"
        "2. Giao Sở Tài chính khẩn trương thẩm định dự toán điều chỉnh.\n\n"
        "3. UBND các xã không để tái lấn chiếm, thường xuyên kiểm tra mặt bằng đã bàn giao.")
    assert [(a, t) for a, _, t in tasks(draft)] == [
        ("unit:Sở Tài chính", "Khẩn trương thẩm định dự toán điều chỉnh"),
        ("kind:commune", "Thường xuyên kiểm tra mặt bằng đã bàn gi")]


def test_a_notice_that_only_says_it_informs_is_no_task():
    draft = conclusions("1. Sở Y tế kiểm tra các trạm y tế.\n\n"
                        "Văn phòng UBND tỉnh trân trọng thông báo./.")
    assert audiences(draft) == ["unit:Sở Y tế"]


def test_a_speaker_inside_a_paragraph_before_yeu_cau():
    draft = import_letter(
        "Chủ tịch UBND huyện làm việc với các xã về giải phóng mặt bằng\n"
        "Phát biểu kết luận, đồng chí Chủ tịch UBND huyện đánh giá cao nỗ lực của các xã. Đồng "
        "chí yêu cầu Sở Tài chính khẩn trương thẩm định phương án bồi thường, hoàn thành trước "
        "ngày 30/3/2025.", PROVINCE)
    assert [(a, d) for a, d, _ in tasks(draft)] == [("unit:Sở Tài chính", date(2025, 3, 30))]


def test_a_leaders_order_to_every_part_of_the_body_reaches_every_unit():
    draft = import_letter(
        "Ủy ban nhân dân tỉnh họp về cải cách hành chính\n"
        "Kết luận cuộc họp, đồng chí Chủ tịch UBND tỉnh yêu cầu các bộ phận nâng cao vai trò "
        "tham mưu, chấn chỉnh quy trình giải quyết hồ sơ.", PROVINCE)
    assert audiences(draft) == ["all"]
    assert audiences(letter("1. Các bộ phận chuyên môn rà soát quy trình nội bộ.")) == ["all"]


def test_items_written_inline_after_the_introduction_s_colon():
    ids = ",".join(str(ID[n]) for n in ("Văn phòng UBND tỉnh", "Sở Nội vụ", "Sở Tài chính",
                                         "Sở Y tế", "Sở Khoa học và Công nghệ", "UBND xã Tân Phú",
                                         "UBND xã An Bình", "UBND phường Mỹ Phước"))
    draft = letter("Đề nghị các sở, ban, ngành tỉnh, UBND các xã, phường: (1) Tập trung rà soát "
                   "thủ tục hành chính; (2) Đẩy nhanh giải ngân vốn đầu tư công, báo cáo trước "
                   "ngày 30/9/2025; (3) Tiếp tục kiện toàn bộ máy.")
    assert tasks(draft) == [
        (f"units:{ids}", None, "Tập trung rà soát thủ tục hành chính."),
        (f"units:{ids}", date(2025, 9, 30), "Đẩy nhanh giải ngân vốn đầu tư công, báo"),
        (f"units:{ids}", None, "Tiếp tục kiện toàn bộ máy.")]
    assert tasks(letter("Yêu cầu Sở Y tế: a) kiểm tra các trạm y tế; b) báo cáo kết quả trước "
                        "ngày 15/10/2025.")) == [
        ("unit:Sở Y tế", None, "Kiểm tra các trạm y tế."),
        ("unit:Sở Y tế", date(2025, 10, 15), "Báo cáo kết quả trước ngày 15/10/2025.")]
    # in a page's prose each numbered item is one order, its steps within it
    draft = import_letter(
        "Ủy ban nhân dân tỉnh họp phiên thường kỳ tháng 3\n"
        "Kết luận phiên họp, đồng chí Chủ tịch UBND tỉnh yêu cầu các cơ quan, đơn vị trong thời "
        "gian tới: (1) Tập trung rà soát thủ tục hành chính; chấn chỉnh kỷ cương; (2) Đẩy nhanh "
        "giải ngân vốn đầu tư công.", PROVINCE)
    assert [(a, t) for a, _, t in tasks(draft)] == [
        ("all", "Tập trung rà soát thủ tục hành chính; ch"),
        ("all", "Đẩy nhanh giải ngân vốn đầu tư công.")]
    # a single bracketed number, or numbers out of sequence, are no list
    assert len(letter("Đề nghị Sở Y tế: (1) rà soát theo Điều 5; (3) báo cáo.").tasks) == 1
    # nor are the things one order lists
    assert tasks(letter("Đề nghị UBND các xã, phường cử vận động viên tham gia các môn thi đấu: "
                        "(1) bóng đá; (2) cầu lông; (3) kéo co, gửi danh sách về Sở Nội vụ "
                        "trước ngày 20/10/2025.")) == [
        ("kind:commune", date(2025, 10, 20), "Vận động viên tham gia các môn thi đấu: ")]
    # an item that implements a resolution "đến toàn thể cán bộ, công chức" is an order
    assert [t for _, _, t in tasks(letter(
        "Đề nghị các sở, ban, ngành tỉnh thực hiện: a) quán triệt Nghị quyết 57-NQ/TW đến toàn "
        "thể cán bộ, công chức; b) xây dựng kế hoạch hành động cụ thể."))] == [
        "Quán triệt Nghị quyết 57-NQ/TW đến toàn ", "Xây dựng kế hoạch hành động cụ thể."]


def test_the_things_an_order_is_on_listed_after_a_colon_are_not_orders_of_their_own():
    draft = letter("Sở Tài chính khẩn trương hoàn tất thủ tục, giải ngân 100% kế hoạch vốn năm "
                   "2025 cho các dự án: Cầu Tân Phú; các tuyến đường trung tâm xã An Bình, giai "
                   "đoạn 1; Trường Tiểu học Mỹ Phước, hoàn thành trước ngày 31/12/2025.")
    assert tasks(draft) == [("unit:Sở Tài chính", date(2025, 12, 31),
                             "Sở Tài chính khẩn trương hoàn tất thủ tụ")]
    # an order after the list, in its own clause, is still one
    draft = letter("Sở Tài chính giải ngân vốn cho các dự án: Cầu Tân Phú; Trường Mỹ Phước; Sở "
                   "Y tế kiểm tra các trạm y tế.")
    assert audiences(draft) == ["unit:Sở Tài chính", "unit:Sở Y tế"]


# A ward's own portal after the 2025 reform: its offices, no local government below it.
WARD = [UnitRef(i, name, short, kind) for i, (name, short, kind) in enumerate([
    ("Văn phòng HĐND và UBND phường", "VP HĐND-UBND", "office"),
    ("Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng KT-HT-ĐT", "office"),
    ("Phòng Văn hóa - Xã hội", "Phòng VH-XH", "office"),
    ("Trung tâm Phục vụ hành chính công phường", "TT PVHCC", "service"),
], start=1)]


@pytest.mark.parametrize("who", ["UBND phường", "Phường", "UBND các xã, phường"])
def test_in_a_ward_s_own_portal_the_ward_is_every_unit(who):
    draft = import_letter(
        "Phường Tân Mỹ tổng kết công tác năm 2025\n"
        f"Phát biểu chỉ đạo, đồng chí Bí thư Thành ủy yêu cầu {who} cần ưu tiên tháo gỡ vướng "
        "mắc cho người dân, đẩy nhanh giải ngân vốn đầu tư công.", WARD)
    assert audiences(draft) == ["all"]
    # a place after the level word names another commune, which the portal does not hold
    draft = import_letter("Đề nghị UBND phường Tân Định rà soát hồ sơ đất đai.", WARD)
    assert audiences(draft) == [None] and draft.sections[0].unmatched == ["phường Tân Định"]
    # a body the portal does not hold, in the ward ("Công an phường"), is not the ward
    draft = import_letter("Chủ tịch UBND phường đề nghị Công an phường tăng cường tuần tra vào "
                          "ban đêm.", WARD)
    assert audiences(draft) == [None]
    # in a province's portal "Phường" alone is no one of its own: left for the editor
    assert audiences(import_letter(
        "Đề nghị Phường cần ưu tiên tháo gỡ vướng mắc cho người dân.", PROVINCE)) == [None]


def test_the_remaining_months_of_the_year_end_on_its_last_day():
    draft = letter("1. Trong những tháng cuối năm, Sở Tài chính đẩy nhanh giải ngân vốn đầu tư "
                   "công.\n2. Sở Y tế hoàn thành tiêm chủng từ nay đến cuối năm 2026.")
    assert [d for _, d, _ in tasks(draft)] == [date(2025, 12, 31), date(2026, 12, 31)]
    assert [n for n in draft.tasks[0].notes if "những tháng cuối năm" in n] == [
        "Hạn «những tháng cuối năm»: lấy ngày cuối năm 2025."]


def test_a_month_a_quarter_or_a_year_as_the_time_to_finish():
    """"Thời gian hoàn thành: tháng 6/2025", "Thời hạn: Quý III", "hoàn thành trong
    năm 2026", "trong 6 tháng đầu năm 2026", "Hạn cuối nộp hồ sơ: …": by the period's last
    day (a month or a quarter without its year is the letter's); the tasks of a month ("các
    nhiệm vụ trọng tâm trong tháng 9") are what to do, not by when."""
    draft = letter("1. Sở Tài chính rà soát định mức chi. Thời gian hoàn thành: tháng 10/2025.\n"
                   "2. Sở Y tế xây dựng kế hoạch tiêm chủng. Thời hạn: Quý IV.\n"
                   "3. Sở Nội vụ sắp xếp tổ chức bộ máy, hoàn thành trong năm 2026.\n"
                   "4. Sở Khoa học và Công nghệ số hóa hồ sơ, hoàn thành trong 6 tháng đầu năm "
                   "2026.\n"
                   "5. Các xã, phường hướng dẫn người dân nộp hồ sơ. Hạn cuối nhận hồ sơ: "
                   "15/9/2025.\n"
                   "6. Sở Nội vụ triển khai các nhiệm vụ trọng tâm trong tháng 9 và quý IV.\n"
                   "7. Sở Y tế hoàn thành việc tiêm vắc xin trong tháng 11.")
    assert [d for _, d, _ in tasks(draft)] == [
        date(2025, 10, 31), date(2025, 12, 31), date(2026, 12, 31), date(2026, 6, 30),
        date(2025, 9, 15), None, date(2025, 11, 30)]
    assert "Hạn «Quý IV»: lấy ngày cuối quý (không ghi năm: lấy năm 2025)." in \
        " ".join(draft.tasks[1].notes).replace("Thời hạn: ", "")
    # a month without its year that is over (the letter is of 10/8), comes back every year,
    # names the work of a month or is a plan's time for the work: no deadline; one that ended
    # more than half a year before the letter is next year's
    draft = letter("1. Sở Tài chính tổng hợp số liệu thu, chi ngân sách trong tháng 7, báo cáo "
                   "UBND tỉnh.\n2. Sở Y tế tổ chức Tháng hành động vì an toàn thực phẩm trong "
                   "tháng 4 hằng năm.\n3. Các sở, ngành tập trung thực hiện các công việc trọng "
                   "tâm trong tháng 9.\n4. Sở Nội vụ tổng hợp kết quả thi đua trong quý II.\n"
                   "5. Sở Y tế tiêm vắc xin sởi. Thời gian thực hiện: trong quý IV.\n"
                   "6. Sở Nội vụ hoàn thành việc sắp xếp trong tháng 1.")
    assert [d for _, d, _ in tasks(draft)] == [None, None, None, None, None, date(2026, 1, 31)]


def test_giao_a_unit_to_carry_out_is_the_order_and_carries_out_what_the_lead_received():
    body = ("Tiếp nhận Thông tư số 28/2020/TT-BGDĐT ngày 04/9/2020 của Bộ Giáo dục và Đào tạo "
            "về việc ban hành Điều lệ Trường tiểu học (văn bản gửi kèm), Phó Chủ tịch UBND tỉnh "
            "có ý kiến như sau:\n\nGiao Sở Y tế triển khai thực hiện.\n")
    draft = letter(body)
    assert tasks(draft) == [("unit:Sở Y tế", None, "Triển khai thực hiện Thông tư số 28/2020")]
    assert draft.tasks[0].text.endswith("về việc ban hành Điều lệ Trường tiểu học.")
    assert draft.tasks[0].notes[-1].startswith("Việc cần làm theo «Thông tư số 28/2020/TT-")
    # with no document received in its lead, the order keeps its own words
    assert [t.text for t in letter("Giao Sở Y tế triển khai thực hiện.\n").tasks] == [
        "Triển khai thực hiện."]
    # a closing line to every recipient is still no order
    assert tasks(letter("1. Sở Tài chính thẩm định phương án.\n\nYêu cầu Thủ trưởng các sở, "
                        "ban, ngành nghiêm túc thực hiện./.\n")) == [
        ("unit:Sở Tài chính", None, "Thẩm định phương án.")]


def test_a_period_ends_on_its_last_day():
    draft = letter("1. Các xã, phường tổ chức phát động Tết trồng cây từ ngày 27/1 - 6/2/2026.\n"
                   "2. Sở Y tế góp ý dự thảo, gửi văn bản về Sở Nội vụ từ ngày 19/8/2025 đến "
                   "28/8/2025.\n3. Sở Tài chính ra quân từ ngày 27.9-24.10 (theo kế hoạch).\n"
                   "4. Sở Nội vụ kiểm tra từ ngày 20/12/2025 đến 15/02 (dịp Tết Nguyên đán).\n"
                   "5. Sở Y tế tổ chức chiến dịch (từ ngày 18 - 20/9) theo hướng dẫn của Bộ.")
    assert [d for _, d, _ in tasks(draft)] == [
        date(2026, 2, 6), date(2025, 8, 28), date(2025, 10, 24), date(2026, 2, 15),
        date(2025, 9, 20)]
    assert "Hạn «từ ngày 27/1 - 6/2/2026»: lấy ngày cuối của khoảng thời gian." in \
        draft.tasks[0].notes
    # one note says where the deadline came from, not two
    assert [n for n in draft.tasks[0].notes if "27/1 - 6/2/2026" in n] == [
        "Hạn «từ ngày 27/1 - 6/2/2026»: lấy ngày cuối của khoảng thời gian."]
    # no deadline: a period that comes back, said after it or before it; a period that ended
    # before the letter (the figures it asks for, a period inspected); a rate, an hour; a
    # period with no day
    for order in ("Sở Y tế báo cáo từ ngày 01/6 đến 05/6 hằng năm.",
                  "Hằng năm, từ ngày 1/9 đến 30/9, Sở Y tế tổ chức tháng hành động.",
                  "Sở Tài chính tổng hợp số liệu giải ngân từ ngày 1/1 đến 30/6/2025, gửi về "
                  "Văn phòng UBND tỉnh.",
                  "Sở Nội vụ thanh tra công tác tuyển dụng, thời kỳ thanh tra từ ngày "
                  "01/01/2020 đến 31/12/2024.",
                  "Sở Tài chính phấn đấu tăng trưởng từ 8.5 - 9.5% trong năm.",
                  "Sở Y tế tổ chức hội nghị từ 7.30 - 11.30, tại hội trường tỉnh.",
                  "Sở Tài chính kiểm tra từ tháng 9 đến tháng 11.",
                  "Sở Tài chính bố trí từ 8 - 10/12 xe chuyên dùng."):
        (task,) = letter(f"1. {order}\n").tasks
        assert task.deadline is None, order


def test_a_paragraph_opening_with_dong_thoi_is_another_order_to_the_same_unit():
    draft = letter("Giao Sở Y tế khẩn trương triển khai tiêm phòng.\n\nĐồng thời, chủ trì, phối "
                   "hợp với ngành liên quan tăng cường kiểm tra.")
    assert tasks(draft) == [("unit:Sở Y tế", None, "Khẩn trương triển khai tiêm phòng."),
                            ("unit:Sở Y tế", None, "Đồng thời, chủ trì, phối hợp với ngành l")]
    # after an item that named its unit, in a letter to several
    draft = letter("1. Sở Y tế khẩn trương triển khai tiêm phòng.\n\nĐồng thời, chủ trì, phối "
                   "hợp với ngành liên quan tăng cường kiểm tra.")
    assert audiences(draft) == ["unit:Sở Y tế", "unit:Sở Y tế"]
    draft = import_letter("UBND tỉnh chỉ đạo phòng, chống dịch\nChủ tịch UBND tỉnh yêu cầu Sở Y "
                          "tế khẩn trương triển khai tiêm phòng.\n\nĐồng thời, chủ trì, phối hợp "
                          "với ngành liên quan tăng cường kiểm tra.", PROVINCE)
    assert audiences(draft) == ["unit:Sở Y tế", "unit:Sở Y tế"]
    # inside an item, "… . Đồng thời, …" and "…; đồng thời …" go on with the order before
    assert len(letter("1. Sở Y tế triển khai tiêm phòng. Đồng thời, báo cáo kết quả.").tasks) \
        == len(letter("1. Sở Y tế triển khai tiêm phòng; đồng thời báo cáo kết quả.").tasks) == 1


def test_a_page_quoting_a_letter_s_number_then_its_issuer_s_order():
    draft = import_letter(
        "Chủ động phòng, chống dịch tả lợn châu Phi\n"
        "Trong nội dung Công văn số 4913/VP-KT, ban hành ngày 15/6, UBND tỉnh yêu cầu Sở Y tế, "
        "UBND các xã, phường chủ động phòng, chống dịch tả lợn châu Phi.", PROVINCE)
    ids = ",".join(str(ID[n]) for n in ("Sở Y tế", "UBND xã Tân Phú", "UBND xã An Bình",
                                         "UBND phường Mỹ Phước"))
    assert tasks(draft) == [(f"units:{ids}", None, "Chủ động phòng, chống dịch tả lợn châu P")]


def test_the_grassroots_government_is_the_local_governments():
    draft = import_letter("Sở Y tế yêu cầu chính quyền cơ sở tập trung chỉ đạo, tuyên truyền, vận "
                          "động nhân dân phòng, chống dịch.", PROVINCE)
    assert audiences(draft) == ["kind:commune"]


def test_a_level_s_places_listed_after_a_colon_are_addressees_not_a_heading():
    ids = ",".join(str(ID[n]) for n in ("Sở Y tế", "UBND xã Tân Phú", "UBND xã An Bình"))
    draft = letter("Chủ tịch UBND tỉnh giao Chủ tịch UBND các xã: Tân Phú, An Bình; Giám đốc Sở "
                   "Y tế thực hiện nghiêm các biện pháp phòng, chống dịch.")
    assert audiences(draft) == [f"units:{ids}"]


def test_the_members_of_the_organising_committee_are_its_units():
    draft = import_letter(
        "Họp Ban tổ chức các hoạt động kỷ niệm 20 năm thành lập tỉnh\n"
        "Kết luận cuộc họp, đồng chí Chủ tịch UBND tỉnh yêu cầu các thành viên Ban tổ chức cần "
        "rà soát kỹ lưỡng công việc, khẩn trương hoàn thành các nhiệm vụ được phân công.",
        PROVINCE)
    assert audiences(draft) == ["all"]


def test_the_owners_of_public_investment_projects_are_the_project_boards():
    units = [*PROVINCE, UnitRef(20, "Ban Quản lý dự án đầu tư xây dựng tỉnh", "BQLDA tỉnh",
                                "service"),
             UnitRef(21, "Ban Quản lý dự án giao thông tỉnh", "BQLDA giao thông", "service")]
    for who in ("Các chủ đầu tư", "Các đơn vị chủ đầu tư"):
        draft = import_letter(HEADER + f"1. {who} đôn đốc nhà thầu đẩy nhanh tiến độ thi công."
                              + SIGNATURE, units)
        assert audiences(draft) == ["units:20,21"]
    # a portal with no project board guesses none: the order goes to the letter's recipients
    recipients = ",".join(str(unit.id) for unit in PROVINCE if unit.kind != "service")
    assert audiences(letter("1. Các chủ đầu tư đôn đốc nhà thầu đẩy nhanh tiến độ thi công.")) \
        == [f"units:{recipients}"]


def test_a_unit_that_is_the_standing_body_with_its_duties_after_is_ordered():
    assert audiences(letter("1. Sở Nội vụ là cơ quan thường trực, có trách nhiệm theo dõi, đôn "
                            "đốc các sở, ngành thực hiện kế hoạch.")) == ["unit:Sở Nội vụ"]


def test_what_a_unit_is_is_no_order():
    draft = import_letter(
        "Họp Ban tổ chức kỷ niệm 20 năm thành lập tỉnh\n"
        "Kết luận cuộc họp, Chủ tịch UBND tỉnh giao Sở Y tế xây dựng kế hoạch bảo đảm y tế.\n"
        "Sở KH&CN là cơ quan thường trực Ban tổ chức các hoạt động kỷ niệm.\n"
        "Trung tâm Phục vụ hành chính công tỉnh Đồng Tháp là đơn vị sự nghiệp công lập; chịu sự "
        "chỉ đạo của UBND tỉnh.", PROVINCE)
    assert audiences(draft) == ["unit:Sở Y tế"]


def test_a_group_told_by_when_in_the_next_paragraph_dates_the_order_before():
    draft = letter("Đề nghị UBND các xã, phường rà soát danh sách hộ kinh doanh chưa đăng ký thuế "
                   "trên địa bàn.\nCác đơn vị thực hiện trước ngày 15/9/2025.")
    assert tasks(draft) == [("kind:commune", date(2025, 9, 15),
                             "Rà soát danh sách hộ kinh doanh chưa đăn")]


def test_a_news_lead_under_a_headline_repeating_the_order_is_not_a_second_task():
    post = (
        "Rà soát việc số hóa hồ sơ thủ tục hành chính tại các xã, phường trên địa bàn tỉnh\n\n"
        "Phó Chủ tịch UBND tỉnh chỉ đạo UBND các xã, phường khẩn trương rà soát việc số hóa hồ "
        "sơ theo Công văn số 45-CV/VPTU; qua đó, đánh giá kết quả từ ngày 01/7/2025.\n\n"
        "Phó Chủ tịch UBND tỉnh có ý kiến chỉ đạo như sau:\n\n"
        "Giao UBND các xã, phường khẩn trương rà soát việc số hóa hồ sơ theo Công văn số "
        "45-CV/VPTU; qua đó, đánh giá kết quả từ ngày 01/7/2025, đề xuất biện pháp khắc phục.\n")
    draft = import_letter(post, PROVINCE)
    assert [(audience, text[:20]) for audience, _, text in tasks(draft)] == [
        ("kind:commune", "Khẩn trương rà soát ")]


def test_cac_dia_phuong_are_the_local_governments():
    draft = letter("Tại hội nghị, Chủ tịch UBND tỉnh đề nghị các địa phương đẩy nhanh tiến độ giải "
                   "ngân vốn đầu tư công, sớm tháo gỡ vướng mắc trong bồi thường, giải phóng mặt "
                   "bằng.")
    assert audiences(draft) == ["kind:commune"]


def test_the_issuers_order_in_a_clause_after_what_was_done():
    draft = letter("Nay, UBND tỉnh tiếp tục gửi văn bản đến Sở Y tế về việc đôn đốc số liệu tiêm "
                   "chủng; UBND tỉnh đề nghị Sở Y tế khẩn trương tổng hợp, báo cáo số liệu tiêm "
                   "chủng trước ngày 20/9/2025.")
    assert tasks(draft) == [("unit:Sở Y tế", date(2025, 9, 20),
                             "Đề nghị Sở Y tế khẩn trương tổng hợp, bá")]


def test_a_headline_or_caption_telling_of_the_meeting_is_no_task():
    draft = letter("UBND xã Tân Phú tổ chức phiên họp thường kỳ tháng 5 năm 2025.\n"
                   "Hội nghị rà soát tiến độ giải ngân vốn đầu tư công.\n"
                   "Đề nghị UBND xã An Bình lập hồ sơ quyết toán công trình, gửi Sở Tài chính "
                   "trước ngày 30/6/2025.")
    assert [(audience, deadline) for audience, deadline, _ in tasks(draft)] == [
        ("unit:UBND xã An Bình", date(2025, 6, 30))]


def test_a_conclusions_orders_to_one_unit_after_another_clause_by_clause():
    draft = letter("Kết luận phiên họp, Chủ tịch UBND tỉnh đề nghị các sở tăng cường kỷ luật, kỷ "
                   "cương hành chính. Tiếp tục hướng dẫn người dân sử dụng dịch vụ công trực "
                   "tuyến; Giao Sở Y tế tham mưu kế hoạch tiêm chủng mùa thu; Sở Tài chính bố "
                   "trí kinh phí mua sắm trang thiết bị y tế; Sở Nội vụ đã tổ chức tập huấn "
                   "cho công chức.")
    assert audiences(draft)[-2:] == ["unit:Sở Y tế", "unit:Sở Tài chính"]


# ---- names as letters write them, and words that only look like an order


def test_a_unit_named_by_its_acronym():
    units = [*PROVINCE, UnitRef(20, "Sở Tài nguyên và Môi trường", "Sở Tài nguyên và Môi trường",
                                "office"),
             UnitRef(21, "Sở Lao động - Thương binh và Xã hội", "Sở Lao động", "office"),
             UnitRef(22, "Bộ Chỉ huy Quân sự tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "office")]
    draft = letter("1. Sở TN&MT rà soát hồ sơ đất đai, báo cáo trước ngày 10/9/2025.\n"
                   "2. Sở LĐ-TB&XH tổng hợp danh sách hộ nghèo.\n"
                   "3. Sở KHCN tham mưu kế hoạch chuyển đổi số.\n"
                   "4. Đề nghị Bộ CHQS tỉnh xây dựng kế hoạch diễn tập.\n"
                   "5. Giao TTPVHCC tiếp nhận hồ sơ trực tuyến.", units)
    assert sorted(audiences(draft)) == [
        "unit:Bộ Chỉ huy Quân sự tỉnh", "unit:Sở Khoa học và Công nghệ",
        "unit:Sở Lao động - Thương binh và Xã hội", "unit:Sở Tài nguyên và Môi trường",
        "unit:Trung tâm Phục vụ hành chính công tỉnh"]


def test_a_name_shortened_part_by_part():
    """Letters shorten a name's parts (between "và", commas and dashes) one by one: "Sở NN và
    PTNT", "Sở Nông nghiệp và PTNT", "Sở LĐ-TB và XH", "Sở VH, TT và DL"; and "Đài PT-TH",
    "Hội LHPN", "UBND TX …"."""
    units = [*PROVINCE,
             UnitRef(20, "Sở Nông nghiệp và Phát triển nông thôn", "", "office"),
             UnitRef(21, "Sở Lao động - Thương binh và Xã hội", "", "office"),
             UnitRef(22, "Sở Văn hóa, Thể thao và Du lịch", "", "office"),
             UnitRef(23, "Phòng Giáo dục và Đào tạo huyện Diễn Châu", "", "office"),
             UnitRef(24, "Đài Phát thanh và Truyền hình tỉnh", "", "service"),
             UnitRef(25, "Hội Liên hiệp Phụ nữ tỉnh", "", "office"),
             UnitRef(26, "UBND thị xã Cửa Lò", "Cửa Lò", "commune")]
    draft = letter("1. Sở NN và PTNT hướng dẫn phòng chống dịch bệnh gia súc.\n"
                   "2. Sở Nông nghiệp và PTNT kiểm tra các hồ đập.\n"
                   "3. Sở LĐ-TB và XH tổng hợp danh sách hộ nghèo.\n"
                   "4. Sở VH, TT và DL tổ chức các hoạt động văn hóa.\n"
                   "5. Đề nghị Phòng GD và ĐT rà soát cơ sở vật chất trường học.\n"
                   "6. Đài PT-TH tỉnh tăng cường tuyên truyền.\n"
                   "7. Hội LHPN tỉnh vận động hội viên tham gia.\n"
                   "8. UBND TX Cửa Lò bảo đảm vệ sinh môi trường bãi biển.", units)
    assert audiences(draft) == [
        "unit:Sở Nông nghiệp và Phát triển nông thôn",
        "unit:Sở Nông nghiệp và Phát triển nông thôn",
        "unit:Sở Lao động - Thương binh và Xã hội", "unit:Sở Văn hóa, Thể thao và Du lịch",
        "unit:Phòng Giáo dục và Đào tạo huyện Diễn Châu",
        "unit:Đài Phát thanh và Truyền hình tỉnh", "unit:Hội Liên hiệp Phụ nữ tỉnh",
        "unit:UBND thị xã Cửa Lò"]


DISTRICT_OFFICES = [UnitRef(i, name, "", kind) for i, (name, kind) in enumerate([
    ("Sở Giáo dục và Đào tạo", "office"),
    ("Phòng Giáo dục và Đào tạo huyện Diễn Châu", "office"),
    ("Phòng Giáo dục và Đào tạo thành phố Vinh", "office"),
    ("Phòng Giáo dục và Đào tạo thị xã Cửa Lò", "office"),
    ("Trung tâm Y tế huyện Diễn Châu", "service"),
    ("Trung tâm Y tế thành phố Vinh", "service"),
    ("Trung tâm Y tế thị xã Cửa Lò", "service"),
    ("Trường THPT Huỳnh Thúc Kháng", "service"),
    ("Trường THPT Phan Bội Châu", "service"),
    ("Trường THCS Lê Lợi", "service"),
    ("UBND huyện Diễn Châu", "commune"),
    ("UBND thành phố Vinh", "commune"),
    ("UBND thị xã Cửa Lò", "commune"),
], start=1)]


@pytest.mark.parametrize(("words", "expected"), [
    ("các Phòng GD&ĐT", {2, 3, 4}),
    ("Phòng GD&ĐT các huyện, thành phố, thị xã", {2, 3, 4}),
    ("Phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố", {2, 3, 4}),
    ("các phòng Giáo dục và Đào tạo", {2, 3, 4}),
    ("Giám đốc Trung tâm Y tế các huyện", {5, 6, 7}),
    ("các Trung tâm Y tế huyện, thành phố, thị xã", {5, 6, 7}),
    ("Trung tâm Y tế huyện Diễn Châu, thành phố Vinh", {5, 6}),
    ("Phòng GD&ĐT Diễn Châu, Vinh", {2, 3}),
    ("Phòng GD&ĐT huyện Diễn Châu, UBND thành phố Vinh", {2, 12}),
    ("Trung tâm Y tế thị xã Cửa Lò", {7}),
    ("các trường trung học phổ thông", {8, 9}),
    ("các trường THCS", {10}),
    ("các trường học trên địa bàn", {8, 9, 10}),
])
def test_an_office_each_district_has_named_for_all_or_some(words, expected):
    """A department's letter to the offices each district has: by their name without the
    place, after "các" or before the levels' words, each of them; by their places, those."""
    draft = letter(f"Đề nghị {words} triển khai thực hiện kế hoạch năm học mới.",
                   DISTRICT_OFFICES)
    rule = audiences(draft)[0]
    reached = {int(i) for i in rule.split(":")[1].split(",")} if rule.startswith("units:") \
        else {next(u.id for u in DISTRICT_OFFICES if f"unit:{u.name}" == rule)}
    assert reached == expected


def test_a_level_with_a_place_the_portal_does_not_hold_is_no_unit_of_it():
    units = [*PROVINCE, UnitRef(20, "UBND thị xã Cửa Lò", "Cửa Lò", "commune")]
    for words in ("UBND TX Hoàng Mai", "UBND thị xã Hoàng Mai"):
        draft = letter(f"Yêu cầu {words} báo cáo kết quả thực hiện.", units)
        assert audiences(draft) == [None]
    assert audiences(letter("Yêu cầu UBND thị xã báo cáo kết quả thực hiện.", units)) == [
        "unit:UBND thị xã Cửa Lò"]


def test_the_office_of_council_and_committee_by_the_committee_alone():
    units = [UnitRef(1, "Văn phòng HĐND và UBND xã", "", "office"),
             UnitRef(2, "Phòng Kinh tế", "", "office"),
             UnitRef(3, "Trường THCS Tân Phú", "", "service"),
             UnitRef(4, "Trường Tiểu học Tân Phú", "", "service")]
    draft = import_letter("1. Văn phòng UBND xã tổng hợp báo cáo kết quả thực hiện.\n"
                          "2. Hiệu trưởng các trường rà soát cơ sở vật chất.", units)
    assert audiences(draft) == ["unit:Văn phòng HĐND và UBND xã", "units:3,4"]
    assert all(not section.unmatched for section in draft.sections)


def test_parts_shortened_that_two_units_share_name_neither():
    units = [*PROVINCE, UnitRef(20, "Sở Kế hoạch và Đầu tư", "", "office"),
             UnitRef(21, "Sở Khoa học và Đào tạo", "", "office")]
    draft = letter("Đề nghị Sở KH và ĐT rà soát danh mục dự án.", units)
    assert audiences(draft) == [None]
    assert draft.sections[0].unmatched


def test_an_acronym_two_units_share_names_neither():
    units = [*PROVINCE, UnitRef(20, "Sở Văn hóa và Thông tin", "", "office"),
             UnitRef(21, "Sở Văn hóa - Thể thao", "", "office")]
    draft = letter("Đề nghị Sở VH-TT rà soát các di tích.", units)
    assert [section.unmatched for section in draft.sections] == [["Sở VH-TT"]]
    assert audiences(draft) == [None]


def test_a_unit_known_without_its_place():
    units = [*PROVINCE, UnitRef(20, "Công an tỉnh Đồng Tháp", "", "office")]
    draft = letter("Đề nghị Công an tỉnh bảo đảm an ninh trật tự trong dịp lễ.", units)
    assert audiences(draft) == ["unit:Công an tỉnh Đồng Tháp"]


def test_communes_named_by_their_place_after_their_level():
    draft = letter("Giao UBND các xã Tân Phú, An Bình khẩn trương hoàn thành giải phóng mặt bằng "
                   "trước ngày 30/9/2025.")
    assert tasks(draft) == [(f"units:{ID['UBND xã Tân Phú']},{ID['UBND xã An Bình']}",
                             date(2025, 9, 30), "Khẩn trương hoàn thành giải phóng mặt bằ")]
    draft = letter("Đề nghị phường Mỹ Phước và xã An Bình báo cáo kết quả.")
    assert audiences(draft) == [f"units:{ID['UBND xã An Bình']},{ID['UBND phường Mỹ Phước']}"]
    # a group with no place after it stays the group
    assert audiences(letter("Đề nghị UBND các xã, phường báo cáo kết quả.")) == ["kind:commune"]


def test_giao_inside_a_name_is_not_the_order_word():
    units = [*PROVINCE, UnitRef(20, "Sở Dân tộc và Tôn giáo", "", "office"),
             UnitRef(21, "Sở Giao thông vận tải", "", "office"),
             UnitRef(22, "Sở Giáo dục và Đào tạo", "", "office")]
    draft = letter("1. Sở Dân tộc và Tôn giáo chủ trì rà soát chính sách dân tộc.\n"
                   "2. Sở Giao thông vận tải kiểm tra an toàn giao thông.\n"
                   "3. Sở Giáo dục và Đào tạo hướng dẫn tuyển sinh.", units)
    assert audiences(draft) == ["unit:Sở Dân tộc và Tôn giáo", "unit:Sở Giao thông vận tải",
                                "unit:Sở Giáo dục và Đào tạo"]


def test_the_date_in_the_subject_lines_cell_is_the_letters_date():
    text = HEADER.replace("V/v triển khai nhiệm vụ năm 2025\n\nĐồng Tháp, ngày 10 tháng 8 năm 2025",
                          "V/v triển khai nhiệm vụ | Đồng Tháp, ngày 10 tháng 12 năm 2025")
    draft = import_letter(text + "Đề nghị Sở Y tế báo cáo trước ngày 15/01." + SIGNATURE,
                          PROVINCE)
    assert draft.issued_on == date(2025, 12, 10)
    assert draft.subject == "V/v triển khai nhiệm vụ"
    # a date without a year, already past on the letter's date: the next year's
    assert [(audience, deadline) for audience, deadline, _ in tasks(draft)] == [
        ("unit:Sở Y tế", date(2026, 1, 15))]


# ---- reporting on an order, and deadlines per level in the same paragraph


def test_reporting_on_an_order_in_the_same_sentence_is_that_order():
    draft = letter("Trên cơ sở kết quả kiểm tra, đề nghị Sở Y tế khắc phục tồn tại, hạn chế; báo "
                   "cáo kết quả về Sở Nội vụ trước ngày 30/9/2025.")
    assert tasks(draft) == [("unit:Sở Y tế", date(2025, 9, 30),
                             "Khắc phục tồn tại, hạn chế; báo cáo kết ")]
    draft = letter("1. Trung tâm Phục vụ hành chính công tỉnh tiếp nhận hồ sơ trực tuyến; báo cáo "
                   "định kỳ hằng tháng.")
    assert audiences(draft) == ["unit:Trung tâm Phục vụ hành chính công tỉnh"]
    # a report in a sentence of its own stays a task of its own
    draft = letter("Đề nghị Sở Y tế khắc phục tồn tại, hạn chế. Báo cáo kết quả trước ngày "
                   "30/9/2025.")
    assert len(tasks(draft)) == 2


def test_deadlines_per_level_after_the_report_in_the_same_paragraph():
    draft = letter("Các sở, ban, ngành và UBND các xã, phường báo cáo kết quả thực hiện về Sở Nội "
                   "vụ. Thời hạn: các sở, ban, ngành gửi trước ngày 10/9/2025; UBND các xã, "
                   "phường gửi trước ngày 15/9/2025.")
    assert [(audience, deadline) for audience, deadline, _ in tasks(draft)] == [
        ("kind:office", date(2025, 9, 10)), ("kind:commune", date(2025, 9, 15))]


# ---- a unit's item, whatever its words; a short lead; a quarter; a page's headline


def test_a_units_item_is_its_order_whatever_its_words():
    draft = letter("1. Sở Y tế báo cáo chậm nhất ngày 15/9.\n"
                   "2. Sở Tài chính hoàn thành trước 17 giờ ngày 10/9/2025.\n"
                   "3. UBND các xã, phường nâng tỷ lệ hồ sơ trực tuyến đạt 80%; báo cáo trước "
                   "ngày 15/10/2025.\n"
                   "4. Trung tâm Phục vụ hành chính công tỉnh hoàn thành trong quý III/2025.")
    assert [(audience, deadline) for audience, deadline, _ in tasks(draft)] == [
        ("unit:Sở Y tế", date(2025, 9, 15)), ("unit:Sở Tài chính", date(2025, 9, 10)),
        ("kind:commune", date(2025, 10, 15)),
        ("unit:Trung tâm Phục vụ hành chính công tỉnh", date(2025, 9, 30))]
    assert tasks(draft)[2][2].startswith("Nâng tỷ lệ hồ sơ")


def test_a_short_lead_before_the_intro_that_names_the_addressees():
    text = HEADER.replace("Kính gửi:\n- Các sở, ban, ngành tỉnh;\n- UBND các xã, phường.\n", "")
    draft = import_letter(
        text + "1. Đánh giá cao sự nỗ lực của các cơ quan, đơn vị.\n"
        "2. Thời gian tới, yêu cầu Sở Y tế và UBND các xã, phường tập trung thực hiện tốt các "
        "nội dung sau:\na) Nâng cao chất lượng giải quyết thủ tục hành chính.\n"
        "b) Giao Văn phòng UBND tỉnh theo dõi, đôn đốc việc thực hiện." + SIGNATURE, PROVINCE)
    communes = ",".join(str(ID[name]) for name in ("Sở Y tế", "UBND xã Tân Phú",
                                                   "UBND xã An Bình", "UBND phường Mỹ Phước"))
    assert audiences(draft) == [f"units:{communes}", "unit:Văn phòng UBND tỉnh"]


def test_a_pages_headline_below_its_breadcrumb_is_no_task():
    page = ("Trang chủ > Tin tức > Chỉ đạo điều hành\n"
            "UBND tỉnh chỉ đạo đẩy mạnh cải cách hành chính trên địa bàn\n"
            "Cập nhật: 12/08/2025 10:15\n"
            "Ngày 10/8/2025, UBND tỉnh ban hành Công văn số 120/UBND-KGVX về cải cách hành "
            "chính. Theo đó, UBND tỉnh đề nghị Sở Nội vụ hướng dẫn các cơ quan tự đánh giá, báo "
            "cáo trước ngày 30/9/2025.\n")
    assert [(audience, deadline) for audience, deadline, _ in tasks(
        import_letter(page, PROVINCE))] == [("unit:Sở Nội vụ", date(2025, 9, 30))]


def test_a_page_s_sentence_that_names_no_one_and_orders_nothing_is_set_aside_for_the_editor():
    page = ("Phường Ba Đình tổ chức ra quân tổng vệ sinh môi trường trên toàn địa bàn phường.\n"
            "Thời gian: 7 giờ ngày 02/8/2025, tại Nhà văn hóa khu phố 3.\n"
            "Đề nghị các tổ dân phố vận động nhân dân tham gia.\n")
    draft = import_letter(page, PROVINCE)
    assert [task.text[:30] for task in draft.tasks] == ["Đề nghị các tổ dân phố vận độn"]
    (aside,) = [w for w in draft.warnings if w.startswith("Đoạn «Phường Ba Đình tổ chức")]
    assert "không có lời giao việc" in aside and "thêm bằng tay" in aside
    # whole, with the line that dates it, for the editor to add as a task
    assert draft.set_aside == [
        "Phường Ba Đình tổ chức ra quân tổng vệ sinh môi trường trên toàn địa bàn phường. "
        "Thời gian: 7 giờ ngày 02/8/2025, tại Nhà văn hóa khu phố 3."]
    assert draft.unread == []  # it gives no order
    # a letter with recipients keeps such a sentence: it speaks to them
    assert [task.text[:30] for task in letter(page).tasks][0] == "Phường Ba Đình tổ chức ra quân"


def test_one_head_for_a_list_of_names():
    ids = ",".join(str(ID[name]) for name in ("Sở Tài chính", "Sở Y tế"))
    assert tasks(letter("Đề nghị Giám đốc các Sở: Y tế, Tài chính rà soát, báo cáo trước ngày "
                        "30/9/2025.")) == [(f"units:{ids}", date(2025, 9, 30),
                                           "Rà soát, báo cáo trước ngày 30/9/2025.")]
    draft = letter("1. Các sở Y tế, Tài chính và Nội vụ rà soát hồ sơ.\n"
                   "2. UBND các xã, phường báo cáo.")
    assert audiences(draft) == [f"units:{ID['Sở Nội vụ']},{ids}", "kind:commune"]
    # a group stays a group: "các sở, ban, ngành" is every department
    assert audiences(letter("Đề nghị các sở, ban, ngành rà soát hồ sơ.")) == ["kind:office"]


@pytest.mark.parametrize("words", ["UBND các thị xã, thành phố", "các ngành, địa phương"])
def test_more_groups_as_letters_write_them(words):
    assert audiences(letter(f"Đề nghị {words} rà soát hồ sơ trễ hạn.")) != [None]


# ---- pages that lost their line breaks, comment forms, one order in one sentence of prose


def test_items_run_on_in_one_line_are_items():
    units = [*PROVINCE, UnitRef(20, "Báo Đồng Tháp", "", "service"),
             UnitRef(21, "Đài Phát thanh – Truyền hình Đồng Tháp", "", "service")]
    page = ("Đại hội cấp tỉnh tổ chức trong 02 ngày, hoàn thành trong tháng 11 năm 2025. IV. TỔ "
            "CHỨC THỰC HIỆN 1. Báo Đồng Tháp, Đài Phát thanh – Truyền hình Đồng Tháp Phối hợp "
            "Sở Nội vụ xây dựng chuyên mục tuyên truyền về Đại hội; đưa tin về các gương điển "
            "hình; tuyên truyền kết quả Đại hội. 2. Đề nghị UBND các xã, phường chỉ đạo tuyên "
            "truyền về Đại hội trên hệ thống truyền thanh cơ sở.")
    draft = import_letter(page, units)
    assert audiences(draft) == ["units:20,21", "kind:commune"]


def test_a_pages_comment_form_is_no_part_of_the_letter():
    page = ("Chủ tịch UBND tỉnh yêu cầu Sở Y tế tăng cường phòng, chống dịch.\n\nTrả lời\n"
            "  • Tiêu đề *\n  • Người gửi *\n  • Email*\n"
            "Email của bạn sẽ không được hiển thị công khai.")
    draft = import_letter(page, PROVINCE)
    assert [(a, t[:30]) for a, _, t in tasks(draft)] == [
        ("unit:Sở Y tế", "Tăng cường phòng, chống dịch.")]
    assert not any("Người gửi" in warning for warning in draft.warnings)


def test_one_order_in_one_sentence_of_prose_is_one_task():
    page = ("Chủ tịch UBND tỉnh vừa có công văn yêu cầu các sở, ban, ngành nâng cao mức cảnh báo "
            "phòng, chống dịch; tuyệt đối không lơ là, chủ quan; tiếp tục thực hiện mục tiêu kép; "
            "triển khai thực hiện nghiêm các chỉ đạo của Trung ương; Sở Y tế bảo đảm đủ thuốc, "
            "vật tư.")
    assert audiences(import_letter(page, PROVINCE)) == ["kind:office", "unit:Sở Y tế"]
    # items of a list keep a task for each order, as a checklist needs them
    assert len(letter("1. Sở Y tế:\n- Rà soát hồ sơ trễ hạn; công khai kết quả giải quyết; "
                      "cập nhật phần mềm một cửa.").tasks) == 3


# ---- "chỉ đạo" from a leader or a letter, lists of addressees across ";", repeats


def test_chi_dao_from_a_leader_or_a_letter_gives_the_order():
    page = ("Chủ tịch UBND tỉnh vừa có công văn chỉ đạo các sở, ban, ngành tỉnh; UBND các xã, "
            "phường đẩy nhanh tiến độ giải ngân vốn đầu tư công.")
    ids = ",".join(str(u.id) for u in PROVINCE if u.kind in ("office", "commune"))
    assert audiences(import_letter(page, PROVINCE)) == [f"units:{ids}"]
    page = ("Sau khi nghe các sở báo cáo, Phó Chủ tịch UBND tỉnh chỉ đạo: Văn phòng UBND tỉnh "
            "phối hợp với Sở Nội vụ rà soát các nội dung trình kỳ họp.")
    assert audiences(import_letter(page, PROVINCE)) == ["unit:Văn phòng UBND tỉnh"]
    # a unit's own "chỉ đạo" stays its task: whom it directs is not the addressee
    assert audiences(letter("1. Sở Y tế chỉ đạo các bệnh viện trực cấp cứu 24/24 giờ.")) == [
        "unit:Sở Y tế"]


def test_a_list_of_addressees_across_a_semicolon_is_one_list():
    draft = letter("Đề nghị Sở Y tế; UBND các xã, phường tăng cường kiểm tra an toàn thực phẩm.")
    ids = ",".join(str(u.id) for u in PROVINCE if u.kind == "commune" or u.name == "Sở Y tế")
    assert audiences(draft) == [f"units:{ids}"]


def test_a_commune_named_after_a_group_leaves_the_group():
    units = [*PROVINCE, UnitRef(20, "UBND thành phố Cao Lãnh", "Cao Lãnh", "commune")]
    draft = letter("Đề nghị UBND các xã, thành phố Cao Lãnh rà soát hộ nghèo.", units)
    assert audiences(draft) == ["kind:commune"]


def test_the_same_order_repeated_is_one_task():
    page = ("UBND tỉnh yêu cầu UBND các xã, phường rà soát, cập nhật thủ tục hành chính trên Cổng "
            "dịch vụ công.\n\nNgày 10/8/2025, UBND tỉnh có văn bản số 120/UBND-KGVX.\n\n"
            "Theo đó, UBND tỉnh yêu cầu UBND các xã, phường khẩn trương rà soát, cập nhật đầy đủ "
            "thủ tục hành chính trên Cổng dịch vụ công, hoàn thành trước ngày 30/9/2025.")
    assert [(a, d) for a, d, _ in tasks(import_letter(page, PROVINCE))] == [
        ("kind:commune", date(2025, 9, 30))]


def test_units_named_by_the_first_words_of_their_names():
    units = [*PROVINCE, *[UnitRef(20 + n, f"Tổ kiểm tra, giám sát số {n}", "", "office")
                          for n in (1, 2, 3)],
             UnitRef(30, "Sở Lao động - Thương binh và Xã hội", "", "office")]
    # "các Tổ": every unit whose name opens with that word
    assert audiences(letter("Yêu cầu các Tổ xây dựng kế hoạch kiểm tra cụ thể.", units)) == [
        "units:21,22,23"]
    # the first three words of a long name, as letters shorten it
    assert audiences(letter("Giao Sở Lao động TBXH chủ trì tổ chức Tết Trung thu.", units)) == [
        "unit:Sở Lao động - Thương binh và Xã hội"]


def test_districts_and_communes_of_one_portal_are_told_apart_by_their_groups():
    units = [UnitRef(1, "Sở Nội vụ", "", "office"),
             UnitRef(2, "UBND huyện Bình Chánh", "", "commune"),
             UnitRef(3, "UBND Quận 1", "", "commune"),
             UnitRef(4, "UBND phường Bến Nghé", "", "commune"),
             UnitRef(5, "UBND xã Tân Kiên", "", "commune")]
    draft = letter("1. UBND các quận, huyện xây dựng phương án sắp xếp khu phố, ấp.\n"
                   "2. UBND các phường, xã rà soát số liệu khu phố, ấp.\n"
                   "3. UBND các quận, huyện và các xã, phường rà soát trụ sở dôi dư.", units)
    assert audiences(draft) == ["units:2,3", "units:4,5", "kind:commune"]
    # a portal with one level of local government: either group is every one of them
    assert audiences(letter("Đề nghị UBND các huyện rà soát trụ sở.", units[:3])) == [
        "kind:commune"]
    assert audiences(letter("Đề nghị UBND các xã, phường rà soát trụ sở.")) == ["kind:commune"]


def test_a_meeting_s_reports_and_a_speaker_s_name_are_no_orders():
    page = ("Tại cuộc họp, lãnh đạo Sở Y tế báo cáo kết quả phúc tra và danh sách đề nghị khen "
            "thưởng năm 2025. Sở Tài chính báo cáo kết quả thẩm định kinh phí.\n\n"
            "Phát biểu kết luận cuộc họp, ông Phan Công Luận, Phó Chủ tịch UBND tỉnh giao cho "
            "Sở Y tế tiếp tục rà soát danh sách đề nghị khen thưởng, báo cáo UBND tỉnh.")
    assert [(a, t[:30]) for a, _, t in tasks(import_letter(page, PROVINCE))] == [
        ("unit:Sở Y tế", "Tiếp tục rà soát danh sách đề ")]


def test_a_sentence_that_opens_with_a_unit_in_any_form_is_its_order():
    units = [*PROVINCE, UnitRef(20, "Tổ công tác liên ngành", "", "office"),
             UnitRef(21, "Báo Đồng Tháp", "", "service")]
    page = ("Ngày 26/8/2025, UBND tỉnh ban hành Quyết định thành lập Tổ công tác liên ngành.\n"
            "Tổ công tác có nhiệm vụ theo dõi, hướng dẫn, hỗ trợ giải quyết khó khăn, vướng mắc "
            "của các xã, phường.\nBáo Đồng Tháp tăng cường tuyên truyền về chính quyền hai cấp.")
    assert audiences(import_letter(page, units)) == ["unit:Tổ công tác liên ngành",
                                                     "unit:Báo Đồng Tháp"]


def test_what_a_unit_is_for_and_what_a_conference_discussed_are_no_orders():
    units = [*PROVINCE, UnitRef(20, "Trạm Y tế phường Mỹ Phước", "", "service")]
    page = ("Trạm Y tế phường Mỹ Phước có chức năng cung cấp dịch vụ khám bệnh, chữa bệnh ban "
            "đầu.\nHội nghị tập trung đánh giá kết quả thực hiện nhiệm vụ 9 tháng đầu năm 2025; "
            "thảo luận giải pháp khắc phục khó khăn.")
    assert tasks(import_letter(page, units)) == []
    # a unit's duties given by a decision are its orders
    assert audiences(letter("Sở Nội vụ có nhiệm vụ theo dõi, tổng hợp kết quả thực hiện.")) == [
        "unit:Sở Nội vụ"]


@pytest.mark.parametrize("words", ["gửi trước 16h30' ngày 20/9/2025",
                                   "Thời hạn hoàn thành: ngày 20/9/2025",
                                   "báo cáo chậm nhất trong ngày 20/9/2025"])
def test_more_ways_letters_give_a_date(words):
    assert tasks(letter(f"Đề nghị Sở Y tế tổng hợp số liệu tiêm chủng, {words}."))[0][1] == \
        date(2025, 9, 20)


# ---- what the readings above must not do


def test_items_that_differ_by_a_place_or_a_verb_stay_apart():
    draft = letter("1. Sở Y tế:\n"
                   "- Kiểm tra an toàn thực phẩm tại các cơ sở sản xuất trên địa bàn xã Tân Phú.\n"
                   "- Kiểm tra an toàn thực phẩm tại các cơ sở sản xuất trên địa bàn xã An Bình.\n"
                   "2. UBND các xã, phường rà soát danh sách hộ nghèo, hộ cận nghèo năm 2025.\n"
                   "3. UBND các xã, phường công khai danh sách hộ nghèo, hộ cận nghèo năm 2025.")
    assert len(draft.tasks) == 4
    page = "\n".join(f"- Kiểm tra cơ sở số {n} trên địa bàn phường Mỹ Phước." for n in range(5))
    assert len(import_letter("Đề nghị Sở Y tế:\n" + page, PROVINCE).tasks) == 5


def test_a_line_that_answers_is_no_comment_form():
    draft = letter("Đề nghị Sở Nội vụ khẩn trương xem xét, giải quyết và\ntrả lời kiến nghị của "
                   "công dân trước ngày 30/9/2025.")
    assert [(a, d) for a, d, _ in tasks(draft)] == [("unit:Sở Nội vụ", date(2025, 9, 30))]


def test_first_words_of_a_name_followed_by_more_name_are_another_unit():
    units = [*PROVINCE, UnitRef(20, "Ban Quản lý dự án đầu tư xây dựng", "", "service"),
             *[UnitRef(20 + n, f"Tổ kiểm tra, giám sát số {n}", "", "office") for n in (1, 2)]]
    assert audiences(letter("Giao Ban Quản lý chợ phối hợp sắp xếp các quầy hàng.", units)) \
        != ["unit:Ban Quản lý dự án đầu tư xây dựng"]
    assert audiences(letter("Đề nghị Văn phòng UBND các xã, phường cập nhật hồ sơ.", units)) \
        == ["kind:commune"]
    assert "units:21,22" not in audiences(
        letter("Đề nghị các tổ dân phố vận động nhân dân tham gia.", units))


def test_capitals_joined_by_a_hyphen_with_marks_are_words():
    draft = letter("II. UBND CÁC XÃ-THỊ TRẤN\n\n1. Rà soát hộ nghèo.\n\nIII. SỞ Y-TẾ\n\n"
                   "1. Kiểm tra an toàn thực phẩm.")
    assert audiences(draft) == ["kind:commune", "unit:Sở Y tế"]


def test_a_letters_orders_in_one_sentence_stay_apart():
    draft = letter("Đề nghị Sở Y tế kiểm tra an toàn thực phẩm tại các bếp ăn tập thể; tổ chức "
                   "tiêm chủng mở rộng cho trẻ em; xử lý nghiêm các cơ sở vi phạm.")
    assert len(draft.tasks) == 3
    draft = letter("Đề nghị Sở Y tế hoàn thành kiểm tra trước ngày 15/9/2025; tổ chức tổng kết "
                   "trước ngày 30/12/2025.")
    assert [d for _, d, _ in tasks(draft)] == [date(2025, 9, 15), date(2025, 12, 30)]


def test_two_units_named_are_those_two_even_when_they_are_every_office():
    units = [UnitRef(1, "Sở Nội vụ", "", "office"), UnitRef(2, "Sở Tài chính", "", "office"),
             UnitRef(3, "UBND xã Tân Phú", "", "commune")]
    assert audiences(letter("Giao Sở Nội vụ, Sở Tài chính rà soát biên chế.", units)) == [
        "units:1,2"]


def test_a_commune_by_its_place_only_after_its_own_level():
    assert audiences(letter("Đề nghị UBND phường An Bình rà soát hồ sơ.")) != [
        "unit:UBND xã An Bình"]
    assert audiences(letter("Đề nghị UBND các xã thuộc huyện An Bình rà soát hồ sơ.")) == [
        "kind:commune"]


def test_an_acronym_before_a_number_does_not_start_an_item():
    line = ("Đề nghị Sở Nội vụ hoàn thiện hồ sơ vị trí việc làm của các cơ quan, đơn vị theo "
            "hướng dẫn tại Đề án VTVL 2. Đồng thời Sở Y tế báo cáo số lượng người làm việc tại "
            "các cơ sở y tế công lập trên địa bàn tỉnh trước ngày 30/9/2025 để tổng hợp chung.")
    assert audiences(letter(line))[0] == "unit:Sở Nội vụ"
    assert len(letter(line).sections) == 1


def test_a_page_s_sentence_that_names_no_one_after_a_unit_s_order_is_another_order_to_it():
    page = ("Sở Y tế chủ trì kiểm tra an toàn thực phẩm tại các bếp ăn tập thể. Tổ chức các "
            "đoàn đi thăm, tặng quà trẻ em có hoàn cảnh khó khăn. Huy động các nguồn lực hỗ "
            "trợ.\n\nUBND xã Tân Phú rà soát hộ nghèo trước ngày 30/9/2025.\n")
    draft = import_letter(page, PROVINCE)
    assert [(who, when, words[:12]) for who, when, words in tasks(draft)] == [
        ("unit:Sở Y tế", None, "Sở Y tế chủ "), ("unit:Sở Y tế", None, "Tổ chức các "),
        ("unit:Sở Y tế", None, "Huy động các"),
        ("unit:UBND xã Tân Phú", date(2025, 9, 30), "UBND xã Tân ")]
    assert "Đối tượng theo «Sở Y tế» ở câu trước." in draft.tasks[1].notes
    # the steps of one order within its sentence stay one task
    page = "Sở Y tế chủ trì kiểm tra bếp ăn tập thể; tổ chức tiêm chủng; xử lý vi phạm.\n"
    assert audiences(import_letter(page, PROVINCE)) == ["unit:Sở Y tế"]
    # after an order whose addressee is no unit of the portal, no addressee is taken
    page = "Hội Nông dân chủ trì tập huấn kỹ thuật. Tổ chức các đoàn đi thăm hộ nghèo.\n"
    assert audiences(import_letter(page, PROVINCE))[1] is None
    # nor across paragraphs
    page = "Sở Y tế chủ trì kiểm tra bếp ăn tập thể.\n\nTổ chức các đoàn đi thăm hộ nghèo.\n"
    assert audiences(import_letter(page, PROVINCE))[1:] in ([], [None])
    # a letter with recipients gives such a sentence to them
    body = "Sở Y tế chủ trì kiểm tra bếp ăn tập thể. Tổ chức các đoàn đi thăm hộ nghèo."
    assert audiences(letter(body))[1] != "unit:Sở Y tế"


def test_every_level_and_every_branch_is_every_unit():
    page = ("Theo đó, các cấp, các ngành từ tỉnh đến cơ sở có trách nhiệm triển khai các hoạt "
            "động vui Tết Trung thu cho trẻ em.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["all"]


def test_news_that_a_letter_was_issued_is_no_task():
    page = ("UBND tỉnh vừa có Kế hoạch số 131/KH-UBND về tổ chức hoạt động vui Tết Trung thu "
            "cho thiếu nhi năm 2025.\n\nSở Y tế chủ trì kiểm tra an toàn thực phẩm.\n")
    assert [task.text[:12] for task in import_letter(page, PROVINCE).tasks] == ["Sở Y tế chủ "]
    # the same news with the letter's order in it keeps the order
    page = ("Tin tức\n\nUBND tỉnh vừa ban hành Công văn số 12/UBND-VX về việc tăng cường kiểm "
            "tra, yêu cầu Sở Y tế kiểm tra an toàn thực phẩm.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["unit:Sở Y tế"]
    # in one paragraph with the orders that follow it, the orders stay
    page = ("UBND tỉnh vừa có Kế hoạch số 131/KH-UBND về Tết Trung thu. Theo đó, Sở Y tế "
            "chủ trì kiểm tra an toàn thực phẩm.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["unit:Sở Y tế"]


DISTRICT = [UnitRef(i, name, short, kind) for i, (name, short, kind) in enumerate([
    ("Văn phòng HĐND và UBND huyện", "VP", "office"),
    ("Phòng Giáo dục và Đào tạo", "GDĐT", "office"),
    ("Phòng Văn hóa và Thông tin", "VHTT", "office"),
    ("Trung tâm Văn hóa - Thể thao huyện", "TTVH", "service"),
    ("Ban Quản lý dự án đầu tư xây dựng huyện", "BQLDA", "service"),
    ("UBND xã Tân Phú", "Tân Phú", "commune"),
    ("UBND thị trấn Mỹ Lộc", "Mỹ Lộc", "commune"),
], start=1)]
MEETING = "UBND huyện họp phiên thường kỳ tháng 9/2024\n\n"
ID_DISTRICT = {unit.name: unit.id for unit in DISTRICT}


def concluded(text: str) -> list[str | None]:
    return audiences(import_letter(MEETING + text + "\n", DISTRICT))


def test_orders_given_with_verbs_beyond_the_common_few():
    assert concluded("Phòng Văn hóa và Thông tin tham mưu tổ chức Ngày hội văn hóa. Trung "
                       "tâm Văn hóa - Thể thao huyện chuẩn bị sân bãi, âm thanh.") == [
        "unit:Phòng Văn hóa và Thông tin", "unit:Trung tâm Văn hóa - Thể thao huyện"]


def test_who_acts_by_their_duties_is_not_a_passive():
    assert concluded("Các phòng, ban chuyên môn theo chức năng, nhiệm vụ được giao tập trung "
                       "triển khai các nhiệm vụ trọng tâm quý IV.") == ["kind:office"]


def test_a_lead_of_when_or_of_what_before_who_acts():
    assert concluded("Thời gian tới, các xã, thị trấn cần tập trung chỉ đạo thu hoạch lúa "
                       "vụ mùa.") == ["kind:commune"]
    assert concluded("Đối với các công trình chậm tiến độ, Ban Quản lý dự án đầu tư xây dựng "
                       "huyện đôn đốc nhà thầu đẩy nhanh tiến độ.") == [
        "unit:Ban Quản lý dự án đầu tư xây dựng huyện"]


def test_a_branch_is_the_office_that_heads_it():
    assert concluded("Ngành Giáo dục cần chuẩn bị tốt các điều kiện cho năm học mới.") == [
        "unit:Phòng Giáo dục và Đào tạo"]
    assert audiences(import_letter("Ngành Y tế tăng cường kiểm tra an toàn thực phẩm.\n",
                                   PROVINCE)) == ["unit:Sở Y tế"]


def test_an_order_quoted_after_an_introduction():
    page = ("Kết luận của Chủ tịch UBND huyện được thể hiện tại Công văn số 168/UBND ngày "
            "20/3/2024. Cụ thể là: “Giao UBND xã Tân Phú rà soát hồ sơ đất đai của các hộ "
            "dân, báo cáo trước ngày 20/6/2024”.\n")
    assert [(who, when) for who, when, _ in tasks(import_letter(page, DISTRICT))] == [
        ("unit:UBND xã Tân Phú", date(2024, 6, 20))]


def test_who_chaired_the_meeting_is_its_frame():
    assert concluded("Chủ trì cuộc họp ông Nguyễn Văn A, Chủ tịch UBND huyện. Dự họp có lãnh "
                     "đạo các phòng, ban.\nGiao Phòng Giáo dục và Đào tạo rà soát đội ngũ giáo "
                     "viên.") == ["unit:Phòng Giáo dục và Đào tạo"]


def test_a_head_in_a_list_after_a_group():
    units = [*DISTRICT, UnitRef(20, "Trung tâm Y tế huyện", "TTYT", "service")]
    offices = [unit.id for unit in units if unit.kind == "office"]
    centres = [ID_DISTRICT["Trung tâm Văn hóa - Thể thao huyện"], 20]
    draft = import_letter(MEETING + "Đề nghị Thủ trưởng các phòng, ban, ngành, trung tâm thuộc "
                          "huyện tổ chức tổng vệ sinh tại cơ quan.\n", units)
    assert audiences(draft) == ["units:" + ",".join(map(str, sorted([*offices, *centres])))]
    # a head that one unit alone holds is no group ("các trung tâm thương mại" are not it)
    assert concluded("Đề nghị các trung tâm thương mại chấp hành nghiêm quy định về phòng cháy."
                     ) != ["unit:Trung tâm Văn hóa - Thể thao huyện"]


def test_each_sentence_after_a_unit_s_order_on_a_page_is_another_order_to_it():
    page = ("Thời gian tới, các phòng, ban chuyên môn chủ động hoàn thành kế hoạch kiểm tra. "
            "Kế hoạch, tổ chức hội nghị nghe các xã giải trình ý kiến cử tri. Đồng thời, khảo "
            "sát tình hình năm học mới tại các trường.\n")
    draft = import_letter(page, DISTRICT)
    assert [(who, words[:10]) for who, _, words in tasks(draft)] == [
        ("kind:office", "Thời gian "), ("kind:office", "Kế hoạch, "),
        ("kind:office", "Đồng thời,")]


def test_a_speaker_s_second_order_in_a_paragraph_names_its_own_addressees():
    page = ("Sau khi nghe các phòng báo cáo, ông Nguyễn Văn A chỉ đạo: Văn phòng HĐND và UBND "
            "huyện rà soát các nội dung trình kỳ họp. Đối với các ý kiến góp ý, ông chỉ đạo "
            "các xã, thị trấn cần chuẩn bị kỹ báo cáo giải trình.\n")
    assert audiences(import_letter(page, DISTRICT)) == [
        "unit:Văn phòng HĐND và UBND huyện", "kind:commune"]


def test_the_period_between_the_order_word_and_who_is_named_in_an_introduction():
    draft = import_letter(MEETING + "Kết luận cuộc họp, ông Nguyễn Văn A đề nghị tháng "
                          "12/2024 UBND các xã, thị trấn tập trung thực hiện tốt một số nội "
                          "dung sau:\n- Rà soát hộ nghèo.\n- Kiểm tra an toàn thực phẩm.\n",
                          DISTRICT)
    assert audiences(draft) == ["kind:commune", "kind:commune"]


def test_a_commune_s_committee_without_its_place_in_its_own_letters():
    units = [UnitRef(1, "Thường trực HĐND phường", "", "office"),
             UnitRef(2, "UBND phường Phúc Lợi", "", "commune")]
    page = "UBND phường phối hợp với các phòng chức năng giải quyết dứt điểm tồn tại.\n"
    assert audiences(import_letter(page, units)) == ["unit:UBND phường Phúc Lợi"]
    # where the portal holds two wards, "UBND phường" names neither
    units.append(UnitRef(3, "UBND phường Ngọc Thụy", "", "commune"))
    assert audiences(import_letter(page, units)) != ["unit:UBND phường Phúc Lợi"]


def test_the_matter_before_an_order_that_names_its_own_addressee():
    page = ("Phát biểu kết luận, ông Nguyễn Văn A giao Phòng Văn hóa và Thông tin rà soát danh "
            "sách khen thưởng. Riêng đối với thang điểm chợ văn minh, giao cho Phòng Giáo dục "
            "và Đào tạo báo cáo danh sách trường đạt chuẩn.\n")
    assert audiences(import_letter(page, DISTRICT)) == [
        "unit:Phòng Văn hóa và Thông tin", "unit:Phòng Giáo dục và Đào tạo"]


def test_a_group_told_by_when_with_no_order_before_it_is_an_order_of_its_own():
    assert tasks(letter("Các đơn vị gửi báo cáo trước 17 giờ ngày 10/12/2025.")) == [
        ("all", date(2025, 12, 10), "Các đơn vị gửi báo cáo trước 17 giờ ngày")]


def test_how_often_before_who_reports_is_a_lead_and_no_deadline():
    assert tasks(letter("Định kỳ hằng tháng (trước ngày 20), các đơn vị báo cáo tiến độ về Sở "
                        "Nội vụ.")) == [("all", None, "Định kỳ hằng tháng (trước ngày 20), các ")]


def test_a_name_s_first_words_as_initials_and_the_rest_in_full():
    assert concluded("Ban QLDA đầu tư xây dựng huyện đôn đốc nhà thầu đẩy nhanh tiến độ.") == [
        "unit:Ban Quản lý dự án đầu tư xây dựng huyện"]


def test_a_clause_after_a_unit_s_order_in_one_item_is_that_unit_s():
    draft = letter("Đề nghị các sở, ban, ngành thực hiện tốt một số nội dung sau:\n"
                   "- Rà soát thủ tục hành chính.\n"
                   "- UBND xã Tân Phú phối hợp giải quyết dứt điểm tồn tại dự án; đôn đốc nhà "
                   "thầu hoàn trả mặt đường.")
    assert audiences(draft) == ["kind:office", "unit:UBND xã Tân Phú", "unit:UBND xã Tân Phú"]


def test_the_news_that_a_letter_was_issued_with_its_order_after_the_noun():
    page = ("Chủ tịch UBND tỉnh vừa có văn bản yêu cầu Thủ trưởng các sở, ban, ngành nghiêm túc "
            "quán triệt và triển khai Chỉ thị số 27/CT-TTg của Thủ tướng Chính phủ về phát triển "
            "vùng.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["kind:office"]


def test_a_long_lead_with_commas_of_its_own_before_who_acts():
    page = ("Trên cơ sở hướng dẫn của các Bộ, ngành Trung ương và báo cáo của các cơ quan, đơn "
            "vị, Sở Tài chính chủ trì tham mưu UBND tỉnh ban hành Kế hoạch. Hoàn thành và trình "
            "UBND tỉnh trong quý I/2026.\n")
    assert [(who, when) for who, when, _ in tasks(import_letter(page, PROVINCE))] == [
        ("unit:Sở Tài chính", None), ("unit:Sở Tài chính", date(2026, 3, 31))]


def test_a_date_that_comes_back_every_year_is_no_one_deadline():
    draft = letter("Sở Nội vụ báo cáo UBND tỉnh trước ngày 05/6 và 05/12 hằng năm.")
    assert tasks(draft)[0][:2] == ("unit:Sở Nội vụ", None)
    assert any("lặp lại định kỳ" in note for note in draft.tasks[0].notes)
    assert tasks(letter("Sở Nội vụ báo cáo trước ngày 15/12/2025; sau đó báo cáo hằng năm."))[
        0][1] == date(2025, 12, 15)


def test_by_when_before_who_acts_is_a_lead():
    page = ("Theo kế hoạch, việc rà soát tiến hành từ tháng 9. Trước ngày 25/10/2025, UBND các "
            "xã, phường phải báo cáo sơ bộ kết quả rà soát hộ nghèo. Việc điều tra được thực "
            "hiện theo phương pháp của Bộ.\n")
    assert [(who, when) for who, when, _ in tasks(import_letter(page, PROVINCE))] == [
        ("kind:commune", date(2025, 10, 25))]


def test_the_agencies_under_the_committee_are_its_offices_and_service_units():
    services = [u.id for u in DISTRICT if u.kind in ("office", "service")]
    assert concluded("Kết luận phiên họp, đồng chí Chủ tịch UBND huyện yêu cầu các cơ quan "
                     "thuộc UBND huyện tập trung triển khai các nhiệm vụ trọng tâm quý II.") == [
        "units:" + ",".join(map(str, sorted(services)))]


def test_a_holiday_order_on_the_day_and_the_year_of_a_post_s_iso_date():
    page = ("2025-12-10 Ngày 10-12, UBND thành phố có thông báo treo cờ Tổ quốc và nghỉ Tết "
            "Dương lịch năm 2026.\n\nCác cơ quan, đơn vị treo cờ Tổ quốc trong ngày 1-1.\n")
    draft = import_letter(page, PROVINCE)
    assert draft.year == 2025
    assert tasks(draft) == [("all", date(2026, 1, 1), "Các cơ quan, đơn vị treo cờ Tổ quốc tron")]


def test_a_date_in_a_sentence_near_the_top_is_no_posting_date():
    page = ("Kỳ họp dự kiến tổ chức trước ngày 10/4/2021.\n\nCác xã phải tổ chức tổng kết "
            "nhiệm kỳ trước ngày 30/3.\n")
    draft = import_letter(page, PROVINCE)
    assert draft.year == 2021 and tasks(draft)[0][1] == date(2021, 3, 30)


def test_sending_the_product_by_a_date_with_what_it_is_for_is_the_order_s_deadline():
    draft = letter("Sở Tài chính tổng hợp báo cáo, tham mưu UBND tỉnh lựa chọn các mô hình mới "
                   "có hiệu quả; trình UBND tỉnh trước ngày 15/11/2025 để tổng hợp, gửi Ban Tuyên "
                   "giáo Tỉnh ủy đúng thời gian quy định.")
    assert [(who, when) for who, when, _ in tasks(draft)] == [
        ("unit:Sở Tài chính", date(2025, 11, 15))]


# ---- what a second reading of these shapes found


def test_a_unit_that_writes_to_another_is_the_one_told_to_write():
    assert audiences(letter("1. UBND xã Tân Phú có văn bản đề nghị Sở Tài chính hỗ trợ kinh phí "
                            "khắc phục hậu quả bão, gửi trước ngày 30/9/2025.")) != [
        "unit:Sở Tài chính"]


def test_units_that_already_have_a_decision_are_told_what_to_do():
    assert tasks(letter("1. Đối với các xã đã có quyết định thu hồi đất, khẩn trương bàn giao "
                        "mặt bằng trước ngày 30/9/2025.\n2. Sở Tài chính bố trí kinh phí.")) == [
        ("kind:commune", date(2025, 9, 30), "Thu hồi đất, khẩn trương bàn giao mặt bằ"),
        ("unit:Sở Tài chính", None, "Bố trí kinh phí.")]
    assert tasks(letter("1. UBND xã Tân Phú đã ban hành kế hoạch nhưng triển khai còn chậm, "
                        "khẩn trương khắc phục trước ngày 30/9/2025."))[0][1] == date(2025, 9, 30)


def test_a_page_s_sentence_about_someone_the_portal_does_not_hold_is_not_the_unit_s():
    page = ("Sở Y tế chủ trì kiểm tra bếp ăn tập thể. Các trường học bảo đảm bếp ăn hợp vệ "
            "sinh.\n")
    assert audiences(import_letter(page, PROVINCE))[1:] != ["unit:Sở Y tế"]


def test_a_ward_and_the_communes_are_every_commune_where_the_portal_holds_one_ward():
    assert audiences(letter("1. UBND phường, xã nơi có dự án phối hợp với chủ đầu tư bàn giao "
                            "mặt bằng.")) == ["kind:commune"]


def test_a_one_off_deadline_before_a_recurring_report_stays():
    assert tasks(letter("1. Sở Nội vụ chủ trì rà soát hồ sơ cán bộ, hoàn thành trước ngày "
                        "30/9/2025, hằng tuần báo cáo tiến độ về UBND tỉnh."))[0][1] == \
        date(2025, 9, 30)


def test_names_of_bodies_the_portal_does_not_hold_are_not_cut_at_a_verb():
    draft = letter("1. Trung tâm Kiểm soát bệnh tật tỉnh giám sát dịch bệnh tại các xã.")
    assert [(each.heading, each.audience) for each in draft.sections] == [
        ("Trung tâm Kiểm soát bệnh tật tỉnh", None)]  # left for the editor, whole


def test_an_account_of_what_was_done_after_a_lead_is_no_task():
    page = ("Qua kiểm tra, Phòng Giáo dục và Đào tạo phát hiện 5 trường vi phạm. Trong năm "
            "2024, Phòng Văn hóa và Thông tin kiểm tra 30 cơ sở. Sau khi kiểm tra, Phòng Giáo "
            "dục và Đào tạo đã thu hồi giấy phép của 2 cơ sở.\n\nGiao Phòng Giáo dục và Đào tạo "
            "xử lý nghiêm các trường vi phạm.\n")
    assert audiences(import_letter(page, DISTRICT)) == ["unit:Phòng Giáo dục và Đào tạo"]


def test_a_paragraph_of_sentences_cut_before_its_last_stop_is_no_headline():
    page = ("Yêu cầu triển khai có hiệu quả các biện pháp phòng cháy, chữa cháy\n\n"
            "Theo đó, UBND tỉnh yêu cầu các sở, ban, ngành tăng cường kiểm tra các biện pháp "
            "phòng cháy chữa cháy ở cơ quan, đơn vị. UBND các xã, phường chỉ đạo và tổ chức "
            "thực hiện nghiêm công tác phòng cháy tại các chợ, trung tâm thương mại, siêu thị "
            "trên địa bàn; quy định cụ thể việc tổ chức lực lượng tuần tra, canh gác của\n")
    assert audiences(import_letter(page, PROVINCE)) == ["kind:office", "kind:commune"]


def test_a_speaker_s_order_word_with_a_comma_after_it():
    page = ("Phát biểu tại phiên họp sáng 4/11, Chủ tịch UBND tỉnh Nguyễn Văn A đề nghị, Sở "
            "Tài chính, UBND các xã, phường cần tập trung đẩy nhanh giải ngân vốn đầu tư công.\n")
    ids = ",".join(str(u.id) for u in PROVINCE if u.kind == "commune" or u.name == "Sở Tài chính")
    assert audiences(import_letter(page, PROVINCE)) == [f"units:{ids}"]


def test_a_leader_s_lưu_ý_to_units_is_an_order():
    page = ("Chủ tịch Ủy ban bầu cử huyện Nguyễn Văn A lưu ý UBND các xã, phường cần rà soát lại "
            "danh sách cử tri đã niêm yết.\n")
    assert tasks(import_letter(page, PROVINCE)) == [
        ("kind:commune", None, "UBND các xã, phường cần rà soát lại danh")]


# ---- steps with their own deadlines; a page's sentence that sends the result; parts by letters


def test_a_page_s_next_sentence_that_only_sends_the_result_by_a_date_is_that_order_s_deadline():
    page = ("Sở Tài chính tổng hợp kết quả rà soát tài sản dôi dư trên địa bàn tỉnh. Báo cáo "
            "UBND tỉnh trước ngày 15/6/2025.\n\n"
            "Văn phòng UBND tỉnh đề nghị Sở Nội vụ rà soát danh sách cán bộ. Khẩn trương trình "
            "nội dung trên trước ngày 20/6/2025.\n")
    assert tasks(import_letter(page, PROVINCE)) == [
        ("unit:Sở Tài chính", date(2025, 6, 15), "Sở Tài chính tổng hợp kết quả rà soát tà"),
        ("unit:Sở Nội vụ", date(2025, 6, 20), "Rà soát danh sách cán bộ. Khẩn trương tr")]
    # a report in a sentence of its own, in a letter to its recipients, stays a report task
    draft = letter("Sở Tài chính tổng hợp kết quả rà soát tài sản. Báo cáo UBND tỉnh trước ngày "
                   "15/6/2025.")
    assert [task.kind for section in draft.sections for task in section.tasks] == [
        "action", "report"]


def test_two_steps_each_with_its_own_deadline_are_two_tasks_of_the_same_units():
    draft = letter("1. Trước ngày 25/6/2025, UBND các xã, phường phải báo cáo sơ bộ kết quả rà "
                   "soát và trước ngày 16/7/2025 phải báo cáo chính thức về Sở Nội vụ.\n"
                   "2. Sở Y tế tổ chức hội nghị tập huấn trước ngày 20/9/2025, gửi tài liệu cho "
                   "các xã trước ngày 15/9/2025.")
    assert tasks(draft) == [
        ("kind:commune", date(2025, 6, 25), "Trước ngày 25/6/2025, UBND các xã, phườn"),
        ("kind:commune", date(2025, 7, 16), "Trước ngày 16/7/2025 phải báo cáo chính "),
        ("unit:Sở Y tế", date(2025, 9, 20), "Tổ chức hội nghị tập huấn trước ngày 20/"),
        ("unit:Sở Y tế", date(2025, 9, 15), "Gửi tài liệu cho các xã trước ngày 15/9/")]
    # a range, and dates that come back every year, are one step
    draft = letter("1. Sở Tài chính kiểm kê tài sản từ ngày 01/9/2025 đến hết ngày 30/9/2025.\n"
                   "2. Sở Nội vụ báo cáo UBND tỉnh trước ngày 30/6 và trước ngày 31/12 hằng năm.")
    assert tasks(draft) == [
        ("unit:Sở Tài chính", date(2025, 9, 30), "Kiểm kê tài sản từ ngày 01/9/2025 đến hế"),
        ("unit:Sở Nội vụ", None, "Báo cáo UBND tỉnh trước ngày 30/6 và trư")]


def test_an_addressee_list_with_bodies_the_portal_does_not_hold():
    draft = letter("Các sở, ban, ngành, tổ chức đoàn thể cấp tỉnh, UBND các xã, phường ban hành, "
                   "tổ chức thực hiện kế hoạch hưởng ứng Chiến dịch.\n\n"
                   "Sở Y tế chủ động, tổ chức hội nghị tập huấn cho các xã.")
    ids = ",".join(str(u.id) for u in PROVINCE if u.kind in ("office", "commune"))
    assert audiences(draft) == [f"units:{ids}", "unit:Sở Y tế"]


def test_a_plan_s_parts_by_capital_letters():
    plan = ("UBND XÃ TÂN PHÚ\nSố: 36/KH-UBND\nTân Phú, ngày 10 tháng 3 năm 2025\n\n"
            "KẾ HOẠCH\nPhòng, chống thiên tai năm 2025\n\n"
            "A . MỤC ĐÍCH, YÊU CẦU:\n"
            "1. Nhằm tuyên truyền, giáo dục, cung cấp kiến thức về phòng, chống thiên tai.\n"
            "2. Chủ động ứng phó kịp thời, hiệu quả.\n"
            "3. Các đơn vị tổ chức tuyên truyền đến người dân.\n"
            "B. NHIỆM VỤ\n"
            "1. Sở Y tế chuẩn bị thuốc, vật tư y tế trước ngày 30/4/2025.\n")
    assert tasks(import_letter(plan, PROVINCE)) == [
        ("unit:Sở Y tế", date(2025, 4, 30), "Chuẩn bị thuốc, vật tư y tế trước ngày 3")]


def test_a_copy_without_a_year_takes_it_from_a_full_date_in_the_same_paragraph():
    page = ("Rà soát hộ nghèo\n\n" + "Tin địa phương\n\n" * 4
            + "Ngành Lao động đang chuẩn bị rà soát.\n\nTheo kế hoạch, việc rà soát tiến "
            "hành từ ngày 1-9 đến hết ngày 31-12-2018. Trước ngày 25-10, UBND các xã, "
            "phường phải báo cáo sơ bộ kết quả rà soát trên địa bàn.\n\n"
            "Sở Y tế báo cáo trước ngày 30-11.\n")
    draft = import_letter(page, PROVINCE)
    assert draft.year is None
    assert tasks(draft) == [
        ("kind:commune", date(2018, 10, 25), "Trước ngày 25-10, UBND các xã, phường ph"),
        ("unit:Sở Y tế", None, "Sở Y tế báo cáo trước ngày 30-11.")]
    (first, _), (_, second) = [(t.notes, t.notes) for s in draft.sections for t in s.tasks]
    assert any("lấy năm 2018 của «31-12-2018» trong cùng đoạn" in note for note in first)
    assert any("chưa đặt hạn" in note for note in second)


def test_a_leader_s_order_in_a_page_that_names_no_one_after_its_word():
    page = ("Xã Tân Phú đoàn kết xây dựng đời sống văn hóa\n\n"
            "Tại hội nghị, UBND xã Tân Phú đã khái quát những kết quả đạt được trong năm.\n\n"
            "Năm 2026, Phó Chủ tịch UBND tỉnh chỉ đạo cần sớm xây dựng chuyên đề về tổ chức "
            "các hoạt động Tết, quảng bá các sản phẩm của địa phương.\n\n"
            "Đồng chí cũng yêu cầu, trong những tháng cuối năm, UBND các xã, phường cần ưu tiên "
            "tháo gỡ vướng mắc cho người dân, doanh nghiệp.\n")
    draft = import_letter(page, PROVINCE)
    # the order that names no one goes to the commune the page is about (its headline)
    assert tasks(draft) == [
        ("unit:UBND xã Tân Phú", None, "Xây dựng chuyên đề về tổ chức các hoạt đ"),
        ("kind:commune", None, "UBND các xã, phường cần ưu tiên tháo gỡ ")]
    assert not any("chưa xác định đơn vị" in warning for warning in draft.warnings)
    # with a headline that names no unit and a lead that names the commune after its words,
    # it is kept for the editor
    draft = import_letter(page.replace("Xã Tân Phú đoàn kết", "Đoàn kết"), PROVINCE)
    assert audiences(draft) == [None, "kind:commune"]
    assert any("chưa xác định đơn vị" in warning for warning in draft.warnings)
    # with a headline and a lead that name no one, it is every unit's, to be checked
    draft = import_letter(page.replace("Xã Tân Phú đoàn kết", "Đoàn kết").replace(
        "UBND xã Tân Phú đã khái quát", "đã khái quát"), PROVINCE)
    assert audiences(draft) == ["all", "kind:commune"]
    assert TO_EVERY_UNIT in draft.tasks[0].notes
    assert "1 nhiệm vụ không nêu đơn vị nào, văn bản cũng không có «Kính gửi»: tạm giao mọi " \
        "đơn vị (1.1); kiểm tra lại trước khi ban hành." in draft.warnings
    assert not any("chưa xác định đơn vị" in warning for warning in draft.warnings)
    # "Ban Chỉ đạo", "lãnh đạo, chỉ đạo" are no leader's order; nor is what a leader did
    page = ("Hội nghị giao ban tháng 11\n\n"
            "Chiều 31/10/2025, Ban Thường vụ Đảng ủy xã Tân Phú tổ chức hội nghị giao ban Bí thư "
            "các chi bộ nhằm đánh giá kết quả lãnh đạo, chỉ đạo thực hiện nhiệm vụ tháng 10.\n\n"
            "Phòng Giáo dục và Đào tạo tham mưu UBND huyện thành lập Ban Chỉ đạo phối hợp tổ "
            "chức Ngày hội.\n")
    assert audiences(import_letter(page, DISTRICT)) == ["unit:Phòng Giáo dục và Đào tạo"]


def test_de_nghi_before_a_list_that_opens_with_a_group_is_no_lead():
    units = [UnitRef(1, "Sở Nội vụ", "", "office"), UnitRef(2, "Sở Y tế", "", "office"),
             UnitRef(3, "UBND huyện Phú Bình", "", "commune"),
             UnitRef(4, "UBND thành phố Sông Công", "", "commune")]
    page = ("Đẩy nhanh tiến độ các dự án trọng điểm\n\n"
            "Phát biểu chỉ đạo tại hội nghị, đồng chí Chủ tịch UBND tỉnh yêu cầu các ngành, địa "
            "phương khẩn trương đẩy nhanh tiến độ giải phóng mặt bằng. Đồng thời, đồng chí cũng "
            "đề nghị các cơ quan, đơn vị, UBND các huyện, thành phố tiếp tục rà soát lại công "
            "việc đã, đang và chưa triển khai.\n\n"
            "Đề nghị Ủy ban MTTQ và các đoàn thể tỉnh, Giám đốc Sở Y tế tổ chức tổng vệ sinh "
            "tại cơ quan.\n")
    assert audiences(import_letter(page, units)) == ["all", "all", "unit:Sở Y tế"]


def test_a_unit_named_by_its_first_words_that_hold_a_verb():
    units = DISTRICT + [UnitRef(8, "Tổ kiểm tra lưu động huyện", "", "service")]
    draft = import_letter(MEETING + "Giao trách nhiệm các Tổ kiểm tra lưu động tăng cường kiểm "
                          "tra 02 ngày/lượt.\n", units)
    assert audiences(draft) == ["unit:Tổ kiểm tra lưu động huyện"]


def test_a_level_s_word_without_a_place_is_each_unit_of_that_level():
    units = [UnitRef(1, "Sở Nội vụ", "", "office"),
             UnitRef(2, "UBND quận Hải Châu", "Hải Châu", "commune"),
             UnitRef(3, "UBND quận Sơn Trà", "Sơn Trà", "commune"),
             UnitRef(4, "UBND huyện Hòa Vang", "Hòa Vang", "commune")]
    decision = ("ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG\nSố: 15/2021/QĐ-UBND\n"
                "Đà Nẵng, ngày 10 tháng 6 năm 2021\n\nQUYẾT ĐỊNH\nBan hành Quy chế làm việc mẫu\n\n"
                "QUYẾT ĐỊNH:\n"
                "Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc mẫu.\n"
                "Điều 2. Chủ tịch Ủy ban nhân dân quận ban hành Quy chế làm việc của Ủy ban nhân "
                "dân quận.\n")
    assert audiences(import_letter(decision, units)) == ["units:2,3"]
    # in a district's letter, "UBND huyện" is the issuer, never its units
    assert audiences(import_letter(MEETING + "Phòng Giáo dục và Đào tạo tham mưu UBND huyện "
                                   "ban hành kế hoạch.\n", DISTRICT)) == [
        "unit:Phòng Giáo dục và Đào tạo"]


def test_a_directive_with_its_date_line_broken_and_a_long_lead_of_grounds():
    directive = ("ỦY BAN NHÂN DÂN\nTỈNH THANH HOÁ\n-------\n|\nSố: 15/CT-UBND\n|\n"
                 "Thanh Hoá, ngày\n10 tháng 10 năm 2019\n|\nCHỈ THỊ\n"
                 "VỀ LẬP KẾ HOẠCH ĐẦU TƯ CÔNG TRUNG HẠN GIAI ĐOẠN 2021 - 2025\n\n"
                 "Căn cứ kế hoạch phát triển kinh tế - xã hội của tỉnh, của ngành, địa phương, "
                 "đơn vị; các nghị quyết của HĐND tỉnh, UBND tỉnh, HĐND cấp huyện, xã về kế hoạch "
                 "đầu tư công trung hạn giai đoạn 2016 - 2020; tình hình thực hiện kế hoạch đầu "
                 "tư công giai đoạn 2016 - 2018, ước thực hiện năm 2019 và dự kiến kế hoạch năm "
                 "2020, yêu cầu các sở, UBND các xã, phường khẩn trương đánh giá tình hình thực "
                 "hiện kế hoạch, báo cáo trước ngày 30/10/2019.\n")
    draft = import_letter(directive, PROVINCE)
    assert draft.issued_on == date(2019, 10, 10)
    ids = ",".join(str(u.id) for u in PROVINCE
                   if u.name.startswith("Sở") or u.kind == "commune")
    assert tasks(draft) == [
        (f"units:{ids}", date(2019, 10, 30), "Khẩn trương đánh giá tình hình thực hiện")]
    # a review of what was done, even after an intro that orders, stays no part of the tasks
    directive = ("UBND TỈNH X\nSố: 16/CT-UBND\nX, ngày 10 tháng 10 năm 2025\n\nCHỈ THỊ\n"
                 "Về kế hoạch năm 2026\n\n"
                 "Chủ tịch UBND tỉnh yêu cầu Giám đốc các sở, Chủ tịch UBND các xã, phường thực "
                 "hiện các nội dung sau:\n\n"
                 "I. ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN NĂM 2025\n\n"
                 "Sở Tài chính tham mưu điều chuyển vốn kịp thời, tỷ lệ giải ngân đạt 95%.\n\n"
                 "II. NHIỆM VỤ NĂM 2026\n\n1. Sở Tài chính tham mưu phân bổ vốn trước ngày "
                 "15/12/2025.\n")
    assert tasks(import_letter(directive, PROVINCE)) == [
        ("unit:Sở Tài chính", date(2025, 12, 15), "Tham mưu phân bổ vốn trước ngày 15/12/20")]


def test_a_wrapped_line_that_opens_with_a_dash_and_a_year_goes_on_the_line_before():
    lines = ["Căn cứ kế hoạch phát triển kinh tế - xã hội của tỉnh, các nghị quyết về kế hoạch",
             "đầu tư công trung hạn giai đoạn 2016 - 2020 và tình hình thực hiện giai đoạn 2016",
             "- 2018, ước thực hiện năm 2019 và dự kiến kế hoạch năm 2020, đề nghị Sở Tài chính",
             "khẩn trương đánh giá tình hình thực hiện kế hoạch đầu tư công trung hạn, chia",
             "theo từng nguồn vốn, gửi về Sở Kế hoạch và Đầu tư trước ngày 30/10/2019 để tổng",
             "hợp, báo cáo UBND tỉnh theo quy định của Luật Đầu tư công và các văn bản hướng",
             "dẫn thi hành; đồng thời đề xuất danh mục dự án dự kiến bố trí vốn giai đoạn mới",
             "theo thứ tự ưu tiên, bảo đảm khả năng cân đối vốn của ngân sách nhà nước tỉnh."]
    draft = letter("\n".join(lines))
    assert [(audience, deadline) for audience, deadline, _ in tasks(draft)] == [
        ("unit:Sở Tài chính", date(2019, 10, 30))]


def test_an_item_under_a_unit_s_heading_is_its_task_whatever_its_verb():
    draft = letter("Chủ tịch UBND tỉnh yêu cầu các đơn vị thực hiện tốt một số nội dung sau:\n\n"
                   "1. Đối với UBND các xã, phường:\n\n"
                   "- Chỉnh trang lại khuôn viên nhà văn hóa, treo lại khung giấy khen, quét vôi "
                   "tường rào.\n\n"
                   "2. Đối với Sở Y tế:\n\n"
                   "- Phun thuốc khử khuẩn tại các chợ trước ngày 30/9/2025.\n")
    assert tasks(draft) == [
        ("kind:commune", None, "Chỉnh trang lại khuôn viên nhà văn hóa, "),
        ("unit:Sở Y tế", date(2025, 9, 30), "Phun thuốc khử khuẩn tại các chợ trước n")]


def test_a_page_s_order_in_steps_with_its_deadline_in_brackets_at_the_end():
    page = ("Kế hoạch tổ chức Tết\n\n"
            "Sở Y tế chủ trì phối hợp Sở Tài chính tham mưu UBND tỉnh ban hành quyết định tặng "
            "quà các đối tượng chính sách; thăm hỏi tặng quà các tổ chức, cá nhân tiêu biểu "
            "nhân dịp Tết (thực hiện trước ngày 30/12/2025).\n\n"
            "Sở Tài chính chủ trì rà soát kinh phí; xây dựng phương án hỗ trợ, gửi Sở Y tế "
            "trước ngày 12/12/2025.\n")
    assert tasks(import_letter(page, PROVINCE)) == [
        ("unit:Sở Y tế", date(2025, 12, 30), "Sở Y tế chủ trì phối hợp Sở Tài chính th"),
        ("unit:Sở Tài chính", None, "Sở Tài chính chủ trì rà soát kinh phí."),
        ("unit:Sở Tài chính", date(2025, 12, 12), "Xây dựng phương án hỗ trợ, gửi Sở Y tế t")]


def test_the_occasion_a_leader_speaks_at_is_no_verb_of_the_leader_s():
    page = ("Đẩy nhanh giải phóng mặt bằng\n\n"
            "Phát biểu chỉ đạo tại hội nghị đồng chí Chủ tịch UBND tỉnh yêu cầu các xã, phường "
            "khẩn trương, quyết liệt vào cuộc, thực hiện đồng bộ các giải pháp.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["kind:commune"]


def test_wards_by_their_numbers_after_one_named_in_full():
    units = [UnitRef(1, "Phòng Quản lý đô thị", "", "office"),
             UnitRef(2, "UBND phường 11", "Phường 11", "commune"),
             UnitRef(3, "UBND phường 12", "Phường 12", "commune"),
             UnitRef(4, "UBND phường Thắng Tam", "Thắng Tam", "commune")]
    page = ("Xử lý vi phạm trật tự xây dựng\n\n"
            "Chủ tịch UBND thành phố đề nghị Chủ tịch UBND phường 11, 12 thành lập các đoàn vận "
            "động người dân trước khi cưỡng chế.\n")
    assert audiences(import_letter(page, units)) == ["units:2,3"]


def test_what_a_report_at_the_meeting_showed_and_who_spoke_there_are_no_tasks():
    page = ("Đảng ủy xã Tân Phú tổng kết năm 2025\n\n"
            "Báo cáo tại hội nghị cho thấy, năm 2025, Đảng ủy xã đã tập trung lãnh đạo, chỉ đạo "
            "triển khai thực hiện các mục tiêu, nhiệm vụ.\n\n"
            "Trung tâm Phục vụ hành chính công tỉnh báo cáo tham luận tại hội nghị\n\n"
            "Bí thư Đảng ủy xã Nguyễn Văn A phát biểu chỉ đạo hội nghị\n\n"
            "Đồng chí yêu cầu UBND xã Tân Phú tập trung chuẩn bị chu đáo công tác bầu cử.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["unit:UBND xã Tân Phú"]


def test_headmasters_named_after_de_nghi():
    units = [UnitRef(1, "Trường Mầm non Bình Chánh", "MN Bình Chánh", "service"),
             UnitRef(2, "Trường Tiểu học Tân Kiên", "TH Tân Kiên", "service"),
             UnitRef(3, "Trường THCS Tân Túc", "THCS Tân Túc", "service")]
    text = ("Kính gửi:\n- Hiệu trưởng các trường MN - MG (CL - NCL),\n- Hiệu trưởng các trường "
            "Tiểu học,\n- Hiệu trưởng các trường THCS,\n- Thủ trưởng các đơn vị trực thuộc.\n"
            "Đề nghị Hiệu trưởng các trường, Thủ trưởng các đơn vị trực thuộc rà soát lại đơn vị "
            "mình đã thu quỹ phòng, chống thiên tai chưa. Đơn vị nào chưa thực hiện việc thu thì "
            "khẩn trương thu theo tin thần công văn số 498/UBND ngày 17/3/2016 (Đính kèm công "
            "văn).\n"
            "Các đơn vị thực hiện trước ngày 24/3/2016.\n")
    assert tasks(import_letter(text, units)) == [
        ("all", date(2016, 3, 24), "Rà soát lại đơn vị mình đã thu quỹ phòng")]


def test_news_of_a_letter_about_a_matter_and_the_orders_after_a_unit_s_name_that_opens():
    units = [UnitRef(1, "UBND huyện Cao Lộc", "", "commune"),
             UnitRef(2, "UBND huyện Chi Lăng", "", "commune"),
             UnitRef(3, "Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT", "office")]
    page = ("Triển khai Đề án mỗi xã một sản phẩm\n\n"
            "Sở Nông nghiệp và Phát triển nông thôn vừa có Công văn về việc triển khai Đề án "
            "Chương trình mỗi xã một sản phẩm tỉnh giai đoạn 2019-2020, định hướng đến năm 2030 "
            "(Công văn số 1465/SNN-PTNT, ngày 7/11/2019).\n\n"
            "Đề nghị UBND các huyện xây dựng kế hoạch triển khai thực hiện Chương trình; bố trí "
            "ít nhất 01 công chức chuyên trách theo dõi. Bên cạnh đó, đẩy mạnh tuyên truyền, chỉ "
            "đạo các xã đăng ký sản phẩm.\n\n"
            "Tuy nhiên, một số huyện còn chậm triển khai.\n")
    assert tasks(import_letter(page, units)) == [
        ("kind:commune", None, "Xây dựng kế hoạch triển khai thực hiện C"),
        ("kind:commune", None, "Bên cạnh đó, đẩy mạnh tuyên truyền, chỉ ")]


def test_an_order_s_word_before_its_addressees_gives_the_order_whatever_the_verb_after():
    page = ("Tiêm phòng lở mồm long móng năm 2020\n\n"
            "Theo kế hoạch, UBND huyện yêu cầu các phòng chuyên môn, UBND các xã, thị trấn tiêm "
            "vắc xin phòng bệnh cho đàn trâu, bò trên địa bàn huyện.\n\n"
            "Văn phòng HĐND và UBND huyện truyền đạt ý kiến chỉ đạo của Chủ tịch UBND huyện "
            "đến các đơn vị biết, thực hiện.\n")
    ids = ",".join(str(u.id) for u in DISTRICT if u.kind in ("office", "commune"))
    assert audiences(import_letter(page, DISTRICT)) == [f"units:{ids}"]


def test_levels_and_a_share_before_the_addressees_and_a_plan_that_is_the_issuer_s():
    units = [UnitRef(1, "Sở Văn hóa và Thể thao", "", "office"),
             UnitRef(2, "UBND quận Hoàn Kiếm", "Hoàn Kiếm", "commune"),
             UnitRef(3, "UBND huyện Thanh Oai", "Thanh Oai", "commune"),
             UnitRef(4, "UBND phường Hàng Trống", "Hàng Trống", "commune")]
    page = ("Tổ chức Tết Trung thu cho trẻ em năm 2022\n\n"
            "UBND TP yêu cầu 100% UBND các quận, huyện tổ chức các hoạt động vui Tết Trung thu "
            "cho trẻ em an toàn, thiết thực.\n\n"
            "UBND TP Hà Nội dự kiến tổ chức Đêm hội Trăng rằm vào 20h00, ngày 9/9/2022 tại "
            "huyện Thanh Oai.\n\n"
            "Cấp huyện, cấp xã tổ chức Tết Trung thu cho trẻ em từ ngày 1/9 đến ngày 10/9/2022.\n")
    assert tasks(import_letter(page, units)) == [
        ("units:2,3", None, "Tổ chức các hoạt động vui Tết Trung thu "),
        ("kind:commune", date(2022, 9, 10), "Cấp huyện, cấp xã tổ chức Tết Trung thu ")]


def test_two_leads_before_who_acts_and_the_one_centre_in_a_list_after_a_group():
    page = (MEETING + "Cũng tại cuộc họp, Ban tổ chức đã thông qua dự thảo phân công nhiệm vụ. "
            "Theo đó, trên cơ sở chức năng nhiệm vụ, các phòng, ban, Trung tâm cần tham mưu cho "
            "UBND huyện tổ chức lễ kỷ niệm.\n")
    ids = ",".join(str(u.id) for u in DISTRICT
                   if u.kind == "office" or u.name.startswith("Trung tâm"))
    assert audiences(import_letter(page, DISTRICT)) == [f"units:{ids}"]


# ---- near misses of the readings above: what each must leave alone


CITY_DISTRICTS = [UnitRef(1, "Sở Nội vụ", "", "office"), UnitRef(2, "Sở Xây dựng", "", "office"),
                  UnitRef(3, "UBND quận Hải Châu", "Hải Châu", "commune"),
                  UnitRef(4, "UBND quận Sơn Trà", "Sơn Trà", "commune"),
                  UnitRef(5, "UBND huyện Hòa Vang", "Hòa Vang", "commune")]


@pytest.mark.parametrize(("body", "expected"), [
    # preparing a report for a meeting, a speech for a leader: orders, not a meeting's frame
    ("Đề nghị Sở Nội vụ chuẩn bị báo cáo tham luận tại hội nghị, gửi về Văn phòng UBND tỉnh "
     "trước ngày 20/9/2025.", [("unit:Sở Nội vụ", date(2025, 9, 20))]),
    ("1. Văn phòng UBND tỉnh chuẩn bị nội dung để lãnh đạo UBND tỉnh phát biểu chỉ đạo hội "
     "nghị.", [("unit:Văn phòng UBND tỉnh", None)]),
    # "đồng chí" after "đề nghị"
    ("Đề nghị đồng chí Giám đốc Sở Y tế, Chủ tịch UBND xã Tân Phú khẩn trương kiểm tra, xử lý "
     "dứt điểm vụ việc.", [("units:4,7", None)]),
    # a fallback date, a date that bounds what is counted: one task
    ("1. Sở Y tế gửi báo cáo trước ngày 15/9/2025, trường hợp chưa hoàn thành thì gửi chậm nhất "
     "trước ngày 20/9/2025.", [("unit:Sở Y tế", date(2025, 9, 15))]),
    ("1. Sở Tài chính rà soát các khoản chi phát sinh trước ngày 01/7/2025, báo cáo UBND tỉnh "
     "trước ngày 30/9/2025.", [("unit:Sở Tài chính", date(2025, 7, 1))]),
    # "tổ chức đoàn thể thao", "tổ chức, cá nhân hóa": the verb
    ("1. UBND các xã, phường tổ chức đoàn thể thao tham gia Đại hội Thể dục thể thao tỉnh.",
     [("kind:commune", None)]),
    # captions, documents and facts under a unit's heading are no tasks
    ("1. Đối với Sở Y tế:\n- Kế hoạch số 12/KH-SYT ngày 05/8/2025 về tiêm chủng.\n- Các chợ đã "
     "được phun thuốc khử khuẩn trong năm 2024.\n- Tổ chức tiêm chủng trước ngày 30/9/2025.",
     [("unit:Sở Y tế", date(2025, 9, 30))]),
    ("1. Đối với UBND các xã, phường:\n- Kinh phí: từ nguồn ngân sách xã.\n- Chỉnh trang lại "
     "nhà văn hóa thôn trước ngày 30/10/2025.", [("kind:commune", date(2025, 10, 30))]),
])
def test_near_misses_in_a_letter(body, expected):
    assert [(audience, deadline) for audience, deadline, _ in tasks(letter(body))] == expected


def test_near_misses_in_a_page():
    # the order that has its own deadline keeps it; a report on its own matter is a task
    page = ("Phòng chống dịch\n\nSở Y tế kiểm tra các cơ sở giết mổ trước ngày 10/6/2025. Báo "
            "cáo kết quả về UBND tỉnh trước ngày 15/6/2025.\n\n"
            "Sở Tài chính tổng hợp kết quả rà soát tài sản dôi dư. Báo cáo UBND tỉnh về tình "
            "hình quản lý nhà công vụ trước ngày 15/6/2025.\n")
    assert [(audience, deadline) for audience, deadline, _ in tasks(
        import_letter(page, PROVINCE))] == [
        ("unit:Sở Y tế", date(2025, 6, 10)), ("unit:Sở Y tế", date(2025, 6, 15)),
        ("unit:Sở Tài chính", None), ("unit:Sở Tài chính", date(2025, 6, 15))]
    # what a leader once ordered is an account, no task
    page = ("Khắc phục hậu quả bão\n\nNgay sau khi bão đổ bộ, Chủ tịch UBND tỉnh đã chỉ đạo "
            "khẩn trương khắc phục hậu quả.\n\nNăm 2025, Chủ tịch UBND tỉnh chỉ đạo thực hiện "
            "quyết liệt các giải pháp, nhờ đó tăng trưởng đạt 8%.\n")
    assert tasks(import_letter(page, PROVINCE)) == []


def test_a_level_s_word_without_a_place_in_a_letter_about_one_unit_of_that_level():
    text = ("UBND THÀNH PHỐ ĐÀ NẴNG\nSố: 120/UBND-QLĐTh\nĐà Nẵng, ngày 10 tháng 6 năm 2021\n\n"
            "Kính gửi: UBND quận Hải Châu\n\n"
            "UBND thành phố nhận được Tờ trình của UBND quận Hải Châu. Sau khi xem xét, UBND "
            "thành phố đồng ý chủ trương và giao UBND quận hoàn thiện hồ sơ, trình Sở Xây dựng "
            "thẩm định.\n")
    assert audiences(import_letter(text, CITY_DISTRICTS)) == ["unit:UBND quận Hải Châu"]
    # "Chủ tịch UBND xã" with no place: each commune and ward
    assert audiences(letter("1. Chủ tịch UBND xã chỉ đạo rà soát, xử lý dứt điểm vi phạm đất "
                            "đai.")) == ["kind:commune"]


def test_schools_of_one_kind():
    units = [UnitRef(1, "Phòng Giáo dục và Đào tạo", "", "office"),
             UnitRef(2, "Trường THCS Tân Túc", "", "service"),
             UnitRef(3, "Trường Tiểu học Tân Kiên", "", "service"),
             UnitRef(4, "Trường THCS Tân Kiên", "", "service")]
    page = ("Quản lý dạy thêm\n\nĐề nghị Hiệu trưởng các trường THCS tăng cường quản lý dạy "
            "thêm, học thêm.\n")
    assert audiences(import_letter(page, units)) == ["units:2,4"]


def test_a_page_about_one_unit_gives_it_the_orders_that_name_no_one():
    # a leader's conclusions at a meeting with a commune: the commune's tasks
    page = ("Xã An Bình đẩy mạnh chuyển đổi số\n\n"
            "Tại buổi làm việc, lãnh đạo xã báo cáo kết quả 9 tháng năm 2025.\n\n"
            "Kết luận buổi làm việc, Phó Chủ tịch UBND tỉnh đề nghị sớm hoàn thành việc số hóa "
            "hồ sơ hộ tịch, nâng tỷ lệ hồ sơ trực tuyến toàn trình.\n")
    draft = import_letter(page, PROVINCE)
    assert audiences(draft) == ["unit:UBND xã An Bình"]
    assert any("ở đầu bài" in note for note in draft.tasks[0].notes)
    # the lead's first sentence may name the page's subject, a group among them
    page = ("Hội nghị giao ban tháng 9\n\n"
            "“Xã, phường phải tổ chức giao ban thường xuyên” - đó là chỉ đạo của Chủ tịch UBND "
            "tỉnh tại hội nghị. Chủ tịch UBND tỉnh yêu cầu không để tồn đọng hồ sơ.\n")
    assert set(audiences(import_letter(page, PROVINCE))) == {"kind:commune"}


def test_a_page_about_the_issuer_gives_every_unit_and_about_two_units_places_nothing():
    # a headline about the issuer: the order that names no one is every unit's, to be checked
    page = ("UBND tỉnh họp phiên thường kỳ tháng 9\n\n"
            "Kết luận phiên họp, Chủ tịch UBND tỉnh yêu cầu tập trung giải ngân vốn đầu tư "
            "công.\n")
    draft = import_letter(page, PROVINCE)
    assert audiences(draft) == ["all"] and draft.tasks[0].notes[-1] == TO_EVERY_UNIT
    # a headline and a lead that name two different communes: no guess
    page = ("Xã Tân Phú đẩy mạnh tiêm chủng mở rộng\n\n"
            "Xã An Bình tổ chức tiêm chủng mở rộng từ tháng 9/2025.\n\n"
            "Phó Chủ tịch UBND tỉnh yêu cầu tập trung hoàn thành tiêm chủng mở rộng.\n")
    assert audiences(import_letter(page, PROVINCE))[-1] is None
    # a department that visits or hosts, a person who speaks: not whom the page is about
    for page in ("Sở Y tế kiểm tra công tác tiêm chủng tại xã Tân Phú\n\n"
                 "Phó Chủ tịch UBND tỉnh yêu cầu tập trung hoàn thành tiêm chủng mở rộng.\n",
                 "Giám đốc Sở Y tế kiểm tra công tác tiêm chủng\n\n"
                 "Giám đốc Sở yêu cầu khẩn trương tiêm vắc xin cho trẻ em.\n"):
        assert audiences(import_letter(page, PROVINCE)) == [None]


def test_an_order_word_with_no_one_after_it_opens_an_order():
    # in a letter, the recipients'; in a page, kept for the editor
    draft = letter("Đề nghị khẩn trương rà soát thủ tục hành chính thuộc thẩm quyền, báo cáo kết "
                   "quả trước ngày 30/9/2025.\n")
    recipients = "units:" + ",".join(str(ID[name]) for name in (
        "Văn phòng UBND tỉnh", "Sở Nội vụ", "Sở Tài chính", "Sở Y tế",
        "Sở Khoa học và Công nghệ",
        "UBND xã Tân Phú", "UBND xã An Bình", "UBND phường Mỹ Phước"))
    assert tasks(draft) == [
        (recipients, date(2025, 9, 30), "Đề nghị khẩn trương rà soát thủ tục hành")]
    page = ("Tin hoạt động\n\nKết luận buổi làm việc, Phó Chủ tịch UBND tỉnh yêu cầu sớm "
            "hoàn thành việc số hóa hồ sơ hộ tịch.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["all"]  # named by no one: every unit
    # the same page about a unit that visits: who else the order is for, the page does not say
    assert audiences(import_letter(page.replace("Tin hoạt động", "Sở Nội vụ kiểm tra công "
                                                "tác hộ tịch"), PROVINCE)) == [None]
    # in a page, with no one said to speak, it may be a commune's request: no task
    page = ("Xã Tân Phú kiến nghị tháo gỡ vướng mắc đất đai\n\nTại buổi làm việc, lãnh đạo xã "
            "báo cáo một số khó khăn.\n\nĐề nghị sớm xem xét, hướng dẫn việc cấp giấy chứng "
            "nhận quyền sử dụng đất.\n")
    assert tasks(import_letter(page, PROVINCE)) == []
    # "Đề nghị sớm hoàn thành, báo cáo … trước ngày …" says by when, gives no order of its own
    draft = letter("1. Sở Tài chính thẩm định phương án sắp xếp trụ sở.\n2. Sở Nội vụ rà soát "
                   "biên chế.\n\nĐề nghị sớm hoàn thành, báo cáo UBND tỉnh trước ngày "
                   "31/10/2025.\n")
    assert audiences(draft) == ["unit:Sở Tài chính", "unit:Sở Nội vụ"]
    # a headline in those words is no order; a sending after an order is that order's deadline
    page = ("Yêu cầu triển khai có hiệu quả các biện pháp phòng cháy, chữa cháy\n\n"
            "Sở Y tế kiểm tra an toàn phòng cháy tại các bệnh viện. Yêu cầu gửi báo cáo về UBND "
            "tỉnh trước ngày 15/10/2025.\n")
    assert tasks(import_letter(page, PROVINCE)) == [
        ("unit:Sở Y tế", date(2025, 10, 15), "Sở Y tế kiểm tra an toàn phòng cháy tại ")]


# A district's portal: its offices, a centre and three communes.
NEWS_UNITS = [UnitRef(i, name, "", kind) for i, (name, kind) in enumerate([
    ("Phòng Nội vụ", "office"), ("Phòng Tài chính - Kế hoạch", "office"),
    ("Phòng Y tế", "office"), ("Trung tâm Văn hóa - Thể thao huyện", "service"),
    ("UBND xã Tân Phú", "commune"), ("UBND xã An Bình", "commune"),
    ("UBND thị trấn Mỹ Phước", "commune")], start=1)]
SUMMING_UP = ("Hội nghị sơ kết công tác 6 tháng đầu năm 2025\n\n"
           "Sáng 10/7/2025, UBND huyện tổ chức hội nghị sơ kết công tác 6 tháng đầu năm.\n\n")


@pytest.mark.parametrize("sentence, rule", [
    # when, between the order's word and the addressees
    ("Phát biểu kết luận, Chủ tịch UBND huyện Nguyễn Văn An đề nghị thời gian tới các phòng, "
     "ban, UBND các xã, thị trấn cần tập trung hoàn thành các chỉ tiêu năm 2025.",
     "units:1,2,3,5,6,7"),
    # a speaker's "nhấn mạnh", "lưu ý"; orders given with "làm tốt", "chú trọng"
    ("Chủ tịch UBND huyện Nguyễn Văn An nhấn mạnh, các địa phương phải làm tốt công tác phòng "
     "chống dịch.", "kind:commune"),
    ("Bà Trần Thị Cúc, Phó Chủ tịch UBND huyện lưu ý các xã cần chú trọng công tác tiêm "
     "chủng.", "kind:commune"),
    # praise, then the order
    ("Chủ tịch UBND huyện đánh giá cao kết quả đạt được và đề nghị Phòng Y tế tiếp tục phát "
     "huy.", "unit:Phòng Y tế"),
    # the meeting's frame, then the leader's order in the same paragraph
    ("Tại hội nghị, các đại biểu đã thảo luận, làm rõ những hạn chế. Phát biểu chỉ đạo, Phó "
     "Chủ tịch UBND huyện Lê Văn Dũng đề nghị thời gian tới, Phòng Nội vụ tiếp tục đẩy mạnh cải "
     "cách hành chính.", "unit:Phòng Nội vụ"),
])
def test_a_leader_s_order_in_a_news_post(sentence, rule):
    assert audiences(import_letter(SUMMING_UP + sentence + "\n", NEWS_UNITS)) == [rule]


def test_a_closing_line_with_what_to_do_if_stuck_is_no_task():
    draft = letter("1. Sở Y tế kiểm tra an toàn thực phẩm.\n"
                   "Chủ tịch UBND tỉnh đề nghị Giám đốc các sở, Thủ trưởng các ban, ngành và Chủ "
                   "tịch UBND các xã, phường khẩn trương triển khai thực hiện; trong quá trình "
                   "thực hiện nếu có khó khăn, vướng mắc, kịp thời báo cáo UBND tỉnh (qua Sở Nội "
                   "vụ) để xem xét, giải quyết./.\n")
    assert audiences(draft) == ["unit:Sở Y tế"]


PLAN_HEADER = ("ỦY BAN NHÂN DÂN\nHUYỆN TÂN HƯNG\nSố: 45/KH-UBND\n"
               "Tân Hưng, ngày 05 tháng 3 năm 2025\n\nKẾ HOẠCH\nCải cách hành chính năm 2025\n\n"
               "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\nNâng cao hiệu quả cải cách hành chính.\n")


def test_a_plan_s_activity_with_who_and_when_lines_under_it():
    plan = PLAN_HEADER + (
        "II. NỘI DUNG, NHIỆM VỤ\n"
        "1. Tuyên truyền về cải cách hành chính\n"
        "- Đơn vị thực hiện: Phòng Y tế.\n"
        "- Thời gian: trước ngày 30/6/2025.\n"
        "2. Kiểm tra công tác cải cách hành chính\n"
        "- Cơ quan chủ trì: Phòng Nội vụ; cơ quan phối hợp: các cơ quan liên quan.\n"
        "- Thời gian thực hiện: trước ngày 30/9/2025.\n")
    assert [(audience, deadline) for audience, deadline, _ in tasks(
        import_letter(plan + SIGNATURE, NEWS_UNITS))] == [
        ("unit:Phòng Y tế", date(2025, 6, 30)), ("unit:Phòng Nội vụ", date(2025, 9, 30))]


def test_a_plan_s_items_name_who_does_them_in_brackets_or_not_at_all():
    plan = PLAN_HEADER + (
        "II. NHIỆM VỤ, GIẢI PHÁP\n"
        "1. Rà soát, đơn giản hóa thủ tục hành chính (Phòng Nội vụ chủ trì; thời gian: quý "
        "II/2025).\n"
        "2. Ứng dụng công nghệ thông tin trong quản lý (Cơ quan chủ trì: Phòng Y tế; cơ quan "
        "phối hợp: các xã).\n"
        "3. Nâng cao chất lượng phục vụ người dân.\n")
    draft = import_letter(plan + SIGNATURE, NEWS_UNITS)
    # the third names no one: an order of the plan's for every unit, to be checked; not set
    # aside
    assert audiences(draft) == ["unit:Phòng Nội vụ", "unit:Phòng Y tế", "all"]


def test_a_plan_s_part_heading_stands_alone_above_a_sentence():
    plan = PLAN_HEADER + (
        "II. NHIỆM VỤ\n1. Phòng Y tế kiểm tra an toàn thực phẩm.\n"
        "III. TỔ CHỨC THỰC HIỆN\n"
        "Các cơ quan, đơn vị báo cáo kết quả về Phòng Nội vụ trước ngày 10/12/2025.\n")
    # (the tasks outside any unit's section come first, in their own section)
    assert tasks(import_letter(plan + SIGNATURE, NEWS_UNITS)) == [
        ("all", date(2025, 12, 10), "Các cơ quan, đơn vị báo cáo kết quả về P"),
        ("unit:Phòng Y tế", None, "Kiểm tra an toàn thực phẩm.")]


def test_a_conclusion_s_account_part_gives_no_task():
    notice = ("ỦY BAN NHÂN DÂN\nHUYỆN TÂN HƯNG\nSố: 88/TB-UBND\nTân Hưng, ngày 27 tháng 9 năm 2025"
              "\n\nTHÔNG BÁO\nKết luận của Chủ tịch UBND huyện tại cuộc họp giao ban tháng 9\n\n"
              "Ngày 25/9/2025, Chủ tịch UBND huyện chủ trì cuộc họp giao ban. Sau khi nghe báo "
              "cáo, Chủ tịch UBND huyện kết luận như sau:\n"
              "1. Đánh giá chung\n"
              "Trong tháng 9, các cơ quan, đơn vị đã tích cực triển khai nhiệm vụ; thu ngân sách "
              "đạt 75% dự toán. Tuy nhiên, tiến độ giải ngân còn chậm.\n"
              "2. Nhiệm vụ trọng tâm tháng 10\n"
              "a) Phòng Nội vụ: Hướng dẫn các xã, thị trấn kiện toàn bộ máy.\n"
              "b) UBND các xã, thị trấn: Tập trung chỉ đạo thu hoạch lúa vụ mùa.\n")
    assert audiences(import_letter(notice + SIGNATURE, NEWS_UNITS)) == [
        "unit:Phòng Nội vụ", "kind:commune"]


def test_a_leader_named_as_d_c_and_an_order_that_opens_with_dac_biet():
    # "đ/c" is how news posts shorten "đồng chí"
    assert audiences(import_letter(
        SUMMING_UP + "Kết luận hội nghị, đ/c Nguyễn Văn An, Chủ tịch UBND huyện đề nghị "
        "Phòng Y tế tăng cường kiểm tra an toàn thực phẩm.\n", NEWS_UNITS)) == ["unit:Phòng Y tế"]
    # "Đặc biệt chú ý …" after an order to a unit is another order to it
    page = ("Phòng cháy chữa cháy\n\nChủ tịch UBND huyện yêu cầu Phòng Y tế kiểm tra an toàn "
            "phòng cháy tại các cơ sở y tế đến hết ngày 30/6/2025. Đặc biệt chú ý kiểm tra các "
            "cơ sở có nguy cơ cháy nổ cao.\n")
    assert tasks(import_letter(page, NEWS_UNITS)) == [
        ("unit:Phòng Y tế", date(2025, 6, 30), "Kiểm tra an toàn phòng cháy tại các cơ s"),
        ("unit:Phòng Y tế", None, "Đặc biệt chú ý kiểm tra các cơ sở có ngu")]


NOTICE = ("ỦY BAN NHÂN DÂN\nHUYỆN TÂN HƯNG\nSố: 88/TB-UBND\nTân Hưng, ngày 27 tháng 9 năm 2025\n\n"
          "THÔNG BÁO\nKết luận của Chủ tịch UBND huyện tại cuộc họp giao ban tháng 9\n\n"
          "Ngày 25/9/2025, Chủ tịch UBND huyện chủ trì cuộc họp giao ban và kết luận như sau:\n")


@pytest.mark.parametrize("body, expected", [
    # an account's heading hides none of the orders under it
    ("1. Kết quả kiểm tra\nChợ chưa bố trí đủ bình chữa cháy. Yêu cầu UBND thị trấn Mỹ Phước bổ "
     "sung ngay phương tiện chữa cháy, hoàn thành trước ngày 30/9/2025.\n2. Giao Phòng Nội vụ "
     "theo dõi, đôn đốc.\n",
     [("unit:UBND thị trấn Mỹ Phước", date(2025, 9, 30)), ("unit:Phòng Nội vụ", None)]),
    ("1. Đánh giá chung\nTháng 9, các đơn vị hoàn thành tốt nhiệm vụ.\nThời gian tới, yêu cầu "
     "Phòng Y tế chủ động phòng chống dịch sốt xuất huyết.\n",
     [("unit:Phòng Y tế", None)]),
    # a short heading over its sentences is no task
    ("1. Về tình hình an ninh trật tự\nPhó Chủ tịch UBND huyện đề nghị UBND các xã, thị trấn "
     "tăng cường nắm tình hình.\n2. Về công tác y tế\nPhòng Y tế chủ động phòng chống dịch bệnh "
     "mùa mưa.\n",
     [("kind:commune", None), ("unit:Phòng Y tế", None)]),
    # an order broken before a unit's name goes on after it
    ("1. Giao Phòng Y tế chủ trì kiểm tra\nTrung tâm Văn hóa - Thể thao huyện về an toàn phòng "
     "cháy.\n2. Phòng Nội vụ tổng hợp kết quả.\n",
     [("unit:Phòng Y tế", None), ("unit:Phòng Nội vụ", None)]),
])
def test_short_numbered_lines_in_a_typed_conclusion(body, expected):
    draft = import_letter(NOTICE + body + SIGNATURE, NEWS_UNITS)
    assert [(audience, deadline) for audience, deadline, _ in tasks(draft)] == expected


def test_a_plan_s_contents_part_is_no_list_of_tasks():
    plan = PLAN_HEADER + (
        "II. NỘI DUNG\n1. Tổ chức các hoạt động tuyên truyền, cổ động trực quan.\n"
        "2. Tổ chức giải bóng đá thanh niên.\n"
        "III. TỔ CHỨC THỰC HIỆN\n1. Trung tâm Văn hóa - Thể thao huyện chủ trì tổ chức giải bóng "
        "đá.\n2. Phòng Y tế bố trí lực lượng y tế trực.\n")
    assert audiences(import_letter(plan + SIGNATURE, NEWS_UNITS)) == [
        "unit:Trung tâm Văn hóa - Thể thao huyện", "unit:Phòng Y tế"]


def test_a_page_s_province_or_district_by_its_place_gives_the_order():
    # "Tỉnh Đồng Tháp yêu cầu …": the issuer's order, as "UBND tỉnh yêu cầu …"
    page = ("Tỉnh Đồng Tháp yêu cầu Sở Tài chính và UBND các xã, phường tập trung giải phóng "
            "mặt bằng.\n")
    assert tasks(import_letter(page, PROVINCE)) == [
        ("units:3,7,8,9", None, "Tập trung giải phóng mặt bằng.")]
    page = "Huyện yêu cầu Phòng Giáo dục và Đào tạo rà soát đội ngũ giáo viên.\n"
    assert audiences(import_letter(page, DISTRICT)) == ["unit:Phòng Giáo dục và Đào tạo"]
    # "tỉnh" as a place inside what was done is no issuer
    page = "Các trường trên địa bàn tỉnh đã hoàn thành tuyển sinh.\n"
    assert tasks(import_letter(page, PROVINCE)) == []


def test_the_owners_of_projects_without_cac_open_an_order():
    page = "UBND huyện yêu cầu chủ đầu tư và UBND các xã tập trung giải phóng mặt bằng.\n"
    assert audiences(import_letter(page, DISTRICT)) == ["units:5,6,7"]


def test_a_web_copy_s_banner_above_the_letter_is_not_its_header():
    copy = ("Ủy ban nhân dân tỉnh đồng tháptải về 9.17 Kb.\nChuyển đổi dữ liệu31.07.2016\n"
            "Kích9.17 Kb.\n\n" + HEADER + "Đề nghị các sở, ban, ngành tỉnh rà soát thủ tục hành "
            "chính.\n" + SIGNATURE)
    draft = import_letter(copy, PROVINCE)
    assert (draft.number, draft.issued_on) == ("120/UBND-KGVX", date(2025, 8, 10))
    assert draft.subject == "V/v triển khai nhiệm vụ năm 2025"
    assert audiences(draft) == ["kind:office"]
    # a page's headline in words above a letter's text is no banner: the page is read as before
    page = "Đồng Tháp tăng cường cải cách hành chính\n\nUBND tỉnh yêu cầu Sở Nội vụ rà soát.\n"
    assert import_letter(page, PROVINCE).number == ""


def test_however_before_why_and_the_issuer_is_a_lead_of_the_order():
    draft = letter("Hiện nay, trên địa bàn tỉnh đã có mưa nhiều. Tuy nhiên, để chủ động đối phó "
                   "với cháy rừng, UBND tỉnh yêu cầu Sở Y tế và Chủ tịch UBND các xã, phường "
                   "không được chủ quan, tiếp tục triển khai các biện pháp phòng cháy.\n")
    assert audiences(draft) == ["units:4,7,8,9"]


@pytest.mark.parametrize("page", [
    # a person's visit to a commune: the orders are that commune's
    "Chủ tịch UBND tỉnh làm việc với xã An Bình\n\nChiều 12/9/2025, Chủ tịch UBND tỉnh đã làm "
    "việc với UBND xã An Bình. Thời gian tới, đồng chí yêu cầu tập trung thu hút đầu tư.\n",
    "Kiểm tra công tác phòng, chống hạn mặn tại xã An Bình\n\nPhó Chủ tịch UBND tỉnh yêu cầu "
    "chủ động trữ nước ngọt.\n",
    # an association, a body the portal does not hold, a commune outside it
    "Hội Nông dân tỉnh tổng kết công tác năm 2025\n\nPhó Chủ tịch UBND tỉnh đề nghị thời gian "
    "tới tiếp tục vận động hội viên thi đua sản xuất giỏi.\n",
    "Trung tâm Kiểm soát bệnh tật tỉnh khuyến cáo người dân phòng tránh đuối nước.\n\nCha mẹ "
    "cần quản lý, giám sát chặt chẽ trẻ em. Tăng cường cho trẻ học kỹ năng bơi an toàn.\n",
    "UBND xã Long Hưng họp phiên thường kỳ tháng 10\n\nChủ tịch UBND xã Long Hưng yêu cầu tập "
    "trung thu hoạch lúa Thu Đông.\n",
    # a decision's first article is what it does
    "QUYẾT ĐỊNH\nVề việc tổ chức Hội thi tin học trẻ năm 2025\n\nĐiều 1. Tổ chức Hội thi tin "
    "học trẻ tỉnh năm 2025 từ ngày 15/11/2025 đến 17/11/2025.\n",
])
def test_a_page_that_names_a_body_up_front_gives_no_one_every_unit(page):
    assert "all" not in audiences(import_letter(page, PROVINCE))


def test_no_guess_after_an_order_to_a_body_the_portal_does_not_hold_nor_for_a_headline():
    page = ("Chủ tịch UBND huyện yêu cầu các trường học chuẩn bị tốt cơ sở vật chất cho năm học "
            "mới. Tiếp tục nâng cao chất lượng giáo dục toàn diện.\n")
    assert audiences(import_letter(page, DISTRICT)) == [None, None]
    # a headline read as an order stays for the editor; the page's own order to every unit
    page = ("Tăng cường bảo đảm an ninh trật tự dịp Tết\n\nKết luận phiên họp, Chủ tịch UBND "
            "tỉnh yêu cầu tăng cường tuần tra, kiểm soát trên các tuyến giao thông.\n")
    assert audiences(import_letter(page, PROVINCE))[-1] == "all"
    assert "all" not in audiences(import_letter(page, PROVINCE))[:-1]
    # a notice one of the portal's units issued: its orders are its own, not every unit's
    notice = ("ỦY BAN NHÂN DÂN\nXÃ TÂN PHÚ\n\nSố: 45/TB-UBND\n\nTân Phú, ngày 5 tháng 11 năm "
              "2025\n\nTHÔNG BÁO\nKết luận của Chủ tịch UBND xã tại cuộc họp giao ban\n\n"
              "1. Tập trung thu hoạch lúa Thu Đông.\n2. Đẩy nhanh tiến độ thu thuế phi nông "
              "nghiệp.\n")
    assert "all" not in audiences(import_letter(notice, DISTRICT))


def test_praise_then_chi_dao_gives_the_order():
    page = ("Qua kiểm tra, Phó Chủ tịch UBND huyện đánh giá cao công tác triển khai tại các xã, "
            "đồng thời chỉ đạo UBND các xã tiếp tục thực hiện tốt công tác vệ sinh, khử trùng.\n")
    assert audiences(import_letter(page, DISTRICT)) == ["kind:commune"]
    # praise alone is no order
    page = ("Phó Chủ tịch UBND huyện đánh giá cao sự chỉ đạo sát sao của UBND các xã trong "
            "công tác vệ sinh.\n")
    assert tasks(import_letter(page, DISTRICT)) == []


def test_what_the_task_is_then_who_does_it_and_a_counted_level():
    page = ("Vì vậy, nhiệm vụ trọng tâm trong tháng 12 là các phòng chuyên môn, UBND 2 xã cần "
            "phải nỗ lực hơn nữa để thực hiện tốt các nhiệm vụ đã đề ra.\n")
    assert audiences(import_letter(page, DISTRICT)) == ["units:1,2,3,6,7"]
    # "UBND 273 phường, xã": every one of that level, as "các phường, xã"
    assert audiences(letter("UBND 3 xã, phường rà soát hộ nghèo.\n")) == ["kind:commune"]
    # a number that is no count of a level stays what it was
    assert audiences(letter("Sở Y tế bố trí 7 xe cứu thương.\n")) == ["unit:Sở Y tế"]


def test_a_unit_given_a_task_by_the_issuer_has_the_order():
    page = ("Sở Y tế được Ủy ban nhân dân tỉnh giao chủ trì, phối hợp các sở, ngành liên quan "
            "xây dựng kế hoạch triển khai cụ thể.\n")
    assert tasks(import_letter(page, PROVINCE)) == [
        ("unit:Sở Y tế", None, "Sở Y tế chủ trì, phối hợp các sở, ngành ")]
    # with the verbs such a task is given with ("được giao hoàn thiện", "… đôn đốc")
    page = ("Văn phòng UBND tỉnh được giao hoàn thiện hệ thống thông tin báo cáo. Sở Tài chính "
            "được giao đôn đốc giải ngân vốn đầu tư công.\n")
    assert tasks(import_letter(page, PROVINCE)) == [
        ("unit:Văn phòng UBND tỉnh", None, "Văn phòng UBND tỉnh hoàn thiện hệ thống "),
        ("unit:Sở Tài chính", None, "Sở Tài chính đôn đốc giải ngân vốn đầu t")]
    # land or funds allotted to a unit are no order
    page = "Sở Y tế được giao vốn đầu tư công năm 2025 là 12 tỷ đồng.\n"
    assert tasks(import_letter(page, PROVINCE)) == []
    # what was done under that task is no order
    page = ("Sở Y tế được giao chủ trì xây dựng kế hoạch, đã hoàn thành và trình UBND tỉnh.\n")
    assert tasks(import_letter(page, PROVINCE)) == []


def test_an_order_after_grounds_inside_a_part_that_tells_what_was_done():
    # a directive's parts: "I. ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN …" orders the evaluation
    body = ("Thực hiện Luật Đầu tư công, Chủ tịch UBND tỉnh yêu cầu các sở, ban, ngành triển "
            "khai việc lập kế hoạch đầu tư công, với các nội dung sau:\n"
            "I. ĐÁNH GIÁ\nTÌNH HÌNH THỰC HIỆN KẾ HOẠCH GIAI ĐOẠN 2021-2025\n"
            "Căn cứ kế hoạch phát triển kinh tế - xã hội của tỉnh, yêu cầu các sở, ban, ngành "
            "tỉnh khẩn trương đánh giá tình hình thực hiện kế hoạch đầu tư công.\n")
    draft = letter(body)
    assert ("kind:office", None, "Khẩn trương đánh giá tình hình thực hiện") in tasks(draft)
    # a plan's purposes and requirements stay no task, whatever "yêu cầu" they hold
    plan = PLAN_HEADER + ("2. Yêu cầu\nTheo đó, yêu cầu các phòng chuyên môn bám sát kế hoạch, "
                          "bảo đảm tiến độ.\nII. NHIỆM VỤ\n1. Phòng Nội vụ tham mưu kiểm tra "
                          "cải cách hành chính.\n")
    draft = import_letter(plan + SIGNATURE, NEWS_UNITS)
    assert [text for _, _, text in tasks(draft)] == ["Tham mưu kiểm tra cải cách hành chính."]


def test_a_wrapped_first_line_of_grounds_goes_on_to_its_order():
    lines = ["Thực hiện Luật Đầu tư công, Luật",
             "Ngân sách nhà nước, Chỉ thị số 20/CT-TTg ngày 29/7/2019 của Thủ tướng Chính phủ,",
             "Chủ tịch UBND tỉnh yêu cầu Giám đốc các sở, ban, ngành tỉnh triển khai việc lập",
             "kế hoạch đầu tư công trung hạn giai đoạn 2021 - 2025 trước ngày 30/9/2025.",
             "Giám đốc Sở Y tế chủ trì kiểm tra việc lập kế hoạch của các bệnh viện trực thuộc",
             "Sở, báo cáo kết quả về Ủy ban nhân dân tỉnh trong tháng 10 năm 2025 để theo dõi.",
             "Sở Tài chính chủ trì thẩm định nguồn vốn của các dự án khởi công mới, báo cáo",
             "kết quả thẩm định về Ủy ban nhân dân tỉnh trước ngày 15/10/2025 để tổng hợp."]
    draft = letter("\n".join(lines) + "\n")
    assert tasks(draft)[0] == ("kind:office", date(2025, 9, 30),
                               "Triển khai việc lập kế hoạch đầu tư công")


def test_on_receiving_this_letter_an_order_with_a_report_by_a_date():
    body = ("1. Các đơn vị triển khai tổng vệ sinh vào lúc 16h00 ngày thứ Sáu 22/8/2025.\n\n"
            "Nhận được công văn này, yêu cầu ông (bà) Giám đốc các sở, ban, ngành tỉnh nghiêm "
            "túc thực hiện và nộp báo cáo về Văn phòng UBND tỉnh trước 9h00 ngày 25/8/2025.\n")
    assert [(who, when) for who, when, _ in tasks(letter(body))] == [
        ("all", date(2025, 8, 22)), ("kind:office", date(2025, 8, 25))]
    # with nothing but "thực hiện", it stays a closing line
    body = ("1. Sở Y tế kiểm tra an toàn thực phẩm.\n\nNhận được công văn này, yêu cầu Giám "
            "đốc các sở, ban, ngành tỉnh nghiêm túc thực hiện./.\n")
    assert audiences(letter(body)) == ["unit:Sở Y tế"]


def test_a_photo_s_caption_is_no_order():
    page = ("UBND tỉnh thành lập Ban Chỉ đạo chiến dịch tiêm chủng\n\n"
            "Lãnh đạo Sở Y tế kiểm tra tình hình tiêm chủng tại cơ sở y tế – Ảnh minh họa\n\n"
            "Chiều 6-3, UBND tỉnh họp với các sở, ngành triển khai kế hoạch tiêm chủng.\n"
            "Chủ tịch UBND tỉnh phát biểu chỉ đạo tại cuộc họp. Ảnh: NGỌC ANH |\n"
            "Chủ tịch UBND tỉnh yêu cầu Sở Y tế đẩy nhanh tiêm chủng mở rộng.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["unit:Sở Y tế"]
    for caption in ("Lãnh đạo Sở Y tế kiểm tra tình hình tiêm chủng tại cơ sở – Ảnh minh họa",
                    "Chủ tịch UBND tỉnh phát biểu chỉ đạo tại cuộc họp. Ảnh: NGỌC ANH |",
                    "Quang cảnh hội nghị (Ảnh: TTXVN)"):
        assert is_furniture(caption), caption
    # a portal's counters and buttons
    for line in ("Số lượt truy cập", "Lượt truy cập: 2284978", "EmailPrintAa"):
        assert is_furniture(line), line
    # a photograph asked for is no caption
    assert not is_furniture("Sở Nội vụ nộp hồ sơ kèm ảnh: 2 ảnh 3x4.")
    assert audiences(letter("1. Sở Nội vụ nộp hồ sơ kèm ảnh: 2 ảnh 3x4.\n")) == [
        "unit:Sở Nội vụ"]


def test_download_the_draft_is_the_order_s_verb_not_the_words_in_its_brackets():
    draft = letter("Đề nghị các sở, ban, ngành tỉnh tải văn bản dự thảo trên Trang thông tin điện "
                   "tử của Sở Nội vụ (đăng tải kèm theo) và góp ý trước ngày 31/8/2025.\n")
    assert tasks(draft) == [("kind:office", date(2025, 8, 31),
                             "Tải văn bản dự thảo trên Trang thông tin")]


def test_the_day_an_order_is_carried_out_on_is_its_deadline():
    draft = letter("1. Các xã, phường đồng loạt ra quân dọn vệ sinh vào sáng ngày 24/8/2025 "
                   "(Chủ nhật).\n2. Sở Y tế tổ chức hội nghị tập huấn vào ngày 5/9/2025.\n")
    assert [d for _, d, _ in tasks(draft)] == [date(2025, 8, 24), date(2025, 9, 5)]
    # a day before the letter tells what was done; a planned event's day is not the unit's
    for order in ("Sở Y tế tiếp tục kiểm tra như đã làm vào ngày 15/6/2025.",
                  "Sở Nội vụ chuẩn bị cho kỳ họp, HĐND tỉnh dự kiến tổ chức vào ngày 26/12/2025."):
        (task,) = letter(f"1. {order}\n").tasks
        assert task.deadline is None, order


def test_every_unit_guess_kept_where_the_words_only_look_like_a_body():
    # "kinh tế - xã hội 9 tháng" names no association
    page = ("UBND tỉnh họp phiên thường kỳ tháng 9 năm 2025\n\nNgày 2/10/2025, UBND tỉnh họp "
            "đánh giá tình hình kinh tế - xã hội 9 tháng đầu năm 2025.\n\nKết luận phiên họp, "
            "Chủ tịch UBND tỉnh yêu cầu tập trung cao độ hoàn thành các chỉ tiêu năm 2025.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["all"]
    # in a ward's own portal, the ward's own meeting: its orders are every unit's
    page = ("UBND phường họp phiên thường kỳ tháng 11\n\nNgày 1/12/2025, UBND phường Mỹ Phước "
            "tổ chức phiên họp thường kỳ.\n\nChủ tịch UBND phường yêu cầu tập trung thu ngân "
            "sách, hoàn thành chỉ tiêu năm.\n")
    assert audiences(import_letter(page, WARD)) == ["all"]
    # a council's standing body is a body
    page = ("Thường trực HĐND tỉnh giám sát việc giải quyết kiến nghị cử tri\n\nĐoàn giám sát "
            "đề nghị tập trung giải quyết dứt điểm các kiến nghị tồn đọng.\n")
    assert "all" not in audiences(import_letter(page, PROVINCE))


def test_a_youth_union_or_a_military_command_is_no_issuer_of_the_portal():
    for page in ("Tỉnh đoàn ra quân Chiến dịch Mùa hè xanh\n\nTỉnh đoàn yêu cầu các huyện đoàn, "
                 "thành đoàn tổ chức ít nhất 10 công trình thanh niên.\n",
                 "Huyện đội triển khai huấn luyện dân quân năm 2025\n\nHuyện đội yêu cầu UBND "
                 "các xã, phường tổ chức huấn luyện dân quân đúng kế hoạch.\n"):
        assert "kind:commune" not in audiences(import_letter(page, PROVINCE))


def test_given_a_task_keeps_its_words_where_no_unit_was_given_it():
    draft = letter("Đối với các nhiệm vụ được giao chủ trì tại Quyết định số 12/QĐ-UBND, các sở, "
                   "ban, ngành tỉnh khẩn trương hoàn thành trước ngày 30/9/2025.\n")
    kept = [task.text for task in draft.tasks] + draft.set_aside
    assert kept and all("được giao chủ trì" in text for text in kept)


def test_a_dotted_period_with_its_year_and_a_caption_that_carries_an_order():
    (task,) = letter("1. UBND xã Tân Phú chủ trì tổ chức Ngày hội Đại đoàn kết từ "
                     "15.11-18.11.2025.\n").tasks
    assert task.deadline == date(2025, 11, 18)
    line = ("UBND tỉnh yêu cầu Sở Tài chính đôn đốc giải ngân, báo cáo trước ngày 15/9/2025. "
            "Ảnh: Sở Tài chính")
    assert not is_furniture(line)
    assert not is_furniture("- Ảnh: Ảnh chân dung người được đề nghị")
    assert tasks(import_letter(line + "\n", PROVINCE)) == [
        ("unit:Sở Tài chính", date(2025, 9, 15), "Đôn đốc giải ngân, báo cáo trước ngày 15")]


def test_a_short_letter_s_wrapped_grounds_go_on_and_chu_tri_trien_khai_thuc_hien():
    draft = letter("Thực hiện Luật Đầu tư công, Luật\nNgân sách nhà nước, UBND tỉnh yêu cầu các "
                   "sở, ban, ngành tỉnh giải ngân 100% kế hoạch vốn trước ngày 31/12/2025.\n")
    assert tasks(draft) == [("kind:office", date(2025, 12, 31),
                             "Giải ngân 100% kế hoạch vốn trước ngày 3")]
    draft = letter("Tiếp nhận Quyết định số 1234/QĐ-TTg ngày 02/10/2025 của Thủ tướng Chính phủ "
                   "về chương trình chuyển đổi số, Chủ tịch UBND tỉnh có ý kiến như sau:\n\n"
                   "Giao Sở Khoa học và Công nghệ chủ trì triển khai thực hiện.\n")
    assert draft.tasks[0].text.startswith("Chủ trì triển khai thực hiện Quyết định số 1234/QĐ-TTg")


def test_a_caption_that_repeats_an_order_and_given_a_task_after_a_lead():
    # a caption that repeats the page's order (no deadline of its own) is the photo's
    page = ("UBND tỉnh chỉ đạo đẩy nhanh thu hoạch lúa\n\nChủ tịch UBND tỉnh yêu cầu UBND các xã, "
            "phường đẩy nhanh thu hoạch lúa. Ảnh: NGỌC ANH |\n\nTrước diễn biến mưa lớn, UBND "
            "tỉnh yêu cầu UBND các xã, phường thu hoạch dứt điểm lúa chín trước ngày 10/9/2025.\n")
    assert [when for _, when, _ in tasks(import_letter(page, PROVINCE))] == [date(2025, 9, 10)]
    # "Để …, Sở X được UBND tỉnh giao chủ trì …": given after a lead of why
    draft = letter("Để triển khai Đề án 06, Sở Y tế được Ủy ban nhân dân tỉnh giao chủ trì, phối "
                   "hợp với các sở, ngành xây dựng kho dữ liệu dùng chung.\n")
    assert audiences(draft) == ["unit:Sở Y tế"]


def test_a_unit_s_duty_told_as_what_its_task_is_and_after_a_connective():
    page = ("Bên cạnh đó, nhiệm vụ của Sở Y tế là chủ trì, phối hợp với các sở, ngành tham mưu "
            "xây dựng cơ chế đặc thù.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["unit:Sở Y tế"]
    page = "Bên cạnh đó, Sở Tài chính chủ trì, phối hợp với các sở, ngành cân đối kinh phí.\n"
    assert audiences(import_letter(page, PROVINCE)) == ["unit:Sở Tài chính"]
    # what a unit did after a connective stays no order
    page = "Bên cạnh đó, Sở Tài chính đã chủ trì thẩm định kinh phí cho 12 dự án.\n"
    assert tasks(import_letter(page, PROVINCE)) == []


def test_the_things_an_order_lists_as_bullets_stay_in_its_task():
    draft = letter("Sở Y tế chủ trì xây dựng các nội dung sau:\n- Cơ chế đặc thù;\n"
                   "- Chính sách thu hút nhân lực.\n")
    (task,) = draft.tasks
    assert task.audience == "unit:Sở Y tế"
    assert task.text.endswith("các nội dung sau: Cơ chế đặc thù; Chính sách thu hút nhân lực.")
    # bullets that are orders stay tasks of their own
    draft = letter("Sở Y tế thực hiện các nội dung sau:\n- Rà soát cơ sở khám chữa bệnh;\n"
                   "- Kiểm tra an toàn thực phẩm.\n")
    assert [text for _, _, text in tasks(draft)] == ["Rà soát cơ sở khám chữa bệnh.",
                                                     "Kiểm tra an toàn thực phẩm."]


def test_an_order_to_a_unit_the_importer_cannot_read_is_set_aside_not_dropped():
    sentence = ("Thành phố giao nhiệm vụ cụ thể cho UBND các xã, phường chủ động phối hợp với các "
                "sở, ngành rà soát, cập nhật thông tin trụ sở làm việc.")
    draft = import_letter(sentence + "\n", PROVINCE)
    assert draft.tasks == [] and draft.set_aside == draft.unread == [sentence]
    assert f"Đoạn «{sentence[:160]}» {UNREAD}" in draft.warnings
    # a page that says it again, in its lead and its body: set aside once
    draft = import_letter(sentence + "\n\nNội dung công văn như sau:\n\n" + sentence + "\n",
                          PROVINCE)
    assert draft.set_aside == [sentence]
    assert sum(UNREAD in warning for warning in draft.warnings) == 1
    # read orders, the basis, a closing line, what was asked before and "giao ban" are not
    for text in ("Giao Sở Y tế chủ trì kiểm tra an toàn thực phẩm.",
                 "Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 12/TTr-SNV.",
                 "Yêu cầu Thủ trưởng các sở, ban, ngành tỉnh nghiêm túc thực hiện./.",
                 "Tại phiên họp, Thường trực HĐND tỉnh đã yêu cầu Sở Y tế giải trình.",
                 "Sở Y tế tổ chức hội nghị giao ban công tác tiêm chủng."):
        assert import_letter(text + "\n", PROVINCE).set_aside == [], text


def test_a_news_tag_and_a_meeting_s_occasion_before_a_leader_s_order():
    page = ("(Xây dựng) – Tại hội nghị đánh giá tình hình quy hoạch, Chủ tịch UBND tỉnh Nguyễn "
            "Văn A yêu cầu các sở, ban, ngành tỉnh tiếp tục rà soát các thủ tục đất đai.\n")
    assert tasks(import_letter(page, PROVINCE)) == [
        ("kind:office", None, "Tiếp tục rà soát các thủ tục đất đai.")]
    # a tag is words in brackets: an item numbered "(1) - " is none
    assert _NEWS_TAG.match("(QTO) - Chiều nay 8/10/2020, …")
    assert not _NEWS_TAG.match("(1) - Sở Y tế rà soát hồ sơ.")


def test_a_subject_cell_that_holds_a_place_and_date_is_still_the_subject():
    # a scan's header read into one line: "V/v … tại Kon Tum, ngày … | Độc lập - Tự do"
    text = ("ỦY BAN NHÂN DÂN\nTỈNH KON TUM\nSố: 12/UBND-VX\nV/v hội nghị tại Kon Tum, ngày 5 "
            "tháng 8 năm 2025 | Độc lập - Tự do\n\nKính gửi: Sở Y tế\n\nĐề nghị Sở Y tế rà "
            "soát hồ sơ.\n")
    draft = import_letter(text, PROVINCE)
    assert draft.subject.startswith("V/v hội nghị tại Kon Tum")
    assert draft.title.startswith("Hội nghị tại Kon Tum")
    assert audiences(draft) == ["unit:Sở Y tế"]


def test_a_copy_with_no_year_reads_its_dates_from_the_day_it_reached_the_portal():
    post = ("UBND Thành phố yêu cầu các sở, ban, ngành hoàn thành rà soát trước 15-6.\n\n"
            "Sở Y tế báo cáo kết quả trước ngày 20/12.\n\n"
            "Sở Tài chính đẩy nhanh giải ngân trong những tháng cuối năm.\n")
    draft = import_letter(post, PROVINCE, received=date(2026, 12, 7))
    # the first such day from then: 15/6 is past, 20/12 is not
    assert [d for _, d, _ in tasks(draft)] == [
        date(2027, 6, 15), date(2026, 12, 20), date(2026, 12, 31)]
    assert ("Hạn «trước 15-6» không ghi năm, văn bản cũng không: lấy ngày gần nhất kể từ ngày "
            "nhập văn bản (07/12/2026), năm 2027; kiểm tra lại.") in draft.tasks[0].notes
    assert ("Hạn «những tháng cuối năm»: lấy ngày cuối năm 2026 của ngày nhập văn bản "
            "(07/12/2026); kiểm tra lại.") in draft.tasks[2].notes
    # without that day, no deadline is guessed
    assert [d for _, d, _ in tasks(import_letter(post, PROVINCE))] == [None, None, None]
    # the letter's own year, or a full date in the same paragraph, comes first
    dated = letter("1. Sở Y tế báo cáo kết quả trước ngày 20/12.\n")
    assert [d for _, d, _ in tasks(dated)] == [date(2025, 12, 20)]
    assert tasks(import_letter(HEADER + "1. Sở Y tế báo cáo kết quả trước ngày 20/12.\n"
                               + SIGNATURE, PROVINCE, received=date(2026, 12, 7))) == \
        tasks(dated)
    page = ("Tin tức\n\nSự kiện\n\nThời sự\n\nĐịa phương\n\nPhòng, chống dịch\n\nĐến ngày "
            "02/3/2025, Sở Y tế mới tiêm được 80% số trẻ. Đề nghị Sở Y tế báo cáo kết quả trước "
            "15-6.\n")
    nearby = import_letter(page, PROVINCE, received=date(2026, 12, 7))
    assert nearby.year is None and [d for _, d, _ in tasks(nearby)] == [date(2025, 6, 15)]


def test_a_field_visit_before_the_leader_s_order_and_the_ministries_called_nganh():
    # "Sau buổi kiểm tra thực tế, Chủ tịch UBND huyện yêu cầu …": the visit is the occasion
    for lead in ("Sau buổi kiểm tra thực tế", "Tại buổi kiểm tra", "Qua đợt khảo sát tại xã"):
        page = (f"{lead}, Chủ tịch UBND huyện yêu cầu UBND xã Tân Phú tập trung giải quyết dứt "
                "điểm các vụ việc đơn thư kéo dài.\n")
        assert tasks(import_letter(page, DISTRICT)) == [
            ("unit:UBND xã Tân Phú", None, "Tập trung giải quyết dứt điểm các vụ việ")], lead
    # what the visit found, said before a leader speaks, is still no order
    page = ("Sau buổi kiểm tra, đoàn kiểm tra phát hiện nhiều hồ sơ tồn đọng; Chủ tịch UBND "
            "huyện Nguyễn Văn A cho biết sẽ xử lý.\n")
    assert tasks(import_letter(page, DISTRICT)) == []
    # "các ngành" are the offices: with "các địa phương", the offices and the communes
    page = ("Qua kiểm tra thực tế, Phó Chủ tịch UBND huyện đề nghị các ngành, các địa phương "
            "thường xuyên cập nhật tình hình mưa bão.\n")
    assert audiences(import_letter(page, DISTRICT)) == ["units:1,2,3,6,7"]  # not the services


def test_while_another_unit_does_its_part_is_its_own_order():
    page = ("Công an tỉnh đảm bảo an toàn thông tin, an ninh mạng cho các hệ thống, trong khi "
            "Sở KH&CN chủ trì thúc đẩy ứng dụng dữ liệu.\n")
    assert tasks(import_letter(page, PROVINCE)) == [
        (None, None, "Công an tỉnh đảm bảo an toàn thông tin, "),
        ("unit:Sở Khoa học và Công nghệ", None, "Sở KH&CN chủ trì thúc đẩy ứng dụng dữ li")]
    # a "chưa" further on is the order's own words ("… học sinh chưa tiêm")
    page = ("Sở Y tế tổ chức tiêm chủng cho trẻ em, trong khi Sở Tài chính phối hợp rà soát "
            "danh sách học sinh chưa tiêm.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["unit:Sở Y tế", "unit:Sở Tài chính"]
    # what the other did is no order of its own: it stays in the first unit's words
    page = "Sở Y tế tăng cường kiểm tra, trong khi Sở Tài chính đã bố trí kinh phí.\n"
    assert audiences(import_letter(page, PROVINCE)) == ["unit:Sở Y tế"]


def test_a_name_with_a_comma_and_an_order_cut_by_the_end_of_the_copy():
    units = [*PROVINCE, UnitRef(90, "Báo và Phát thanh, Truyền hình Tuyên Quang", "Báo TQ",
                                "service"),
             UnitRef(91, "Cổng Thông tin điện tử tỉnh", "Cổng TTĐT", "service")]
    page = ("Sở Tài chính chủ trì bố trí kinh phí.\n\n"
            "Báo và Phát thanh, Truyền hình Tuyên Quang tăng cường tuyên truyền.\n\n"
            "Cổng Thông tin điện tử tỉnh phối hợp chặt chẽ với Sở Nông nghiệp v\n")
    assert audiences(import_letter(page, units)) == [
        "unit:Sở Tài chính", "unit:Báo và Phát thanh, Truyền hình Tuyên Quang",
        "unit:Cổng Thông tin điện tử tỉnh"]
    # a web page's line with no full stop that names no unit is still its furniture
    page = "Sở Tài chính chủ trì bố trí kinh phí.\n\nTin cùng chuyên mục khác trên cổng\n"
    assert audiences(import_letter(page, units)) == ["unit:Sở Tài chính"]


def test_a_header_table_pasted_row_by_row_with_its_cells_joined():
    text = ("Phòng, chống thiên tai năm 2025 trên địa bàn xã Tân Phú\n"
            "ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n"
            "XÃ TÂN PHÚ | Độc lập - Tự do - Hạnh phúc |\n"
            "Số: 36 /KH-UBND |\nTân Phú, ngày 07 tháng 5 năm 2025 |\n"
            "KẾ HOẠCH\nPhòng, chống thiên tai năm 2025\n\nSở Y tế rà soát trước ngày 30/6.\n")
    draft = import_letter(text, PROVINCE)
    assert (draft.issuer, draft.number, draft.issued_on) == (
        "Ủy ban nhân dân xã Tân Phú", "36", date(2025, 5, 7))
    assert [d for _, d, _ in tasks(draft)] == [date(2025, 6, 30)]
    # a whole letter read into one line is no header row: its orders are still read
    line = ("ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - "
            "Hạnh phúc Kính gửi: Sở Y tế. Giao Sở Y tế rà soát hồ sơ, báo cáo trước ngày "
            "22/7/2021.\n")
    assert date(2021, 7, 22) in [d for _, d, _ in tasks(import_letter(line, PROVINCE))]


def test_a_page_s_year_is_not_a_cited_document_s():
    # no date line: the year is the page's, not that of a resolution or a law it cites
    page = ("Tin tức\n\nHội nghị triển khai nhiệm vụ tháng 7\n\nPhát biểu tại hội nghị, triển "
            "khai Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị; đăng ngày 03/7/2025."
            "\n\nĐề nghị Sở Y tế báo cáo trước ngày 15/7.\n")
    draft = import_letter(page, PROVINCE)
    assert draft.year == 2025 and [d for _, d, _ in tasks(draft)] == [date(2025, 7, 15)]
    # where the page shows only dates of what it cites, it is no older than the latest
    page = ("Căn cứ Luật Phòng, chống thiên tai ngày 19/6/2013; Nghị quyết số 12/NQ-HĐND ngày "
            "10/3/2024;\n\nĐề nghị Sở Y tế báo cáo trước ngày 15/7.\n")
    draft = import_letter(page, PROVINCE)
    assert draft.year == 2024 and [d for _, d, _ in tasks(draft)] == [date(2024, 7, 15)]
    assert any("«10/3/2024» của văn bản được dẫn" in w for w in draft.warnings)


def test_the_offices_concerned_beside_a_unit_and_facts_set_against_an_order():
    # "Phòng X, các ngành liên quan …": that unit, not every office; after a group, the offices
    assert concluded("1. Phòng Giáo dục và Đào tạo, các ngành liên quan phối hợp chặt chẽ, bảo "
                     "đảm an toàn kỳ thi.") == ["unit:Phòng Giáo dục và Đào tạo"]
    assert concluded("Yêu cầu UBND các xã, thị trấn, các ngành có liên quan tăng cường kiểm "
                     "tra.") == ["units:1,2,3,6,7"]
    # "…, trong khi Sở X chưa …" sets a fact against another: no order to Sở X
    page = ("Nhu cầu lao động tăng cao, trong khi Sở Tài chính chưa có giải pháp kết nối hiệu "
            "quả. UBND tỉnh đề nghị Sở Y tế tổ chức các phiên giao dịch việc làm.\n")
    assert audiences(import_letter(page, PROVINCE)) == ["unit:Sở Y tế"]
    # "Qua làm việc, Sở X được giao …" stays as written, set aside for the editor
    page = ("Qua làm việc, Sở Tài chính được giao thẩm định phương án tự chủ của các đơn vị sự "
            "nghiệp.\n")
    assert import_letter(page, PROVINCE).set_aside == [page.strip()]
    # a short caption at the end of a page, a unit and a verb, is no order cut by the copy
    units = [*PROVINCE, UnitRef(90, "Báo và Phát thanh, Truyền hình Tuyên Quang", "Báo TQ",
                                "service")]
    page = ("Sở Tài chính chủ trì bố trí kinh phí.\n\n"
            "Báo và Phát thanh, Truyền hình Tuyên Quang ra quân tuyên truyền\n")
    assert audiences(import_letter(page, units)) == ["unit:Sở Tài chính"]


def test_what_a_leader_s_order_is_about_and_a_page_s_posting_time():
    # "Liên quan đến …, Chủ tịch UBND tỉnh đề nghị …": the matter, then the order
    page = ("07/09/2022 17:03\nLiên quan đến giải ngân vốn đầu tư công, Chủ tịch UBND tỉnh "
            "đề nghị chủ tịch UBND các huyện tập trung chỉ đạo đẩy nhanh giải phóng mặt bằng.\n")
    assert tasks(import_letter(page, CITY_DISTRICTS)) == [
        ("kind:commune", None, "Tập trung chỉ đạo đẩy nhanh giải phóng m")]
    # the time a page was posted, alone on its line, is no part of its text
    for line in ("07/09/2022 17:03", "05/08/2022 10:07 GMT+7", "Thứ hai 23/5/2022",
                 "Ngày 18/08/2019 00:00:00", "2025-09-24 10:00"):
        assert is_furniture(line), line
    for line in ("Ngày 18/08/2019, Sở Y tế họp giao ban", "Trước ngày 15/7/2022"):
        assert not is_furniture(line), line
    # where it stands, the headline above it ends: it is not glued onto the lead
    for headline in ("Tăng cường phòng chống dịch", "Giao ban công tác xây dựng"):
        page = (f"{headline}\nNgày 10/9/2024\nViệc phòng chống dịch cần được triển khai "
                "quyết liệt. Sở Y tế chủ trì thực hiện.\n")
        assert tasks(import_letter(page, PROVINCE)) == [
            ("unit:Sở Y tế", None, "Sở Y tế chủ trì thực hiện.")], headline


def test_from_the_district_down_to_the_communes_is_every_unit():
    for who in ("từ cấp huyện đến cấp xã", "từ huyện đến cơ sở"):
        page = (f"Theo đó, yêu cầu {who} phân công trách nhiệm cụ thể cho từng thành viên. Đồng "
                "thời, đẩy mạnh công tác thông tin tuyên truyền phòng chống dịch.\n")
        assert audiences(import_letter(page, DISTRICT)) == ["all", "all"], who


def test_an_order_to_businesses_or_households_is_flagged_not_given_to_a_unit():
    page = ("UBND tỉnh yêu cầu Sở Y tế thành lập các đoàn kiểm tra.\n\n"
            "UBND tỉnh cũng đề nghị các doanh nghiệp cấp nước có phương án bảo đảm cung cấp nước "
            "sạch cho người dân.\n")
    draft = import_letter(page, PROVINCE)
    assert audiences(draft) == ["unit:Sở Y tế", "unmatched"]
    assert "nhiệm vụ giao cho «Đề nghị các doanh nghiệp cấp nước" in draft.tasks[1].notes[-1]
    # in a letter with recipients too: the order names who it is for
    assert sorted(audiences(letter("1. Sở Y tế kiểm tra an toàn thực phẩm.\n2. Đề nghị các hộ "
                                   "gia đình chủ động tiêm phòng cho đàn vật nuôi.\n"))) == [
        "unit:Sở Y tế", "unmatched"]


def test_what_something_is_or_shows_is_no_order():
    page = ("Việc tham gia hỗ trợ của các doanh nghiệp, hộ kinh doanh thể hiện tinh thần trách "
            "nhiệm vì cộng đồng, vì sự phát triển kinh tế - xã hội; đảm bảo quốc phòng - an ninh "
            "của huyện.\n")
    assert tasks(import_letter(page, DISTRICT)) == []
    # a "Việc …" that says what must be done and by when is still an order
    page = "1. Việc rà soát hồ sơ phải hoàn thành trước ngày 30/6/2025.\n"
    assert [d for _, d, _ in tasks(letter(page))] == [date(2025, 6, 30)]
    page = "1. Việc tuyển sinh lớp 1, lớp 6 hoàn thành trong tháng 7/2025.\n"
    assert [d for _, d, _ in tasks(letter(page))] == [date(2025, 7, 31)]


def test_a_city_and_a_district_that_share_a_place_s_name_are_told_apart_by_level():
    units = [UnitRef(1, "Sở Nội vụ", "", "office"),
             UnitRef(2, "UBND thành phố Thủ Đức", "Thủ Đức", "commune"),
             UnitRef(3, "UBND quận Thủ Đức", "Q. Thủ Đức", "commune"),
             UnitRef(4, "UBND Quận 2", "Quận 2", "commune")]
    page = ("UBND TP.HCM yêu cầu TP Thủ Đức hoàn thiện các quy chế hoạt động trước ngày "
            "29/1/2021.\n\nĐề nghị quận Thủ Đức bàn giao hồ sơ.\n")
    assert tasks(import_letter(page, units)) == [
        ("unit:UBND thành phố Thủ Đức", date(2021, 1, 29),
         "Hoàn thiện các quy chế hoạt động trước n"),
        ("unit:UBND quận Thủ Đức", None, "Bàn giao hồ sơ.")]
    # the place alone is either of them: no guess
    assert audiences(import_letter("Đề nghị Thủ Đức bàn giao hồ sơ.\n", units)) == []


def test_the_places_a_visit_is_to_are_those_its_orders_to_the_localities_mean():
    page = ("Kiểm tra bầu cử các xã Tân Phú và thị trấn Mỹ Lộc\n\n"
            "Sáng ngày 26/4/2021, Chủ tịch Ủy ban bầu cử huyện đến kiểm tra tại xã Tân Phú và "
            "thị trấn Mỹ Lộc. Chủ tịch Ủy ban bầu cử huyện lưu ý các địa phương cần rà soát lại "
            "danh sách cử tri đã niêm yết.\n")
    draft = import_letter(page, [*DISTRICT, UnitRef(8, "UBND xã Tân Hòa", "Tân Hòa",
                                                    "commune")])
    assert audiences(draft) == ["units:6,7"]
    assert draft.tasks[0].notes[-1].startswith("Đối tượng là các địa phương ở đầu bài (")
    # an order to every one, or to those a word picks out, is not narrowed
    for who in ("các xã trên toàn huyện", "các xã có rừng", "các địa phương trong huyện"):
        wide = page.replace("lưu ý các địa phương cần", f"lưu ý {who} cần")
        assert audiences(import_letter(wide, [*DISTRICT, UnitRef(
            8, "UBND xã Tân Hòa", "Tân Hòa", "commune")])) == ["kind:commune"], who
    # a visit to every one of them: every one
    page = page.replace("các xã Tân Phú và thị trấn Mỹ Lộc\n", "các xã, thị trấn trong huyện\n")
    assert audiences(import_letter(page, [*DISTRICT, UnitRef(8, "UBND xã Tân Hòa", "Tân Hòa",
                                                             "commune")])) == ["kind:commune"]


def test_the_news_that_a_letter_was_sent_from_a_city_written_with_a_dot():
    page = ("Phó Chủ tịch UBND TP.HCM Võ Văn Hoan vừa có công văn khẩn gửi thủ trưởng các sở, "
            "ngành và Chủ tịch UBND quận Hải Châu về tiến độ tổ chức hoạt động của quận.\n\n"
            "UBND thành phố yêu cầu UBND quận Hải Châu hoàn thiện các quy chế trước ngày "
            "29/1/2021.\n")
    assert tasks(import_letter(page, CITY_DISTRICTS)) == [
        ("unit:UBND quận Hải Châu", date(2021, 1, 29), "Hoàn thiện các quy chế trước ngày 29/1/2")]
    # an order in a later clause of such news is still read
    page = ("UBND TP.HCM vừa có công văn về việc sắp xếp, yêu cầu UBND quận Hải Châu rà soát hồ "
            "sơ.\n")
    assert audiences(import_letter(page, CITY_DISTRICTS)) == ["unit:UBND quận Hải Châu"]


def test_two_sentences_a_web_copy_joined_without_a_space():
    page = "1. Sở Y tế đã hoàn thành kế hoạch của đơn vị.Sở Tài chính bố trí kinh phí thực hiện.\n"
    assert ("unit:Sở Tài chính", None, "Sở Tài chính bố trí kinh phí thực hiện.") in \
        tasks(letter(page))
    # a city's name written with a dot stays one word
    assert [text for _, _, text in tasks(import_letter(
        "UBND TP.Hồ Chí Minh yêu cầu Sở Y tế kiểm tra hồ sơ.\n", PROVINCE))] == [
        "Kiểm tra hồ sơ."]


def test_a_letter_sent_on_a_day_and_a_date_under_its_heading():
    # "Ngày …, UBND tỉnh có văn bản yêu cầu …": the day stands for "vừa"; "phối hợp" is no
    # meeting ("họp") that would make the sentence a meeting's frame
    page = ("Triển khai Luật Giao thông đường bộ\n15/01/2025 08:30\nNgày 15/01/2025, UBND tỉnh "
            "có văn bản yêu cầu Sở Y tế phối hợp Công an tỉnh tuyên truyền Luật, hoàn thành "
            "trước ngày 28/2.\n")
    assert tasks(import_letter(page, PROVINCE)) == [
        ("unit:Sở Y tế", date(2025, 2, 28), "Phối hợp Công an tỉnh tuyên truyền Luật,")]
    # a date under "…:" is that paragraph's; the order after it is read on its own
    page = ("Cuộc họp tổ chức vào:\n15/4/2024 08:00\nSở Tài chính chuẩn bị tài liệu, gửi đại "
            "biểu trước ngày 12/4/2024.\n")
    assert tasks(letter(page)) == [
        ("unit:Sở Tài chính", date(2024, 4, 12), "Sở Tài chính chuẩn bị tài liệu, gửi đại ")]


# ---- the verbs orders are given with, and advice to the public


@pytest.mark.parametrize("order", [
    "áp dụng các biện pháp bảo đảm an toàn", "phát quang bụi rậm, khơi thông cống rãnh",
    "di dời người dân ra khỏi vùng nguy hiểm", "gia cố, chằng chống nhà cửa",
    "tiêm phòng cho đàn gia súc", "khử trùng, tiêu độc chuồng trại", "cắm biển cảnh báo",
    "giải tỏa hành lang an toàn giao thông", "cưỡng chế công trình vi phạm",
    "bồi thường, giải phóng mặt bằng dự án", "dự trữ lương thực",
    "ứng phó với bão số 3", "chi trả trợ cấp đúng hạn", "cải tạo, chỉnh trang trụ sở",
    "quản lý chặt chẽ các nguồn thải", "bảo vệ rừng đầu nguồn", "phòng, chống dịch bệnh",
    "kiểm soát chặt chẽ việc vận chuyển gia súc", "trực ban 24/24 giờ"])
def test_an_order_given_with_a_verb_of_the_field(order):
    assert audiences(letter(f"Sở Y tế {order} trên địa bàn tỉnh.")) == ["unit:Sở Y tế"]


def test_a_field_s_words_in_a_unit_s_name_are_no_order():
    """"Ban Quản lý", "Chi cục Bảo vệ thực vật", "công tác phòng, chống": the name of a body or
    a field of work, not what a unit is told to do."""
    draft = letter("Chi cục Bảo vệ thực vật, Ban Quản lý dự án đã có báo cáo kết quả.\n"
                   "Công tác quản lý, kiểm soát dịch bệnh còn hạn chế.")
    assert tasks(draft) == []


def test_advice_to_the_public_is_set_aside_for_the_editor():
    draft = letter("Để chủ động ứng phó với cơn bão số 3, UBND tỉnh đề nghị người dân nghiêm túc "
                   "thực hiện các nội dung sau:\n"
                   "1. Chặt tỉa cây cối quanh nhà, gia cố mái nhà, cửa sổ.\n"
                   "2. Tuyệt đối không lội nước, không đứng dưới gốc cây lớn.\n"
                   "Sở Y tế bố trí lực lượng sẵn sàng cấp cứu người bị nạn.")
    assert audiences(draft) == ["unit:Sở Y tế"]
    assert draft.set_aside == ["Chặt tỉa cây cối quanh nhà, gia cố mái nhà, cửa sổ.",
                               "Tuyệt đối không lội nước, không đứng dưới gốc cây lớn."]
    assert draft.unread == []
    assert any("lời khuyến cáo người dân" in w for w in draft.warnings)
    # the same items after an order to units are tasks
    draft = letter("UBND tỉnh đề nghị UBND các xã, phường thực hiện các nội dung sau:\n"
                   "1. Chặt tỉa cây cối quanh trụ sở, gia cố mái nhà.\n"
                   "2. Tuyệt đối không để người dân lội nước qua ngầm tràn.")
    assert audiences(draft) == ["kind:commune", "kind:commune"]


@pytest.mark.parametrize("sentence", [
    "Sở Y tế theo chức năng, nhiệm vụ được giao xây dựng kế hoạch tiêm chủng.",
    "Sở Y tế sớm có kế hoạch tiêm chủng cho trẻ em.",
    "Sở Y tế cần có giải pháp giảm tải cho bệnh viện tuyến tỉnh.",
    "Đề nghị Sở Y tế có ý kiến về dự thảo trước ngày 30/9/2025.",
    "Sở Y tế làm việc với các xã về công tác tiêm chủng.",
    "Sở Y tế trồng cây xanh tại khuôn viên trụ sở.",
    "Sở Y tế vệ sinh trụ sở làm việc trước Tết.",
])
def test_an_order_in_the_ways_units_are_told_to_act(sentence):
    assert audiences(letter(sentence)) == ["unit:Sở Y tế"]


def test_the_thing_a_verb_also_names_is_no_order():
    assert tasks(letter("Công tác bảo đảm an toàn vệ sinh thực phẩm còn nhiều hạn chế.\n"
                        "Nhà vệ sinh của trường học đã xuống cấp.")) == []


@pytest.mark.parametrize("items", [
    "Thứ nhất, rà soát thủ tục hành chính.\nThứ hai, đẩy mạnh chuyển đổi số.\n"
    "Thứ ba, kiểm tra công vụ.",
    "Một là, rà soát thủ tục hành chính.\nHai là, đẩy mạnh chuyển đổi số.\n"
    "Ba là, kiểm tra công vụ.",
    "Thứ nhất, rà soát thủ tục hành chính. Thứ hai, đẩy mạnh chuyển đổi số. Thứ ba, là kiểm "
    "tra công vụ.",
    "Một là, rà soát thủ tục hành chính; hai là, đẩy mạnh chuyển đổi số; ba là, kiểm tra "
    "công vụ.",
])
def test_items_counted_in_words(items):
    """"Thứ nhất, … Thứ hai, …", "Một là, …; hai là, …": items, on their own lines or inline."""
    draft = letter("Đề nghị các sở, ban, ngành thực hiện tốt các nội dung sau: " + items)
    assert tasks(draft) == [("kind:office", None, "Rà soát thủ tục hành chính."),
                            ("kind:office", None, "Đẩy mạnh chuyển đổi số."),
                            ("kind:office", None, "Kiểm tra công vụ.")]


def test_a_weekday_is_no_item():
    draft = letter("Sở Y tế tổ chức hội nghị trước Thứ hai, ngày 15/9/2025. Thứ ba, ngày "
                   "16/9/2025, Sở Nội vụ tổ chức tập huấn.")
    assert [task.text for task in draft.tasks][0].startswith(
        "Sở Y tế tổ chức hội nghị trước Thứ hai, ngày 15/9/2025.")


def test_carrying_out_a_resolution_whose_title_has_commas_is_the_order():
    draft = letter("- Triển khai Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột "
                   "phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số.")
    assert len(draft.tasks) == 1
    assert audiences(draft) == audiences(letter("- Rà soát thủ tục hành chính."))
    # a lead that tells what was done after the same words is still no order
    draft = letter("Triển khai Kế hoạch số 12/KH-UBND ngày 10/3/2025, các xã đã tổ chức ra quân.")
    assert tasks(draft) == []


def test_what_a_unit_holds_or_a_body_named_by_its_work_is_no_order():
    """Counted holdings ("quản lý 3 chợ", "bảo quản hơn 500 hồ sơ"), a body named by its work
    ("Trung tâm Lưu trữ", "Hội đồng bồi thường"), a plan named by it ("Phương án di dời …"),
    a document cited ("có Kế hoạch số …") and what a plan is about ("về phòng, chống dịch")."""
    units = [*PROVINCE, UnitRef(30, "Sở Xây dựng", "", "office")]
    draft = letter("UBND xã An Bình quản lý 3 chợ dân sinh và 2 bến đò. UBND phường Mỹ Phước "
                   "bảo quản hơn 500 hồ sơ địa chính.\n"
                   "Trung tâm Lưu trữ lịch sử tỉnh hiện đang lưu trữ 20.000 hồ sơ.\n"
                   "Phương án di dời các hộ dân vùng sạt lở đang được lập.\n"
                   "Sở Y tế có Kế hoạch số 123/KH-SYT ngày 01/7/2025 về phòng, chống dịch sốt "
                   "xuất huyết.\n"
                   "Giao Sở Xây dựng thẩm định phương án, hoàn thành trước ngày 30/9/2025.", units)
    assert tasks(draft) == [
        ("unit:Sở Xây dựng", date(2025, 9, 30), "Thẩm định phương án, hoàn thành trước ng")]


def test_counted_items_after_what_tells_rather_than_orders_are_not_split():
    draft = letter("Nguyên nhân chủ yếu là: thứ nhất, Sở Y tế chưa quyết liệt; thứ hai, UBND xã "
                   "Tân Phú phối hợp chưa chặt chẽ.")
    assert tasks(draft) == []


def test_an_item_to_a_unit_or_a_unit_beside_the_public_stays_a_task():
    units = [*PROVINCE, UnitRef(30, "Công an phường Mỹ Phước", "", "office")]
    draft = letter("UBND tỉnh đề nghị người dân thực hiện các nội dung sau:\n"
                   "1. Chằng chống nhà cửa.\n"
                   "2. Công an phường Mỹ Phước tăng cường tuần tra, bảo vệ tài sản.", units)
    assert audiences(draft) == ["unit:Công an phường Mỹ Phước"]
    draft = letter("Đề nghị người dân và UBND các xã, phường thực hiện các nội dung sau:\n"
                   "1. Người dân chằng chống nhà cửa.\n"
                   "2. Rà soát các hộ cần di dời, báo cáo trước ngày 25/8/2025.")
    assert tasks(draft)[-1][:2] == (audiences(letter("- Rà soát các hộ.\n"))[0],
                                    date(2025, 8, 25))
    assert "Người dân chằng chống nhà cửa." in draft.set_aside
    # units told to guide the public: one order, what people are to do listed in it
    draft = letter("Đề nghị UBND các xã, phường hướng dẫn Nhân dân thực hiện các biện pháp sau:\n"
                   "- Chằng chống nhà cửa, gia cố lồng bè.\n- Thu hoạch sớm lúa, hoa màu.\n"
                   "- Không ra khơi khi có bão.")
    assert [(a, t) for a, _, t in tasks(draft)] == [
        ("kind:commune", "Hướng dẫn Nhân dân thực hiện các biện ph")]
    assert "Chằng chống nhà cửa" in draft.tasks[0].text


def test_the_month_a_unit_is_to_finish_its_work_in_is_its_deadline():
    draft = letter("1. Sở Y tế hoàn thành các công việc sửa chữa trụ sở trong tháng 9.\n"
                   "2. Giao Sở Tài chính hoàn thành nhiệm vụ quyết toán trong tháng 10.")
    assert [d for _, d, _ in tasks(draft)] == [date(2025, 9, 30), date(2025, 10, 31)]


def test_a_heading_that_carries_out_a_resolution_above_its_own_items_is_no_task():
    units = [*PROVINCE, UnitRef(30, "Sở Khoa học và Công nghệ", "Sở KH&CN", "office")]
    draft = letter("1. Triển khai Nghị quyết số 57-NQ/TW về phát triển khoa học, công nghệ\n"
                   "a) Sở KH&CN xây dựng kế hoạch thực hiện.\n"
                   "b) Sở Tài chính bố trí kinh phí.", units)
    assert audiences(draft) == ["unit:Sở Khoa học và Công nghệ", "unit:Sở Tài chính"]


def test_the_front_and_the_mass_bodies_as_letters_name_them():
    units = [*PROVINCE, UnitRef(40, "Ủy ban MTTQ Việt Nam tỉnh", "", "office"),
             UnitRef(41, "Hội Liên hiệp Phụ nữ tỉnh", "", "office"),
             UnitRef(42, "Tỉnh đoàn", "", "office"),
             UnitRef(43, "Hội đồng thi đua khen thưởng tỉnh", "", "office")]
    mass = "units:40,41,42"
    for words in ("Ủy ban MTTQ Việt Nam và các đoàn thể", "các tổ chức chính trị - xã hội",
                  "UB.MTTQVN và các đoàn thể tỉnh", "các hội, đoàn thể"):
        assert audiences(letter(f"Đề nghị {words} tuyên truyền, vận động hội viên.",
                                units)) == [mass], words
    for words in ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "MTTQ tỉnh", "Mặt trận Tổ quốc"):
        assert audiences(letter(f"Đề nghị {words} tuyên truyền, vận động hội viên.",
                                units)) == ["unit:Ủy ban MTTQ Việt Nam tỉnh"], words


@pytest.mark.parametrize("who", ["Đồng chí Giám đốc Sở Y tế", "Đ/c Giám đốc Sở Y tế",
                                 "Đề nghị đồng chí Giám đốc Sở Y tế", "Giám đốc Sở Y tế"])
def test_an_order_to_a_units_head_named_as_comrade_is_the_units(who):
    draft = letter(f"1. {who} chỉ đạo xây dựng kế hoạch tiêm chủng, báo cáo trước ngày "
                   "30/8/2025.\n2. Các đồng chí Chủ tịch UBND các xã, phường chỉ đạo rà soát "
                   "hộ nghèo.\n3. Đồng chí Giám đốc Sở Nội vụ: rà soát biên chế.")
    assert [(who, when) for who, when, _ in tasks(draft)] == [
        ("unit:Sở Y tế", date(2025, 8, 30)), ("kind:commune", None), ("unit:Sở Nội vụ", None)]


def test_what_the_issuers_head_did_is_no_task_but_what_he_orders_is():
    draft = letter("Đồng chí Chủ tịch Ủy ban nhân dân tỉnh tặng quà, chúc Tết cán bộ Sở Y tế.\n"
                   "Chủ tịch UBND tỉnh thăm hỏi các gia đình chính sách.\n"
                   "Chủ tịch UBND tỉnh chỉ đạo Sở Tài chính bố trí kinh phí.\n"
                   "UBND các xã, phường thăm hỏi, tặng quà các gia đình chính sách.")
    assert audiences(draft) == ["unit:Sở Tài chính", "kind:commune"]


def test_a_meeting_of_the_residents_a_unit_is_to_hold_is_its_task():
    draft = letter("1. UBND các xã, phường tổ chức họp dân để phổ biến kế hoạch.\n"
                   "2. UBND tỉnh tổ chức phiên họp thường kỳ tháng 8.\n"
                   "3. UBND xã Tân Phú tổ chức họp với các hộ dân bị ảnh hưởng.")
    assert audiences(draft) == ["kind:commune", "unit:UBND xã Tân Phú"]


COMMUNE = [UnitRef(i, name, "", kind) for i, (name, kind) in enumerate([
    ("Văn phòng HĐND và UBND xã", "office"), ("Công chức Tư pháp - Hộ tịch", "office"),
    ("Công chức Văn hóa - Xã hội", "office"), ("Công chức Địa chính - Xây dựng", "office"),
    ("Công an xã", "office"), ("Thôn 1", "commune"), ("Thôn 2", "commune")], start=1)]


@pytest.mark.parametrize("who", ["Đề nghị cán bộ, công chức xã", "Cán bộ, công chức UBND xã",
                                 "Các công chức chuyên môn", "Các công chức"])
def test_a_communes_civil_servants_are_its_civil_servants_units(who):
    draft = letter(f"{who} chấp hành tốt giờ giấc làm việc.\n"
                   "Công chức Tư pháp - Hộ tịch rà soát thủ tục.\n"
                   "Đối với trường hợp vi phạm là cán bộ, công chức, người lao động, Công an xã "
                   "lập danh sách gửi về UBND xã.", COMMUNE)
    assert audiences(draft) == ["units:2,3,4", "unit:Công chức Tư pháp - Hộ tịch",
                                "unit:Công an xã"]


def test_an_agreement_then_the_order_that_carries_it_out():
    draft = conclusions(
        "1. Đồng ý chủ trương điều chuyển vốn giữa các dự án; Sở Tài chính hoàn thiện thủ tục "
        "theo quy định.\n"
        "2. Thống nhất với đề xuất của Sở Y tế, giao Sở Tài chính bố trí kinh phí.\n"
        "3. Cơ bản thống nhất nội dung dự thảo; Sở Khoa học và Công nghệ tiếp thu ý kiến, hoàn "
        "thiện trình UBND tỉnh trước ngày 15/9/2025.\n"
        "4. Thống nhất với báo cáo của Sở Y tế, Sở Tài chính về kết quả thực hiện.\n"
        "5. Đồng ý với đề xuất của UBND xã Tân Phú về việc sửa chữa trụ sở.")
    assert [(who, when, text[:12]) for who, when, text in tasks(draft)] == [
        ("unit:Sở Tài chính", None, "Hoàn thiện t"), ("unit:Sở Tài chính", None, "Bố trí kinh "),
        ("unit:Sở Khoa học và Công nghệ", date(2025, 9, 15), "Tiếp thu ý k")]


@pytest.mark.parametrize("lead", ["Trong đó", "Cụ thể", "Riêng đối với cơ sở chế biến thủy sản",
                                  "Trong thời gian chờ sửa chữa", "Sau khai giảng",
                                  "Hằng tháng, trước ngày 20"])
def test_a_short_lead_before_who_acts(lead):
    draft = letter(f"{lead}, Sở Y tế và UBND xã Tân Phú kiểm tra, xử lý vi phạm.")
    assert audiences(draft) == [f"units:{ID['Sở Y tế']},{ID['UBND xã Tân Phú']}"]


def test_a_lead_that_tells_what_was_done_gives_no_task():
    draft = letter("Ngày 02/4/2025, Văn phòng UBND tỉnh có Công văn số 597/VPUBND-KT truyền đạt "
                   "ý kiến chỉ đạo của Chủ tịch UBND tỉnh.\n"
                   "Theo chỉ đạo của UBND tỉnh, trong thời gian qua, UBND xã Tân Phú tiến hành rà "
                   "soát các vi phạm.")
    assert tasks(draft) == []


def test_an_occasion_named_before_its_date_is_the_deadline():
    draft = letter("1. Trước ngày khai giảng 05/9/2025, Sở Y tế hoàn thành sửa chữa phòng học.\n"
                   "2. UBND các xã, phường hoàn thành trước kỳ họp thứ 10 ngày 15/12/2025.\n"
                   "3. Sở Tài chính hoàn thành trước Lễ kỷ niệm (02/9/2026).")
    assert [when for _, when, _ in tasks(draft)] == [date(2025, 9, 5), date(2025, 12, 15),
                                                      date(2026, 9, 2)]


def test_sending_someone_is_an_order():
    draft = letter("1. Sở Y tế cử 01 lãnh đạo tham gia Tổ công tác, gửi danh sách về Sở Nội vụ "
                   "trước ngày 20/8/2025.\n2. Đề nghị Sở Tài chính cử cán bộ dự họp.\n"
                   "3. Cụ thể, Sở Nội vụ rà soát biên chế.")
    assert sorted((who, when) for who, when, _ in tasks(draft)) == [
        ("unit:Sở Nội vụ", None), ("unit:Sở Tài chính", None), ("unit:Sở Y tế", date(2025, 8, 20))]


def test_a_topic_before_a_colon_then_the_order_on_it():
    draft = conclusions(
        "1. Đối với đề xuất của Sở Y tế: giao Sở Nội vụ nghiên cứu, tham mưu.\n"
        "2. Việc chăm lo Tết cho đối tượng chính sách: Sở Nội vụ tham mưu mức quà tặng, trình "
        "UBND tỉnh trước ngày 20/12/2025.\n"
        "3. Công tác bảo đảm an ninh trật tự: các xã, phường chủ động phối hợp với lực lượng "
        "công an tuần tra dịp Tết.\n"
        "4. Đối với UBND xã An Bình: Tập trung hoàn thành chỉ tiêu thu ngân sách.")
    assert [(who, when) for who, when, _ in tasks(draft)] == [
        ("unit:Sở Nội vụ", None), ("unit:Sở Nội vụ", date(2025, 12, 20)), ("kind:commune", None),
        ("unit:UBND xã An Bình", None)]


def test_a_unit_given_a_task_in_the_passive_is_its_task():
    draft = letter("1. UBND xã An Bình được giao công khai phương án bồi thường.\n"
                   "2. Sở Tài chính được giao nhiệm vụ thẩm định dự toán, hoàn thành trước ngày "
                   "30/9/2025.\n"
                   "3. Năm 2024, Sở Y tế đã được giao kiểm tra 300 cơ sở.")
    assert [(who, when) for who, when, _ in tasks(draft)] == [
        ("unit:UBND xã An Bình", None), ("unit:Sở Tài chính", date(2025, 9, 30))]


@pytest.mark.parametrize("lead", ["Kiểm tra hiện trường, ", "Làm việc với Sở Tài chính, ",
                                  "Đánh giá cao kết quả này, ", ""])
def test_a_visit_before_the_speaker_and_a_speaker_who_heads_a_board(lead):
    page = (f"{lead}Phó Chủ tịch UBND tỉnh yêu cầu Sở Y tế kiểm tra an toàn thực phẩm.\n"
            "Trưởng Ban Tổ chức đề nghị Sở Nội vụ chuẩn bị khen thưởng.\n"
            "Trưởng Ban Chỉ đạo yêu cầu UBND xã Tân Phú rà soát hộ nghèo.\n")
    assert [who for who, _, _ in tasks(import_letter(page, PROVINCE))] == [
        "unit:Sở Y tế", "unit:Sở Nội vụ", "unit:UBND xã Tân Phú"]


def test_a_boards_duty_is_its_task():
    units = [*PROVINCE, UnitRef(50, "Ban Chỉ đạo chiến dịch tiêm vắc xin tỉnh", "", "office")]
    draft = letter("Ban Chỉ đạo có nhiệm vụ giúp Chủ tịch UBND tỉnh chỉ đạo, đôn đốc, kiểm tra "
                   "chiến dịch tiêm vắc xin.\nSở Y tế có trách nhiệm hướng dẫn các xã thực hiện.",
                   units)
    assert audiences(draft) == ["unit:Ban Chỉ đạo chiến dịch tiêm vắc xin tỉnh", "unit:Sở Y tế"]


@pytest.mark.parametrize("words, when", [
    ("báo cáo tình hình (số liệu tính đến ngày 31/12/2025), gửi về UBND tỉnh trước ngày "
     "15/01/2026", date(2026, 1, 15)),
    ("báo cáo kết quả (số liệu từ ngày 15/11/2025 đến ngày 14/12/2025) trước ngày 18/12/2025",
     date(2025, 12, 18)),
    ("kiểm tra các cơ sở từ ngày 02/9 đến ngày 05/9/2025 và gửi kết quả trước ngày 10/9/2025",
     date(2025, 9, 10)),
    ("báo cáo số liệu tính đến ngày 30/9/2025", None),
    ("tổ chức Hội nghị cấp tỉnh. Thời gian: tháng 11/2025", date(2025, 11, 30)),
    ("hoàn thành tiêu chí cảnh quan môi trường trong 6 tháng đầu năm 2026", date(2026, 6, 30)),
    # (the first half of the letter's year, over on its date: what the order is about)
    ("báo cáo kết quả thực hiện trong 6 tháng đầu năm", None),
    ("kiểm tra, báo cáo kết quả trong thời hạn 10 ngày kể từ ngày ký", date(2025, 8, 20)),
    ("giải quyết trong thời hạn 15 ngày kể từ ngày 28/8/2025", date(2025, 9, 12)),
    ("giải quyết trong 5 ngày làm việc kể từ ngày ký", date(2025, 8, 15)),
    ("báo cáo định kỳ 6 tháng (trước ngày 10/6) và năm (trước ngày 10/12)", None),
    ("gửi bản đăng ký thi đua. Hạn chót gửi bản đăng ký: 10 giờ ngày 08/9/2025",
     date(2025, 9, 8)),
])
def test_deadlines_as_reporting_letters_give_them(words, when):
    draft = letter(f"Sở Y tế {words}.")
    assert [deadline for _, deadline, _ in tasks(draft)] == [when]


def test_the_units_a_letter_is_sent_to_by_name_are_its_cac_don_vi_and_quy_co_quan():
    header = HEADER.replace("- Các sở, ban, ngành tỉnh;\n- UBND các xã, phường.",
                            "- Sở Y tế;\n- Sở Tài chính.")
    draft = import_letter(header + "1. Đề nghị các đơn vị bổ sung hồ sơ trước ngày 24/9/2025.\n"
                          "2. Đề nghị Quý cơ quan cử cán bộ dự họp." + SIGNATURE, PROVINCE)
    both = f"units:{ID['Sở Tài chính']},{ID['Sở Y tế']}"
    assert audiences(draft) == [both, both]
    # sent to groups, "các đơn vị" stays every unit
    assert audiences(letter("Đề nghị các đơn vị bổ sung hồ sơ.")) == ["all"]


def test_a_heading_of_a_units_duties_and_a_closing_line_of_a_cong_dien():
    draft = letter("1. Trách nhiệm của Sở Tài chính\nThẩm định, phân bổ vốn trong quý I/2026.\n"
                   "2. Nhiệm vụ của UBND các xã, phường:\n- Rà soát hộ nghèo.\n"
                   "Yêu cầu Thủ trưởng các cơ quan, đơn vị nghiêm túc thực hiện Công điện này.")
    assert [(who, when) for who, when, _ in tasks(draft)] == [
        ("unit:Sở Tài chính", date(2026, 3, 31)), ("kind:commune", None)]


CONG_DIEN = """ỦY BAN NHÂN DÂN
TỈNH ĐỒNG THÁP
Số: 10/CĐ-UBND
Đồng Tháp, ngày 06 tháng 9 năm 2025
CÔNG ĐIỆN
Về việc ứng phó triều cường
"""


@pytest.mark.parametrize("wired", [
    "", "CHỦ TỊCH UBND TỈNH ĐIỆN:\n- Giám đốc các sở: Y tế, Tài chính;\n- Chủ tịch UBND các xã, "
    "phường.\n", "Chủ tịch UBND tỉnh điện: Giám đốc Sở Y tế; Chủ tịch UBND các xã, phường.\n"])
def test_a_cong_dien_its_wired_addressees_and_its_body_below_the_title(wired):
    draft = import_letter(CONG_DIEN + wired + "Triều cường đang lên cao.\nChủ tịch UBND tỉnh yêu "
                          "cầu Sở Y tế chuẩn bị thuốc, hóa chất xử lý môi trường.\n" + SIGNATURE,
                          PROVINCE)
    assert draft.title == "Về việc ứng phó triều cường"
    assert audiences(draft) == ["unit:Sở Y tế"]


def test_the_units_named_above_are_those_the_sentence_before_names():
    draft = letter("Tính đến ngày 20/8/2025, còn các đơn vị sau chưa gửi báo cáo: Sở Y tế, "
                   "UBND xã Tân Phú.\nĐề nghị các đơn vị trên khẩn trương gửi báo cáo trước ngày "
                   "24/8/2025.\nĐề nghị các đơn vị bổ sung hồ sơ.")
    assert audiences(draft) == [f"units:{ID['Sở Y tế']},{ID['UBND xã Tân Phú']}", "all"]


def test_the_head_of_a_unit_directing_those_under_it_is_an_order_to_the_unit():
    draft = letter("1. Giám đốc Sở Y tế chỉ đạo các trạm y tế tổ chức tiêm chủng.\n"
                   "2. Chủ tịch UBND tỉnh chỉ đạo: Sở Tài chính bố trí kinh phí.\n"
                   "3. Phó Chủ tịch UBND tỉnh đánh giá cao kết quả tại các xã, đồng thời chỉ đạo "
                   "UBND xã Tân Phú tiếp tục rà soát hộ nghèo.")
    assert audiences(draft) == ["unit:Sở Y tế", "unit:Sở Tài chính", "unit:UBND xã Tân Phú"]


def test_when_then_the_order_with_no_one_named_is_the_recipients_order():
    draft = letter("Định kỳ hằng tháng, báo cáo kết quả về Sở Nội vụ.\n"
                   "Trong tháng 9/2025, hoàn thành việc sắp xếp trụ sở.")
    assert [(who, when) for who, when, _ in tasks(draft)] == [
        ("units:1,2,3,4,5,7,8,9", None), ("units:1,2,3,4,5,7,8,9", date(2025, 9, 30))]


def test_registering_is_an_order_a_registration_form_is_not():
    draft = letter("Các sở, ban, ngành đăng ký danh hiệu thi đua năm 2026.\n"
                   "Hồ sơ đăng ký của các sở, ban, ngành đã được tổng hợp.")
    assert [(who, when) for who, when, _ in tasks(draft)] == [("kind:office", None)]


def test_deadlines_per_level_each_in_a_sentence_of_its_own():
    draft = letter("Đề nghị các sở, ban, ngành và UBND các xã, phường báo cáo kết quả năm 2025.\n"
                   "Đối với các sở, ban, ngành: gửi báo cáo trước ngày 20/11/2025. Đối với UBND "
                   "các xã, phường: gửi báo cáo trước ngày 25/11/2025.")
    dated = [(who, when) for who, when, _ in tasks(draft) if when]
    assert dated == [("kind:office", date(2025, 11, 20)), ("kind:commune", date(2025, 11, 25))]


def test_what_a_piece_of_work_is_and_thanks_are_no_tasks():
    draft = letter("1. Giải ngân vốn đầu tư công là nhiệm vụ chính trị trọng tâm, góp phần thúc "
                   "đẩy tăng trưởng.\n2. Thống kê đất đai được thực hiện hằng năm.\n"
                   "3. Rà soát các hồ sơ đã tiếp nhận, báo cáo kết quả.\n"
                   "4. Kiểm tra các cơ sở chưa được cấp phép.\n"
                   "5. Bố trí kinh phí để người dân được hỗ trợ kịp thời.\n"
                   "Văn phòng UBND tỉnh trân trọng cảm ơn sự phối hợp của quý cơ quan.")
    assert [text[:12] for _, _, text in tasks(draft)] == [
        "Rà soát các ", "Kiểm tra các", "Bố trí kinh "]
