"""The portal on the city's old office PCs: JavaScript blocked by policy, a keyboard instead of a
mouse, 1024×768 and 1366×768 screens, and pages printed on A4.

- With JavaScript off every form is a plain post that reaches the same result as under htmx.
- Every step of a unit's and a reviewer's work can be done with the keyboard alone.
- No page scrolls sideways; only the matrix body scrolls, its unit names and task codes stuck.
- The checklist, the matrix and the dashboard print on A4 without the navigation or the controls,
  with the directive's title and the day they were printed.
- A screenshot of each role's main page is kept in tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

import re
import struct
from datetime import timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.auth.passwords import check_password
from portal.deadlines import today, utcnow
from portal.demo import sample_pdf
from portal.extensions import db
from portal.models import (
    Directive,
    Evidence,
    EvidenceKind,
    Extension,
    ExtensionStatus,
    Progress,
    ProgressStatus,
    Task,
    Unit,
    User,
)

from ..support.browser import ARTIFACTS, PASSWORD, TIMEOUT_MS, BrowserLog, open_checklist
from ..support.records import item_row

DETAILS = "Cập nhật kết quả, số liệu, tài liệu kiểm chứng"
SCREENS = [(1366, 768), (1024, 768)]
# A4 in PostScript points, as Chromium writes it in each page's /MediaBox.
A4 = (595.28, 841.89)


# --- helpers -------------------------------------------------------------------------------------


def city_today(live_server):
    """Today in Asia/Ho_Chi_Minh, as the portal counts deadlines."""
    with live_server.app.app_context():
        return today()


def dmy(day) -> str:
    return day.strftime("%d/%m/%Y")


def directive_id(live_server, slug: str = "sa-dec-2023-cchc") -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Directive.id).where(Directive.slug == slug))


def unit_id(live_server, name: str) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def checklist_url(live_server, unit: str) -> str:
    return (f"{live_server.url}/directives/{directive_id(live_server)}"
            f"/units/{unit_id(live_server, unit)}")


def matrix_url(live_server, slug: str = "sa-dec-2023-cchc") -> str:
    return f"{live_server.url}/directives/{directive_id(live_server, slug)}/matrix"


def mark_submitted(live_server, *item_ids: int, note: str = "Đã thực hiện đúng quy trình.") -> None:
    """Items sent in by their units (set in the database: these tests are about the reviewer)."""
    with live_server.app.app_context():
        for item_id in item_ids:
            item = db.session.get(Progress, item_id)
            item.status = ProgressStatus.SUBMITTED
            item.note = note
            item.submitted_at = item.updated_at = item.started_at = utcnow()
        db.session.commit()


def evidence_of(live_server, item_id: int) -> list[tuple[EvidenceKind, str]]:
    with live_server.app.app_context():
        rows = db.session.scalars(
            select(Evidence).where(Evidence.progress_id == item_id).order_by(Evidence.id)
        )
        return [(e.kind, e.file_name or e.url) for e in rows]


def extension_of(live_server, item_id: int) -> Extension | None:
    with live_server.app.app_context():
        found = db.session.scalar(select(Extension).where(Extension.progress_id == item_id))
        if found is not None:
            db.session.expunge(found)
        return found


def flash(page):
    return page.locator("#messages")


def post(page, button) -> None:
    """Press a form's button with JavaScript off: the browser posts and loads the answer."""
    with page.expect_navigation():
        button.click()


def open_work(page, item_id: int):
    """The item's article with its work area (<details>, closed after every page load) open."""
    article = page.locator(f"article#item-{item_id}")
    details = article.locator("details.work")
    if details.get_attribute("open") is None:
        article.locator("summary", has_text=DETAILS).click()
    expect(details).to_have_attribute("open", "")
    return article


def log_out(page) -> None:
    post(page, page.get_by_role("button", name="Đăng xuất"))
    expect(flash(page)).to_have_text("Bạn đã đăng xuất.")


def no_script_ran(page, log: BrowserLog) -> None:
    """With JavaScript off no script was even fetched (Chromium skips them), so every answer was
    a plain form post or link, never htmx; and nothing failed or left this machine."""
    assert not [u for u in log.requests if u.endswith(".js")], log.requests
    assert log.page_errors == []
    assert log.foreign_requests() == []


def focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                         selector)


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 300) -> int:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`; how many presses."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if focused(page, selector):
            return presses
    raise AssertionError(f"{selector} never got the focus in {limit} presses of {key}")


@pytest.fixture(scope="module")
def signed_in(browser, live_server):
    """signed_in(context, "lanhdao"): the context carries that user's session. Each user logs in
    through the form once per module; the tests that only look at pages reuse the cookies (a
    login spends about a second hashing the password)."""
    cookies: dict[str, list] = {}

    def sign_in(context, username: str) -> None:
        if username not in cookies:
            with browser.new_context() as login_context:
                login_page = login_context.new_page()
                login_page.goto(f"{live_server.url}/login")
                login_page.get_by_label("Tên đăng nhập").fill(username)
                login_page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
                with login_page.expect_navigation():
                    login_page.get_by_role("button", name="Đăng nhập").click()
                assert "/login" not in login_page.url, f"{username} could not log in"
                cookies[username] = login_context.cookies()
        context.add_cookies(cookies[username])

    return sign_in


def keyboard_log_in(page, base_url: str, username: str, next_path: str = "") -> None:
    """The login form by keyboard: the username field has the focus when the page opens."""
    page.goto(f"{base_url}/login" + (f"?next={quote(next_path)}" if next_path else ""))
    expect(page.get_by_label("Tên đăng nhập")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mật khẩu", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


# --- 1. JavaScript disabled ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def future_item(live_server, tmp_path_factory) -> int:
    """A second, small directive with one task due in ten days, for Xã Tân Khánh Đông only: an
    extension (gia hạn) can only be asked for before the deadline."""
    due = city_today(live_server) + timedelta(days=10)
    path = tmp_path_factory.mktemp("directive") / "bao-cao-quy.yaml"
    path.write_text(
        "slug: bao-cao-quy-e2e\nyear: 2099\ntitle: Báo cáo quý\nsections:\n"
        " - number: '1'\n   audience: 'unit:Xã Tân Khánh Đông'\n   tasks:\n"
        f"    - {{code: '1', title: Báo cáo quý, deadline: {due.isoformat()}}}\n",
        encoding="utf-8",
    )
    from portal.directives.loader import load_directive

    with live_server.app.app_context():
        directive = load_directive(path)
        db.session.commit()
        return db.session.scalar(
            select(Progress.id).join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == directive.id)
        )


def test_without_javascript_log_in_change_password_and_log_out(
    page_without_js, browser_log, live_server
):
    page = page_without_js
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Tên đăng nhập").fill("phongyte")
    page.get_by_label("Mật khẩu", exact=True).fill("sai-mat-khau")
    post(page, page.get_by_role("button", name="Đăng nhập"))
    expect(page.locator(".field.has-error .error")).to_have_text(
        "Tên đăng nhập hoặc mật khẩu không đúng."
    )

    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    post(page, page.get_by_role("button", name="Đăng nhập"))
    assert page.url == f"{live_server.url}/my-work"
    open_checklist(page)
    assert page.url.split("#")[0] == checklist_url(live_server, "Phòng Y tế")
    expect(page.get_by_role("heading", level=1)).to_have_text("Phòng Y tế: nhiệm vụ theo văn bản")

    page.get_by_role("link", name="Đổi mật khẩu").click()
    new_password = "mat-khau-moi-2023"
    page.get_by_label("Mật khẩu hiện tại").fill(PASSWORD)
    page.get_by_label("Mật khẩu mới", exact=True).fill(new_password)
    page.get_by_label("Nhập lại mật khẩu mới").fill(new_password + "x")
    post(page, page.get_by_role("button", name="Đổi mật khẩu"))
    expect(page.locator(".field.has-error .error")).to_have_text(
        "Hai lần nhập mật khẩu mới không khớp."
    )
    page.get_by_label("Mật khẩu hiện tại").fill(PASSWORD)
    page.get_by_label("Mật khẩu mới", exact=True).fill(new_password)
    page.get_by_label("Nhập lại mật khẩu mới").fill(new_password)
    post(page, page.get_by_role("button", name="Đổi mật khẩu"))
    assert page.url == f"{live_server.url}/account/password"
    expect(flash(page)).to_have_text("Đã đổi mật khẩu.")
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.username == "phongyte"))
        assert check_password(user.password_hash, new_password)
        assert not check_password(user.password_hash, PASSWORD)

    log_out(page)
    assert page.url.startswith(f"{live_server.url}/login")
    page.get_by_label("Tên đăng nhập").fill("phongyte")
    page.get_by_label("Mật khẩu", exact=True).fill(new_password)
    post(page, page.get_by_role("button", name="Đăng nhập"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc của tôi")
    no_script_ran(page, browser_log)
    assert browser_log.console_errors_except(401, 422) == []


def test_without_javascript_a_unit_works_an_item_through(
    page_without_js, browser_log, live_server, log_in, tmp_path
):
    page = page_without_js
    report = live_server.item_id("Phường 1", "1.1")  # a report, due 16/06/2023: overdue
    rate = live_server.item_id("Phường 1", "1.10")  # a percentage
    checklist = checklist_url(live_server, "Phường 1")
    pdf = tmp_path / "Báo cáo khắc phục P1.pdf"
    pdf.write_bytes(sample_pdf("Phuong 1 - 1.1"))

    log_in(page, "phuong1")
    open_checklist(page)
    assert page.url.split("#")[0] == checklist
    article = page.locator(f"article#item-{report}")

    def landed(message: str) -> None:
        assert page.url == f"{checklist}#item-{report}"
        expect(flash(page)).to_have_text(message)

    post(page, article.get_by_role("button", name="Bắt đầu thực hiện"))
    landed("Đã chuyển sang «Đang thực hiện».")
    assert item_row(live_server.app, report).status is ProgressStatus.IN_PROGRESS

    # Too early: no file yet. The item says what it lacks and offers no "Gửi duyệt" until then.
    expect(article.locator(".missing")).to_contain_text("Đính kèm tệp văn bản")
    expect(article.locator(".missing")).to_contain_text("giải trình")
    expect(article.get_by_role("button", name="Gửi duyệt")).to_have_count(0)
    assert item_row(live_server.app, report).status is ProgressStatus.IN_PROGRESS

    open_work(page, report).get_by_label("Ghi chú, kết quả thực hiện").fill(
        "Đã khắc phục 5/6 hạn chế."
    )
    post(page, article.get_by_role("button", name="Lưu", exact=True))
    landed("Đã lưu ghi chú và số liệu.")
    assert item_row(live_server.app, report).note == "Đã khắc phục 5/6 hạn chế."

    open_work(page, report).get_by_label(re.compile(r"^Đính kèm tệp")).set_input_files(pdf)
    post(page, article.get_by_role("button", name="Tải lên"))
    landed(f"Đã đính kèm tệp «{pdf.name}».")
    expect(article.get_by_role("link", name=pdf.name, exact=True)).to_be_visible()

    link = "https://sadec.dongthap.gov.vn/khac-phuc-cchc-2023"
    open_work(page, report).get_by_label(re.compile(r"^Đường dẫn")).fill(link)
    post(page, article.get_by_role("button", name="Thêm đường dẫn"))
    landed("Đã thêm đường dẫn.")
    assert evidence_of(live_server, report) == [(EvidenceKind.FILE, pdf.name),
                                                (EvidenceKind.LINK, link)]

    # No confirmation dialog without JavaScript (hx-confirm is htmx's): the button removes.
    post(page, article.get_by_role("button", name=f"Xoá {link}"))
    landed("Đã xoá tài liệu kiểm chứng.")
    assert evidence_of(live_server, report) == [(EvidenceKind.FILE, pdf.name)]

    article.get_by_label(re.compile(r"^Giải trình lý do chậm")).fill("Chờ số liệu tổng hợp.")
    post(page, article.get_by_role("button", name="Gửi duyệt"))
    landed("Đã gửi Phòng Nội vụ duyệt.")
    expect(article.locator("header.item-head .badge .label")).to_have_text("Chờ duyệt")
    row = item_row(live_server.app, report)
    assert (row.status, row.late_reason) == (ProgressStatus.SUBMITTED, "Chờ số liệu tổng hợp.")

    figures = open_work(page, rate)
    figures.locator("input[name=numerator]").fill("45")
    figures.locator("input[name=denominator]").fill("50")
    post(page, figures.get_by_role("button", name="Lưu", exact=True))
    assert page.url == f"{checklist}#item-{rate}"
    expect(flash(page)).to_have_text("Đã lưu ghi chú và số liệu.")
    expect(page.locator(f"article#item-{rate} dl.facts")).to_contain_text("= 90 %")
    row = item_row(live_server.app, rate)
    assert (row.numerator, row.denominator, row.status) == (45, 50, ProgressStatus.IN_PROGRESS)

    no_script_ran(page, browser_log)
    assert browser_log.console_errors == []


def test_without_javascript_an_extension_is_asked_and_granted(
    page_without_js, browser_log, live_server, log_in, future_item
):
    page = page_without_js
    asked_for = city_today(live_server) + timedelta(days=40)
    granted = city_today(live_server) + timedelta(days=30)

    log_in(page, "xatankhanhdong")
    # Two directives reach this commune now: its work lists them; a plain link opens one.
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc của tôi")
    open_checklist(page, "Báo cáo quý")
    article = open_work(page, future_item)
    article.get_by_label("Lý do xin gia hạn").fill("Chờ số liệu quý từ Sở.")
    article.get_by_label(re.compile(r"^Đề nghị gia hạn đến ngày")).fill(dmy(asked_for))
    post(page, article.get_by_role("button", name="Gửi đề nghị gia hạn"))
    assert page.url.endswith(f"#item-{future_item}")
    expect(flash(page)).to_have_text("Đã gửi đề nghị gia hạn; chờ Phòng Nội vụ xem xét.")
    expect(article.locator("dl.facts")).to_contain_text("Chờ xem xét")
    asked = extension_of(live_server, future_item)
    assert (asked.status, asked.proposed_deadline) == (ExtensionStatus.PENDING, asked_for)

    log_out(page)
    log_in(page, "noivu.duyet")
    page.get_by_role("link", name="Báo cáo quý").click()
    assert page.url == matrix_url(live_server, "bao-cao-quy-e2e")
    page.locator(f"#c{future_item}").click()  # a plain link to the item's page
    assert page.url == f"{live_server.url}/items/{future_item}"
    page.get_by_label("Đồng ý gia hạn", exact=True).check()
    page.get_by_label(re.compile(r"^Gia hạn đến ngày")).fill(dmy(granted))
    post(page, page.get_by_role("button", name="Ghi quyết định gia hạn"))
    assert page.url == matrix_url(live_server, "bao-cao-quy-e2e")
    expect(flash(page)).to_have_text("Đã đồng ý gia hạn.")
    decided = extension_of(live_server, future_item)
    assert (decided.status, decided.granted_deadline) == (ExtensionStatus.GRANTED, granted)

    no_script_ran(page, browser_log)
    assert browser_log.console_errors == []


def test_without_javascript_the_reviewer_filters_opens_approves_returns_and_reopens(
    page_without_js, browser_log, live_server, log_in
):
    page = page_without_js
    approve = live_server.item_id("Phường 2", "1.5")
    give_back = live_server.item_id("Phường 3", "1.5")
    mark_submitted(live_server, approve, give_back)
    log_in(page, "noivu.duyet")
    page.goto(matrix_url(live_server))

    # Still the table, every unit in it.
    matrix = page.locator("table.matrix")
    expect(matrix).to_be_visible()
    expect(matrix.locator("tbody th[scope=row]")).to_have_count(24)

    # The filters are a GET form: the query is in the address, the server filters.
    page.get_by_label("Tìm đơn vị").fill("phuong 2")
    page.get_by_label("Trạng thái").select_option(label="Chờ duyệt")
    with page.expect_navigation():
        page.get_by_role("button", name="Lọc").click()
    assert "q=phuong+2" in page.url and "status=submitted" in page.url
    expect(matrix.locator("tbody th[scope=row]")).to_have_text(["Phường 2"])
    expect(page.locator(".matrix-summary")).to_contain_text("đang lọc: 1/24 đơn vị")
    expect(page.get_by_label("Tìm đơn vị")).to_have_value("phuong 2")

    # A cell is a plain link to the item's page, where the reviewer decides.
    page.locator(f"#c{approve}").click()
    assert page.url == f"{live_server.url}/items/{approve}"
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhiệm vụ 1.5 · Phường 2")
    page.get_by_label("Đạt", exact=True).check()
    post(page, page.get_by_role("button", name="Ghi kết quả duyệt"))
    assert page.url == matrix_url(live_server)
    expect(flash(page)).to_have_text("Đã duyệt: Đạt.")
    expect(page.locator(f"#c{approve}")).to_have_text(re.compile(r"^✓"))
    assert item_row(live_server.app, approve).status is ProgressStatus.APPROVED

    page.locator(f"#c{give_back}").click()
    page.get_by_label("Yêu cầu bổ sung", exact=True).check()
    post(page, page.get_by_role("button", name="Ghi kết quả duyệt"))
    # Without a comment the unit would not know what to add: refused, beside the form.
    expect(page.locator(f"#comment-{give_back}-error")).to_have_text(
        "Hãy ghi rõ nội dung đơn vị cần bổ sung."
    )
    assert item_row(live_server.app, give_back).status is ProgressStatus.SUBMITTED
    page.get_by_label("Yêu cầu bổ sung", exact=True).check()
    page.locator(f"#comment-{give_back}").fill("Bổ sung ảnh chụp bảng niêm yết.")
    post(page, page.get_by_role("button", name="Ghi kết quả duyệt"))
    expect(flash(page)).to_have_text("Đã trả lại: Yêu cầu bổ sung.")
    row = item_row(live_server.app, give_back)
    assert (row.status, row.review_comment) == (ProgressStatus.RETURNED,
                                                "Bổ sung ảnh chụp bảng niêm yết.")

    page.locator(f"#c{approve}").click()
    page.locator(f"#reopen-{approve}").fill("Sửa lại số liệu.")
    post(page, page.get_by_role("button", name="Mở lại cho đơn vị sửa"))
    expect(flash(page)).to_have_text("Đã mở lại nhiệm vụ cho đơn vị.")
    assert item_row(live_server.app, approve).status is ProgressStatus.IN_PROGRESS

    no_script_ran(page, browser_log)
    assert browser_log.console_errors_except(422) == []


def test_without_javascript_the_reviewer_approves_several_from_the_queue(
    page_without_js, browser_log, live_server, log_in
):
    page = page_without_js
    picked = [live_server.item_id("Phường 4", "1.5"), live_server.item_id("Phường An Hòa", "1.5")]
    left = live_server.item_id("Xã Tân Quy Tây", "1.5")
    mark_submitted(live_server, *picked, left)
    log_in(page, "noivu.duyet")
    page.locator("header.site nav").get_by_role("link", name=re.compile(r"^Chờ duyệt")).click()
    assert page.url == f"{live_server.url}/review"
    count = page.get_by_role("link", name="Chờ duyệt").locator(".count")
    waiting = int(count.inner_text())

    post(page, page.get_by_role("button", name="Duyệt «Đạt» các nhiệm vụ đã chọn"))
    expect(flash(page)).to_have_text("Chưa chọn nhiệm vụ nào để duyệt.")

    for item_id in picked:
        page.locator(f"#pick-{item_id}").check()
    post(page, page.get_by_role("button", name="Duyệt «Đạt» các nhiệm vụ đã chọn"))
    assert page.url == f"{live_server.url}/review"
    expect(flash(page)).to_have_text("Đã duyệt «Đạt» 2 nhiệm vụ.")
    expect(count).to_have_text(str(waiting - 2))
    expect(page.locator(f"#pick-{left}")).to_be_visible()
    assert [item_row(live_server.app, i).status for i in [*picked, left]] == [
        ProgressStatus.APPROVED, ProgressStatus.APPROVED, ProgressStatus.SUBMITTED]

    no_script_ran(page, browser_log)
    assert browser_log.console_errors == []


# --- 2. Keyboard only ----------------------------------------------------------------------------


def test_keyboard_only_a_unit_attaches_a_file_and_submits(page, browser_log, live_server,
                                                          tmp_path):
    item_id = live_server.item_id("Phường Tân Quy Đông", "1.1")
    pdf = tmp_path / "Bao cao TQD.pdf"
    pdf.write_bytes(sample_pdf("Tan Quy Dong - 1.1"))
    article = page.locator(f"article#item-{item_id}")
    result = article.locator(".item-result")

    keyboard_log_in(page, live_server.url, "phuongtanquydong",
                    f"/directives/{directive_id(live_server)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Phường Tân Quy Đông"))

    tab_to(page, f"#item-{item_id} details.work > summary")
    page.keyboard.press("Enter")
    expect(article.locator("details.work")).to_have_attribute("open", "")

    # Playwright cannot drive the operating system's file chooser that Enter or Space opens on a
    # focused file input, so the file is given to the focused input directly.
    tab_to(page, f"#file-{item_id}")
    page.locator("input[type=file]:focus").set_input_files(pdf)
    tab_to(page, f"#item-{item_id} form.upload button[type=submit]")
    page.keyboard.press("Enter")
    expect(result).to_have_text(f"Đã đính kèm tệp «{pdf.name}».")
    # The pressed button went with the swapped item: the focus is on what happened.
    expect(result).to_be_focused()

    tab_to(page, f"#late-{item_id}")
    page.keyboard.type("Chờ số liệu tổng hợp.")
    tab_to(page, f"#item-{item_id} form.submit button[type=submit]")
    page.keyboard.press("Space")
    expect(result).to_have_text("Đã gửi Phòng Nội vụ duyệt.")
    expect(result).to_be_focused()

    row = item_row(live_server.app, item_id)
    assert (row.status, row.late_reason) == (ProgressStatus.SUBMITTED, "Chờ số liệu tổng hợp.")
    assert evidence_of(live_server, item_id) == [(EvidenceKind.FILE, pdf.name)]
    assert browser_log.console_errors == [] and browser_log.page_errors == []


def test_keyboard_only_the_reviewer_decides_in_the_side_panel(page, browser_log, live_server):
    item_id = live_server.item_id("Phòng Giáo dục và Đào tạo", "1.2")
    mark_submitted(live_server, item_id, note="Đã đăng 3 tin bài.")
    cell = f"#c{item_id}"
    panel = page.locator("#panel")

    keyboard_log_in(page, live_server.url, "noivu.duyet",
                    next_path=matrix_url(live_server).removeprefix(live_server.url))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Ma trận theo dõi"))

    tab_to(page, cell)
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", level=3)).to_have_text(re.compile("^Tuyên truyền CCHC"))
    # The focus moved into the panel, so the next Tab reaches its controls, not the next cell.
    assert page.evaluate("document.getElementById('panel').contains(document.activeElement)")

    tab_to(page, f"#verdict-{item_id}-1")
    expect(page.locator(f"#verdict-{item_id}-1")).to_have_accessible_name("Đạt")
    page.keyboard.press("Space")
    expect(page.locator(f"#verdict-{item_id}-1")).to_be_checked()
    tab_to(page, "#panel .review button[type=submit]")
    expect(page.locator("#panel .review button[type=submit]")).to_have_text("Ghi kết quả duyệt")
    page.keyboard.press("Enter")
    expect(panel.locator(".item-result")).to_have_text("Đã duyệt: Đạt.")
    expect(panel.locator(".item-result")).to_be_focused()
    expect(page.locator(cell)).to_have_text(re.compile(r"^✓"))
    assert item_row(live_server.app, item_id).status is ProgressStatus.APPROVED

    tab_to(page, "#panel [data-close-panel]", backwards=True)
    page.keyboard.press("Enter")
    expect(panel).to_be_empty()
    expect(page.locator(cell)).to_be_focused()

    # Escape closes the panel too and gives the focus back to the cell; but not while a comment
    # is being typed, which closing would throw away.
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", level=3)).to_be_visible()
    tab_to(page, f"#reopen-{item_id}")
    page.keyboard.type("Sửa")
    page.keyboard.press("Escape")
    expect(panel.locator(f"#reopen-{item_id}")).to_have_value("Sửa")
    page.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Mở lại cho đơn vị sửa")).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_empty()
    expect(page.locator(cell)).to_be_focused()
    assert browser_log.console_errors == [] and browser_log.page_errors == []


# --- 3. Screens ----------------------------------------------------------------------------------


def role_pages(live_server) -> dict[str, list[str]]:
    """username → the pages that user works with (the login page needs nobody)."""
    d = directive_id(live_server)
    item = f"/items/{live_server.item_id('Phường 1', '1.10')}"
    matrix, dashboard = f"/directives/{d}/matrix", f"/directives/{d}/dashboard"
    checklist = checklist_url(live_server, "Phường 1").removeprefix(live_server.url)
    return {
        "": ["/login"],
        "phuong1": [checklist, item, "/directives", "/account/password"],
        "noivu.duyet": [matrix, item, dashboard, "/review", "/directives", "/account/password"],
        "lanhdao": [matrix, dashboard, item],
        "quantri": [matrix, "/directives"],
    }


def screen_page(browser, log: BrowserLog, width: int, height: int):
    """Like conftest's new_page, on a screen of another size."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log.watch(page)
    return context, page


def sideways(page) -> int:
    """How far the page itself scrolls sideways (0: not at all)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def assert_sticky_headers(page) -> None:
    """Scrolled right (where it is wider than its box) and down, the matrix still shows unit names
    at its left edge and task codes at its top, on top of the cells scrolled under them."""
    scrolled = page.evaluate("""() => { const s = document.querySelector('.matrix-scroll');
        s.scrollIntoView({block: "start"});
        s.scrollLeft = s.scrollWidth; s.scrollTop = s.scrollHeight;
        return [s.scrollLeft, s.scrollTop, s.scrollWidth > s.clientWidth]; }""")
    wider = scrolled[2]
    assert (scrolled[0] > 0) == wider and scrolled[1] > 0, f"the matrix did not scroll: {scrolled}"
    box = page.locator(".matrix-scroll").bounding_box()
    unit = page.locator("table.matrix tbody tr:not(.group) th[scope=row]").last
    code = page.locator("table.matrix thead th").nth(-3)  # the last task's code
    for cell, what in ((unit, "unit name"), (code, "task code")):
        cell_box = cell.bounding_box()
        assert cell_box["x"] >= box["x"] - 1, (what, cell_box, box)
        assert cell_box["y"] >= box["y"] - 1, (what, cell_box, box)
        assert cell_box["x"] + cell_box["width"] <= box["x"] + box["width"] + 1, (what, cell_box)
        assert cell_box["y"] + cell_box["height"] <= box["y"] + box["height"] + 1, (what, cell_box)
        on_top = cell.evaluate("""c => { const r = c.getBoundingClientRect();
            const e = document.elementFromPoint(r.x + 4, r.y + r.height / 2);
            return !!e && (e === c || c.contains(e)); }""")
        assert on_top, f"the {what} is covered by the cells scrolled under it"
    expect(unit).to_be_visible()
    assert abs(unit.bounding_box()["x"] - box["x"]) <= 2  # stuck to the left edge
    assert abs(code.bounding_box()["y"] - box["y"]) <= 2  # stuck to the top


@pytest.mark.parametrize("width,height", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_no_page_scrolls_sideways_and_matrix_headers_stay(
    browser, live_server, signed_in, width, height
):
    wide = {}
    log = BrowserLog()
    context, page = screen_page(browser, log, width, height)
    try:
        for username, paths in role_pages(live_server).items():
            context.clear_cookies()
            if username:
                signed_in(context, username)
            for path in paths:
                page.goto(f"{live_server.url}{path}")
                assert "/login" not in page.url or not username, f"{username} not logged in"
                if sideways(page) > 0:
                    wide[f"{username or 'anonymous'} {path}"] = sideways(page)
                if path.endswith("/matrix") and username == "noivu.duyet":
                    assert_sticky_headers(page)
                    # With an item open in the side panel, too (beside it or under it).
                    page.locator("#matrix td > a").first.click()
                    expect(page.locator("#panel article")).to_be_visible()
                    if sideways(page) > 0:
                        wide[f"{username} {path} + panel"] = sideways(page)
                    assert_sticky_headers(page)
        assert log.console_errors == [] and log.page_errors == []
    finally:
        context.close()
    assert wide == {}, f"pages wider than {width}px: {wide}"


# --- 4. Print ------------------------------------------------------------------------------------


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in points, from the /MediaBox entries Chromium writes uncompressed."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


PRINTS = {
    # name: (username, page, landscape)
    "checklist": ("phuong1", "checklist", False),
    "matrix": ("noivu.duyet", "matrix", True),
    "dashboard": ("lanhdao", "dashboard", False),
}


@pytest.mark.parametrize("name", list(PRINTS))
def test_printed_on_a4_without_navigation_with_title_and_date(
    page, browser_log, live_server, signed_in, name
):
    username, what, landscape = PRINTS[name]
    d = directive_id(live_server)
    url = {
        "checklist": checklist_url(live_server, "Phường 1"),
        "matrix": f"{live_server.url}/directives/{d}/matrix",
        "dashboard": f"{live_server.url}/directives/{d}/dashboard",
    }[what]
    with live_server.app.app_context():
        title = db.session.get(Directive, d).title
    signed_in(page.context, username)
    page.goto(url)
    printed_line = page.locator(".print-only")
    expect(printed_line).to_have_count(1)
    expect(printed_line).to_be_hidden()  # on screen the page head says it already

    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(printed_line).to_be_visible()
    expect(printed_line).to_contain_text(title)
    expect(printed_line).to_contain_text(f"In ngày {dmy(city_today(live_server))}")
    controls = page.evaluate("""() => [...document.querySelectorAll(
            'button, input:not([type=hidden]), select, textarea, summary, .filters, nav, .skip')]
        .filter(e => e.checkVisibility()).map(e => e.outerHTML.slice(0, 80))""")
    assert controls == []
    if what == "matrix":
        expect(page.locator("table.matrix")).to_be_visible()
        expect(page.locator(".legend")).to_be_visible()  # paper has no colours to explain it
    # Nothing is cut off at the right edge: laid out as wide as the page inside its 12 mm margins.
    printable = round(((297 if landscape else 210) - 2 * 12) * 96 / 25.4)
    page.set_viewport_size({"width": printable, "height": 700})
    assert sideways(page) <= 0, f"{sideways(page)} px wider than the printed page"
    page.set_viewport_size({"width": 1366, "height": 768})

    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"print-{name}.pdf"
    pdf = page.pdf(path=path, format="A4", landscape=landscape, prefer_css_page_size=True,
                   print_background=True)
    assert pdf.startswith(b"%PDF-") and path.read_bytes() == pdf
    boxes = media_boxes(pdf)
    assert boxes, "no page in the PDF"
    a4 = (A4[1], A4[0]) if landscape else A4
    for w, h in boxes:
        assert abs(w - a4[0]) < 1 and abs(h - a4[1]) < 1, (boxes, a4)
    assert browser_log.console_errors == []


# --- 5. Screenshots ------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshots_of_each_roles_main_page(page, browser_log, live_server, signed_in):
    d = directive_id(live_server)
    # (file name, username, page): the role's main page as it opens, at 1366×768.
    shots = [
        ("anonymous-login", "", "/login"),
        ("unit-checklist", "phuong1", checklist_url(live_server, "Phường 1")),
        ("unit-office-checklist", "phongtuphap", checklist_url(live_server, "Phòng Tư pháp")),
        ("reviewer-matrix", "noivu.duyet", f"/directives/{d}/matrix"),
        ("reviewer-queue", "noivu.duyet", "/review"),
        ("leader-dashboard", "lanhdao", f"/directives/{d}/dashboard"),
        ("admin-matrix", "quantri", f"/directives/{d}/matrix"),
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    for name, username, path in shots:
        page.context.clear_cookies()
        if username:
            signed_in(page.context, username)
        url = path if path.startswith("http") else f"{live_server.url}{path}"
        page.goto(url)
        assert page.url == url  # not sent to the login page
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        shot = ARTIFACTS / f"{name}.png"
        assert png_size(page.screenshot(path=shot)) == (1366, 768)
        assert shot.stat().st_size > 10_000  # a page, not a blank
    # The reviewer's matrix with an item open in the side panel.
    page.context.clear_cookies()
    signed_in(page.context, "noivu.duyet")
    page.goto(f"{live_server.url}/directives/{d}/matrix")
    page.locator("#matrix td > a").first.click()
    expect(page.locator("#panel article")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "reviewer-matrix-panel.png")
    assert browser_log.console_errors == [] and browser_log.page_errors == []
