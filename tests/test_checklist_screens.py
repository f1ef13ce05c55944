"""A unit's checklist as it reads: an overview of every task first, approved items folded away,
each item offering only what makes sense in its state and saying what it lacks before "Gửi duyệt";
people named by their full names; an item's history the same on the page and in an htmx swap."""

from __future__ import annotations

import re

from portal.demo import sample_pdf

from .support.statements import count_statements

PDF = sample_pdf("kiem chung")


def checklist_url(ids, unit_name: str = "Phường 1") -> str:
    return f"/directives/{ids.directive()}/units/{ids.unit(unit_name)}"


def article(html: str, item_id: int) -> str:
    return re.search(rf'<article[^>]*id="item-{item_id}".*?</article>', html, re.S).group(0)


def history_of(html: str, item_id: int) -> str:
    return re.search(r'<details class="history">.*?</details>', article(html, item_id),
                     re.S).group(0)


def approve(login, item_id: int) -> None:
    response = login("noivu.duyet").post(f"/items/{item_id}/review", {"verdict": "approve"})
    assert response.status_code == 303


def test_checklist_opens_with_an_overview_of_every_task(ward, ids):
    html = ward.get(checklist_url(ids)).get_data(as_text=True)
    overview = re.search(r'<section class="overview".*?</section>', html, re.S).group(0)
    items = re.findall(r'<article class="item[^"]*" id="item-(\d+)"', html)
    rows = re.findall(r'<td class="code">([\d.]+)</td>\s*<th scope="row"><a href="#item-(\d+)">',
                      overview)
    assert [item for _, item in rows] == items and len(items) == 13
    assert rows[0] == ("1.1", str(ids.item("Phường 1", "1.1")))
    first = overview.split("</tr>")[1]
    assert "Báo cáo kết quả khắc phục hạn chế" in first and "16/06/2023" in first
    assert "Chưa thực hiện" in first and "Quá hạn chưa hoàn thành" in first
    assert overview.index("Tổng quan") < html.index('<article')


def test_approved_items_fold_away_and_stay_reachable(ward, login, ids, report_item, app):
    approved, other = ids.item("Phường 1", "1.4"), ids.item("Phường 1", "1.5")
    assert ward.post(f"/items/{approved}/save", {"note": "Đã họp giao ban."}).status_code == 303
    assert ward.post(f"/items/{approved}/submit").status_code == 303
    approve(login, approved)
    html = ward.get(checklist_url(ids)).get_data(as_text=True)
    folded = re.findall(r'<details class="item item-folded status-approved">\s*'
                        r'<summary>(.*?)</summary>\s*<article class="item[^"]*" id="item-(\d+)"',
                        html, re.S)
    assert [item for _, item in folded] == [str(approved)]
    assert "1.4" in folded[0][0] and "Đạt" in folded[0][0]
    assert f'<a href="/items/{approved}">' in html  # the overview leads to its own page
    assert f'<a href="#item-{other}">' in html
    assert "Tổng quan: 13 nhiệm vụ, 1 đã đạt" in html
    assert not re.search(rf'<details class="item item-folded\s*<summary>.*?</summary>\s*'
                         rf'<article class="item[^"]*" id="item-{other}"', html, re.S)


def test_item_says_what_is_missing_before_gui_duyet_is_offered(ward, ids, report_item):
    html = article(ward.get(checklist_url(ids)).get_data(as_text=True), report_item)
    missing = re.search(r'<div class="flash flash-info missing".*?</div>', html, re.S).group(0)
    assert "Chưa gửi duyệt được" in missing and "Đính kèm tệp văn bản" in missing
    assert "giải trình" in missing  # 1.1 was due on 16/06/2023
    assert f'action="/items/{report_item}/submit"' not in html
    assert "Bắt đầu thực hiện</button>" in html

    swapped = ward.upload(report_item, PDF, "Báo cáo.pdf").get_data(as_text=True)
    assert 'flash-info missing"' not in swapped
    assert f'action="/items/{report_item}/submit"' in swapped and "Gửi duyệt</button>" in swapped
    assert "Giải trình lý do chậm" in swapped  # written with the submission
    assert "Bắt đầu thực hiện</button>" not in swapped  # started by the upload


def test_a_figure_not_entered_is_named_until_it_is(ward, ids):
    item_id = ids.item("Phường 1", "1.10")
    html = ward.get(f"/items/{item_id}", htmx=True).get_data(as_text=True)
    assert "Nhập số đạt và tổng số để tính tỷ lệ." in html and "Gửi duyệt</button>" not in html
    html = ward.post(f"/items/{item_id}/save", {"numerator": "9", "denominator": "10"},
                     htmx=True).get_data(as_text=True)
    assert 'flash-info missing"' not in html and "Gửi duyệt</button>" in html


def test_a_submitted_item_offers_the_unit_nothing_to_press(ward, ids):
    item_id = ids.item("Phường 1", "1.4")
    ward.post(f"/items/{item_id}/save", {"note": "Đã thực hiện."})
    ward.post(f"/items/{item_id}/submit")
    html = article(ward.get(checklist_url(ids)).get_data(as_text=True), item_id)
    assert "Chờ duyệt" in html
    assert "<button" not in html and 'flash-info missing"' not in html


def test_people_are_named_by_full_name(ward, login, ids, report_item):
    ward.upload(report_item, PDF, "Báo cáo.pdf", htmx=False)
    ward.post(f"/items/{report_item}/submit", {"late_reason": "Chờ số liệu."})
    approve(login, report_item)
    for client in (ward, login("noivu.duyet")):
        html = article(client.get(f"/items/{report_item}").get_data(as_text=True), report_item)
        assert "người gửi: Huỳnh Kim Hương" in html
        assert "người duyệt: Chuyên viên Phòng Nội vụ" in html
        assert "tải lên bởi Huỳnh Kim Hương" in html
        history = history_of(html, report_item)
        assert ("· Huỳnh Kim Hương (Chủ tịch UBND phường) · Thêm tài liệu kiểm chứng: Báo cáo.pdf"
                in history)
        assert "· Chuyên viên Phòng Nội vụ · Duyệt: Đạt" in history
        assert "phuong1" not in history and "noivu.duyet" not in history


def test_history_is_the_same_on_the_page_and_in_a_swap(ward, ids, report_item):
    ward.upload(report_item, PDF, "Báo cáo.pdf")
    swapped = ward.post(f"/items/{report_item}/save", {"note": "Đã khắc phục."},
                        htmx=True).get_data(as_text=True)
    page = ward.get(checklist_url(ids)).get_data(as_text=True)
    item_page = ward.get(f"/items/{report_item}").get_data(as_text=True)
    assert "Lịch sử (2)" in history_of(swapped, report_item)
    assert history_of(page, report_item) == history_of(swapped, report_item) \
        == history_of(item_page, report_item)
    # The evidence reads the same too: its preview link is on the checklist as in the swap.
    def evidence(html: str) -> str:
        section = re.search(r'<section class="evidence".*?</section>', html, re.S).group(0)
        return re.sub(r'name="csrf_token" value="[^"]*"', "", section)

    assert evidence(article(page, report_item)) == evidence(swapped)
    assert "/evidence/" in evidence(swapped) and ">Xem<" in evidence(swapped)


def test_checklist_costs_the_same_statements_however_much_history(app, ward, ids, report_item):
    url = checklist_url(ids)
    ward.upload(report_item, PDF, "Báo cáo.pdf")
    before = count_statements(app, ward, url)
    for n in range(3):
        item_id = ids.item("Phường 1", f"1.{n + 2}")
        ward.post(f"/items/{item_id}/save", {"note": f"Ghi chú {n}"})
        ward.upload(item_id, PDF, f"Tệp {n}.pdf")
    assert count_statements(app, ward, url) == before
