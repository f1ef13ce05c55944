"""A letter pasted into the directive import beyond what the portal reads of a form field
(MAX_FORM_MEMORY_SIZE) or of a request (MAX_CONTENT_LENGTH) is refused before any route reads it;
the administrator still gets the import page with its own Vietnamese message next to the field
(413), nothing written. Anyone else, and any other page, gets the portal's error page."""

from __future__ import annotations

import io
import re

import pytest
from markupsafe import escape

from portal.admin.directives.forms import LETTER_TOO_LONG

from .support.databases import writes, written_since

# Three bytes a character in UTF-8: 200,000 of them are over the 500 KB a field may take.
VIETNAMESE = "Ủy ban nhân dân phường thực hiện đề án cải cách hành chính. "


def paste(client, text: str):
    return client.post("/admin/directives/import", {"text": text, "slug": ""},
                       content_type="multipart/form-data")


def field_error(page: str, field: str) -> str | None:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    return found and found.group(1)


def test_a_letter_past_the_fields_limit_gets_the_import_pages_own_message(app, login):
    admin = login("quantri")
    text = "Đề án cải cách hành chính năm 2024. " * 16_000  # about 600 KB, 576,000 characters
    assert len(text.encode()) > app.config["MAX_FORM_MEMORY_SIZE"]
    assert len(text.encode()) < app.config["MAX_CONTENT_LENGTH"]
    counted = writes(app)
    response = paste(admin, text)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<h1>Nhập công văn thành văn bản chỉ đạo</h1>" in page
    assert field_error(page, "text") == str(escape(LETTER_TOO_LONG))
    assert "200.000 ký tự" in LETTER_TOO_LONG
    assert 'name="text"' in page and 'name="csrf_token"' in page  # the form, to try again
    assert written_since(app, counted) == set()
    # The form on the page posts again as it should.
    again = admin.post("/admin/directives/import", {"text": "", "slug": ""},
                       content_type="multipart/form-data")
    assert again.status_code == 422


def test_a_body_past_the_request_limit_gets_the_import_pages_own_message(app, login):
    admin = login("quantri")
    limit_mb = app.config["MAX_UPLOAD_MB"]
    response = admin.post(
        "/admin/directives/import",
        {"file": (io.BytesIO(b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1)), "cv.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<h1>Nhập công văn thành văn bản chỉ đạo</h1>" in page
    assert field_error(page, "file").startswith(f"Tệp hoặc nội dung gửi lên vượt quá giới hạn "
                                                f"{limit_mb} MB.")


def test_a_letter_within_the_fields_limit_still_gets_its_length_counted(app, login):
    """Under the field's limit the form reads the letter and says how long it is (422)."""
    admin = login("quantri")
    text = "a" * 200_001
    response = paste(admin, text)
    assert response.status_code == 422
    assert "Văn bản quá dài (200.001 ký tự)" in field_error(response.get_data(as_text=True), "text")


@pytest.mark.parametrize("username", [None, "noivu.duyet", "phuong1"])
def test_only_administrators_see_the_import_page_for_a_letter_too_long(app, login, visitor,
                                                                        username):
    client = login(username) if username else visitor
    response = paste(client, VIETNAMESE * 10_000)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Nhập công văn" not in page and 'name="text"' not in page
    assert "một ô nhập quá dài" in page  # the portal's own 413 page


def test_another_administration_page_keeps_the_portals_413(app, login):
    admin = login("quantri")
    response = admin.post("/admin/import/users", {"note": "a" * 600_000},
                          content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<h1>Không thực hiện được</h1>" in page and "một ô nhập quá dài" in page
