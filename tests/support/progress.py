"""Real work through the real routes, for the tests that read it back (the dashboard's and the
reports'): `make_progress`, `send_in` (one item saved and submitted by its unit), and `ok`, a
post that must answer 303."""

from __future__ import annotations

from portal.demo import sample_pdf


def ok(response) -> None:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def send_in(ward, item_id: int, note: str = "Đã thực hiện đầy đủ.") -> None:
    """The unit's staff (`ward`, a logged-in client) write a note on the item and submit it."""
    ok(ward.post(f"/items/{item_id}/save", {"note": note}))
    ok(ward.post(f"/items/{item_id}/submit"))


def make_progress(login, ids) -> None:
    """Real work through the real routes: Phường 1 reports 45/50 for 1.10 and its overdue 1.1
    (late, with an explanation), both approved; its 1.8 waits for review; Phường 2 has 30/60;
    Phường 4 has sent its overdue 1.1 for review."""
    ward, reviewer = login("phuong1"), login("noivu.duyet")
    rate, late, waiting = (ids.item("Phường 1", code) for code in ("1.10", "1.1", "1.8"))
    ok(ward.post(f"/items/{rate}/save", {"numerator": "45", "denominator": "50", "note": ""}))
    ok(ward.post(f"/items/{rate}/submit"))
    ok(ward.upload(late, sample_pdf("khac phuc"), "Báo cáo khắc phục.pdf", htmx=False))
    ok(ward.post(f"/items/{late}/submit", {"late_reason": "Chờ số liệu của Đoàn kiểm tra."}))
    ok(ward.post(f"/items/{waiting}/save", {"note": "Đã xử lý văn bản trên iDesk."}))
    ok(ward.post(f"/items/{waiting}/submit"))
    for item in (rate, late):
        ok(reviewer.post(f"/items/{item}/review", {"verdict": "approve"}))
    neighbour = ids.item("Phường 2", "1.10")
    ok(login("phuong2").post(f"/items/{neighbour}/save",
                             {"numerator": "30", "denominator": "60", "note": ""}))
    # Phường 4 sends its overdue 1.1 in: nothing done yet, but nothing overdue any more either
    fourth, sent = login("phuong4"), ids.item("Phường 4", "1.1")
    ok(fourth.upload(sent, sample_pdf("phuong 4"), "Báo cáo.pdf", htmx=False))
    ok(fourth.post(f"/items/{sent}/submit", {"late_reason": "Chậm do thay đổi nhân sự."}))
