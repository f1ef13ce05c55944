"""The reviewer's and leadership's screens through the test client: the matrix's side panel, the
words for a figure against its target, "Cập nhật lúc …", and the navigation's waiting count
brought by the matrix's poll. Their layout and print are measured in a browser
(tests/e2e/test_screens_browser.py)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from portal.deadlines import today, utcnow
from portal.extensions import db
from portal.models import Directive, DirectiveStatus

from .support.directives import load_future
from .support.progress import make_progress, send_in
from .support.statements import count_statements


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def reviewer(login):
    return login("noivu.duyet")


def matrix_url(ids) -> str:
    return f"/directives/{ids.directive()}/matrix"


# --- the side panel ------------------------------------------------------------------------------


def test_the_panel_names_the_unit_and_its_kind_above_the_item_with_its_close_button(
        reviewer, login, ids):
    item_id = ids.item("Phường 1", "1.5")
    response = reviewer.get(f"/items/{item_id}/panel", htmx=True)
    body = html(response)
    assert response.status_code == 200 and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    head = re.search(r'<div class="panel-head">(.*?)</div>', body, re.S).group(1)
    assert ('<h2 id="panel-unit">Phường 1 <span class="panel-kind">· Xã, phường</span></h2>'
            in head)
    assert '<button type="button" class="close" data-close-panel>Đóng</button>' in head
    assert body.index('class="panel-head"') < body.index(f'id="item-{item_id}"')

    # An office is named with its kind too; leadership reads the same panel, without a form.
    office = ids.item("Phòng Tư pháp", "1.5")
    body = html(login("lanhdao").get(f"/items/{office}/panel", htmx=True))
    assert 'Phòng Tư pháp <span class="panel-kind">· Phòng chuyên môn</span>' in body
    assert "<form" not in body

    # Without JavaScript the same address is the item's page.
    page = reviewer.get(f"/items/{item_id}/panel")
    assert page.status_code == 200 and "<h1>Nhiệm vụ 1.5 · Phường 1</h1>" in html(page)
    assert 'class="panel-head"' not in html(page)


def test_a_decision_in_the_panel_replaces_the_item_under_the_panels_head(reviewer, ward, ids):
    item_id = ids.item("Phường 1", "1.5")
    send_in(ward, item_id)
    assert 'name="verdict"' in html(reviewer.get(f"/items/{item_id}/panel", htmx=True))
    response = reviewer.post(f"/items/{item_id}/review", {"verdict": "approve"}, htmx=True)
    body = html(response)
    # Only the item comes back (its forms target "closest article"): the head is not repeated.
    assert response.status_code == 200 and body.lstrip().startswith("<article")
    assert "Đã duyệt: Đạt." in body and 'class="panel-head"' not in body


@pytest.mark.parametrize("item", ["999999", "99999999999999999999", "-1", "abc"])
def test_the_panel_of_no_item_is_404(reviewer, item):
    response = reviewer.get(f"/items/{item}/panel", htmx=True)
    assert response.status_code == 404


# --- words --------------------------------------------------------------------------------------


def test_a_figure_against_its_target_never_says_dat_beside_the_verdict(app, login, ids):
    """Phường 1's 1.10 is approved ("Đạt") with 90 % against a target of 100 %."""
    make_progress(login, ids)
    rate = ids.item("Phường 1", "1.10")
    panel = html(login("noivu.duyet").get(f"/items/{rate}/panel", htmx=True))
    assert '<span class="label">Đạt</span>' in panel  # the verdict
    assert '<span class="badge target-missed">✗ Chưa đáp ứng chỉ tiêu</span>' in panel
    dashboard = html(login("lanhdao").get(f"/directives/{ids.directive()}/dashboard"))
    assert "✗ Chưa đáp ứng chỉ tiêu" in dashboard
    # The chart's note and title say it the same way.
    assert "✓ đáp ứng chỉ tiêu, ✗ chưa đáp ứng chỉ tiêu." in dashboard
    for page in (panel, dashboard):
        assert not re.search(r"(chưa )?đạt chỉ tiêu|✗ Chưa đạt|✓ Đạt chỉ", page, re.I)


def stamp(app, directive_id: int, moment: datetime) -> None:
    """The directive changed at `moment` (naive UTC): a new revision, as a change makes."""
    with app.app_context():
        db.session.execute(update(Directive).where(Directive.id == directive_id).values(
            changed_at=moment, revision=Directive.revision + 1))
        db.session.commit()


def test_matrix_and_dashboard_say_when_they_were_updated_in_the_citys_time(
        app, reviewer, login, ids):
    with app.app_context():
        on = today()
    stamp(app, ids.directive(), datetime.combine(on, time(2, 41)))  # 09:41 in Sa Đéc (UTC+7)
    matrix = html(reviewer.get(matrix_url(ids)))
    assert re.search(r"· Cập nhật lúc 09:41</p>", matrix)
    dashboard = html(login("lanhdao").get(f"/directives/{ids.directive()}/dashboard"))
    assert f"Số liệu ngày {on:%d/%m/%Y}, cập nhật lúc 09:41." in dashboard
    for page in (matrix, dashboard):
        assert "lần thay đổi" not in page

    # Not today: the date as well.
    stamp(app, ids.directive(), datetime.combine(on - timedelta(days=1), time(2, 41)))
    matrix = html(reviewer.get(matrix_url(ids), htmx=True))
    assert f"· Cập nhật lúc 09:41 ngày {on - timedelta(days=1):%d/%m/%Y}</p>" in matrix


def test_a_change_stamps_its_directive_with_the_time(app, ward, ids):
    def stamped() -> tuple[int, datetime | None]:
        with app.app_context():
            return db.session.execute(select(Directive.revision, Directive.changed_at).where(
                Directive.id == ids.directive())).one()

    revision, _ = stamped()
    before = utcnow().replace(microsecond=0)
    send_in(ward, ids.item("Phường 1", "1.5"))
    after_revision, changed_at = stamped()
    assert after_revision > revision
    assert before <= changed_at <= utcnow()


# --- the navigation's waiting count ------------------------------------------------------------


def waiting_oob(count: int) -> str:
    return ('<span id="waiting" data-hx-swap-oob="innerHTML">'
            f'<span class="count">{count}</span></span>')


def test_the_waiting_count_comes_with_the_poll_even_when_the_matrix_is_unchanged(
        app, tmp_path, reviewer, login, ids):
    load_future(app, tmp_path)
    url = matrix_url(ids)
    page = reviewer.get(url)
    assert ('Chờ duyệt <span id="waiting" aria-live="polite"><span class="count">0</span></span>'
            in html(page))
    tag = page.headers["HX-PTag"]
    assert reviewer.get(url, htmx=True, headers={"HX-PTag": tag}).status_code == 304

    # Phường 1 sends in an item of another directive: this matrix has not changed, the count has.
    send_in(login("phuong1"), ids.item("Phường 1", "1"))
    poll = reviewer.get(url, htmx=True, headers={"HX-PTag": tag})
    body = html(poll)
    assert poll.status_code == 200 and 'id="matrix"' not in body
    assert body.endswith(waiting_oob(1))
    assert reviewer.get(url, htmx=True, headers={"HX-PTag": poll.headers["HX-PTag"]}
                        ).status_code == 304
    # The page's own navigation says the same.
    assert '<span class="count">1</span></span>' in html(reviewer.get("/directives"))


def test_leadership_has_no_waiting_count_in_its_navigation_or_polls(login, ids):
    leader = login("lanhdao")
    page = html(leader.get(matrix_url(ids)))
    assert 'id="waiting"' not in page and "Chờ duyệt <" not in page
    assert 'id="waiting"' not in html(leader.get(matrix_url(ids), htmx=True))


def test_the_waiting_count_is_counted_again_only_after_a_change(app, reviewer, ward, ids):
    """A reviewer's every page and poll shows the count: it is kept while the open directives'
    revisions hold, and right again after any change to an item."""
    url = matrix_url(ids)
    reviewer.get(url)
    kept = count_statements(app, reviewer, "/directives")
    send_in(ward, ids.item("Phường 1", "1.5"))
    assert count_statements(app, reviewer, "/directives") == kept + 1  # counted again
    assert count_statements(app, reviewer, "/directives") == kept
    assert '<span class="count">1</span></span>' in html(reviewer.get("/directives"))
    # Closing the directive takes its items out of the count.
    with app.app_context():
        db.session.execute(update(Directive).where(Directive.id == ids.directive()).values(
            status=DirectiveStatus.CLOSED))
        db.session.commit()
    assert ('<span id="waiting" aria-live="polite"><span class="count">0</span></span>'
            in html(reviewer.get("/directives")))
