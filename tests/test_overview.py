"""Tổng hợp: smoke."""

from __future__ import annotations


def test_smoke(app, login, ids):
    leader = login("lanhdao")
    for url in ("/overview", "/overview/ranking", f"/units/{ids.unit('Phường 1')}",
                "/overview/ranking.xlsx", "/overview/ranking.docx"):
        response = leader.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    reviewer = login("noivu.duyet")
    assert reviewer.get("/overview/formula").status_code == 200
    r = reviewer.post("/overview/formula", {"on_time": "1", "late": "0,5", "overdue": "0",
                                            "returned": "0"})
    assert r.status_code == 303, r.get_data(as_text=True)[:3000]
    print(leader.get("/overview/ranking").get_data(as_text=True)[-6000:])
