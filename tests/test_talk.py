"""Trao đổi: an item's conversation between its unit and Phòng Nội vụ. Who writes and who is told,
unread markers per reader, files checked as evidence but never evidence, a message kept as written
after its grace period, every bad input refused with nothing written, and the matrix's cost the
same with conversations as without."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.deadlines import utcnow
from portal.demo import sample_pdf
from portal.directives import lifecycle
from portal.extensions import db
from portal.models import (
    Directive,
    Evidence,
    MailMessage,
    Message,
    MessageRead,
    Notification,
    User,
)

from .support.apps import seeded_app
from .support.clients import login_as
from .support.databases import writes, written_since
from .support.records import audit_actions_since, ids_of, last_audit_id, stored_files
from .support.statements import count_statements, recorded_statements

PDF = sample_pdf("trao doi")


@pytest.fixture
def reviewer(login):
    return login("noivu.duyet")


@pytest.fixture
def item(ids) -> int:
    return ids.item("Phường 1", "1.1")


def write(client, item_id: int, body: str, file: tuple[bytes, str] | None = None,
          htmx: bool = False, **files):
    data = {"body": body}
    if file is not None:
        data["file"] = (io.BytesIO(file[0]), file[1])
    data |= files
    return client.post(f"/items/{item_id}/messages", data, htmx=htmx,
                       content_type="multipart/form-data")


def told(app, username: str, kind: str) -> list[Notification]:
    with app.app_context():
        found = db.session.scalars(
            select(Notification).join(User, User.id == Notification.user_id)
            .where(User.username == username, Notification.kind == kind)
        ).all()
        for note in found:
            db.session.expunge(note)
        return list(found)


def messages_of(app, item_id: int) -> list[Message]:
    with app.app_context():
        found = db.session.scalars(
            select(Message).where(Message.progress_id == item_id).order_by(Message.id)).all()
        for message in found:
            db.session.expunge(message)
        return list(found)


def html(response) -> str:
    return response.get_data(as_text=True)


def unread_markers(page: str) -> int:
    return len(re.findall(r'class="badge unread">Mới<', page))


def test_unit_and_reviewer_talk_each_told_and_each_sees_what_is_new(app, ward, reviewer, item):
    writer = ids_of(app).full_name("phuong1") + " (Chủ tịch UBND phường)"  # name and title
    audit_id = last_audit_id(app)
    response = write(ward, item, "Đề nghị hướng dẫn mẫu báo cáo quý.")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/items/{item}/messages#talk-new"
    assert audit_actions_since(app, audit_id) == ["message.write"]
    # Phòng Nội vụ's reviewers are told, with the writer's name and words; the unit is not.
    [note] = told(app, "noivu.duyet", "talk.to_reviewers")
    assert note.url == f"/items/{item}/messages" and note.progress_id == item
    assert "1.1" in note.title and "Phường 1" in note.title
    assert note.body.startswith(f"{writer}: Đề nghị hướng dẫn")
    assert not told(app, "phuong1", "talk.to_reviewers")
    assert not told(app, "lanhdao", "talk.to_reviewers")

    page = html(reviewer.get(f"/items/{item}/messages"))
    assert unread_markers(page) == 1 and "1 tin mới" in page
    assert writer in page and "Đề nghị hướng dẫn mẫu báo cáo quý." in page
    when = re.search(r"<time datetime=\"[^\"]+\">(\d\d:\d\d \d\d/\d\d/\d{4})</time>", page)
    assert when, page  # city time, as the item's history shows it
    # Seen once, it is no longer new to the reviewer; the writer never saw it as new.
    assert unread_markers(html(reviewer.get(f"/items/{item}/messages"))) == 0
    assert unread_markers(html(ward.get(f"/items/{item}/messages"))) == 0

    assert write(reviewer, item, "Đơn vị dùng mẫu số 2 kèm theo.").status_code == 303
    [note] = told(app, "phuong1", "talk.to_unit")
    assert "Phòng Nội vụ" in note.title
    assert not told(app, "phuong2", "talk.to_unit")
    # The unit's item shows how many messages are new to it, and its conversation marks them.
    assert "1 tin mới" in html(ward.get(f"/items/{item}"))
    page = html(ward.get(f"/items/{item}/messages"))
    assert unread_markers(page) == 1
    assert page.index("Đề nghị hướng dẫn") < page.index("Đơn vị dùng mẫu số 2")  # newest last
    assert "1 tin mới" not in html(ward.get(f"/items/{item}"))


def test_the_checklist_counts_new_messages_per_item_in_one_statement(app, ward, reviewer, ids):
    url = f"/directives/{ids.directive()}/units/{ids.unit('Phường 1')}"
    ward.get(url)
    before = count_statements(app, ward, url)
    for code in ("1.1", "1.2", "1.5"):
        assert write(reviewer, ids.item("Phường 1", code), f"Nhắc nhiệm vụ {code}.").status_code \
            == 303
    page = html(ward.get(url))
    assert page.count("1 tin mới") == 3
    assert count_statements(app, ward, url) == before


def test_a_message_with_a_file_is_not_evidence_and_the_file_is_kept(app, ward, reviewer, item,
                                                                    upload_dir):
    response = write(ward, item, "Gửi bản dự thảo để Phòng Nội vụ góp ý.", (PDF, "Dự thảo.pdf"))
    assert response.status_code == 303
    [message] = messages_of(app, item)
    assert message.file_name == "Dự thảo.pdf" and message.size == len(PDF)
    with app.app_context():
        assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert "Tài liệu kiểm chứng (0)" in html(ward.get(f"/items/{item}"))
    download = reviewer.get(f"/messages/{message.id}/file")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    # check-storage knows the file has its row: it is neither an orphan nor removed by --fix.
    result = app.test_cli_runner().invoke(args=["check-storage", "--fix"])
    assert result.exit_code == 0, result.output
    assert len(list(upload_dir.rglob("*"))) >= 1 and (
        upload_dir / message.stored_name[:2] / message.stored_name).is_file()


@pytest.mark.parametrize(("body", "said"), [
    ("", "Hãy nhập nội dung trao đổi."),
    ("   \n ", "Hãy nhập nội dung trao đổi."),
    ("x" * 4001, "Nội dung tối đa 4.000 ký tự (hiện có 4.001)."),
])
def test_an_empty_or_oversized_message_is_refused_and_nothing_written(app, ward, item, body,
                                                                       said):
    counted, files = writes(app), stored_files(app)
    for htmx in (False, True):
        response = write(ward, item, body, (PDF, "Kèm theo.pdf"), htmx=htmx)
        assert response.status_code == 422
        assert said in html(response)
        assert ('id="talk-body-' in html(response)) and ("<html" in html(response)) is not htmx
    assert written_since(app, counted) == set()
    assert stored_files(app) == files


@pytest.mark.parametrize(("file", "status", "said"), [
    ((b"MZ not a pdf at all", "Báo cáo.pdf"), 422, "không phải"),
    ((b"#!/bin/sh\n", "chay.sh"), 422, "Chỉ nhận tệp PDF"),
    ((b"", "Rỗng.pdf"), 422, "Tệp rỗng"),
])
def test_a_file_failing_the_evidence_checks_is_refused_and_nothing_written(
        app, ward, item, file, status, said):
    counted, files = writes(app), stored_files(app)
    response = write(ward, item, "Gửi kèm tệp.", file)
    assert response.status_code == status
    assert said in html(response)
    assert "Gửi kèm tệp." in html(response)  # what was typed is kept
    assert written_since(app, counted) == set()
    assert stored_files(app) == files


def test_two_files_in_one_message_are_refused(app, ward, item):
    counted, files = writes(app), stored_files(app)
    response = ward.post(f"/items/{item}/messages", {
        "body": "Hai tệp.", "file": [(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(PDF), "b.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Mỗi tin nhắn chỉ đính kèm một tệp" in html(response)
    assert written_since(app, counted) == set() and stored_files(app) == files


def test_a_file_over_the_size_limit_is_refused_with_413(tmp_path, database_url):
    for small in seeded_app(tmp_path, database_url, MAX_UPLOAD_MB=1):
        ward = login_as(small)("phuong1")
        item = ids_of(small).item("Phường 1", "1.1")
        counted, files = writes(small), stored_files(small)
        big = PDF + b"0" * (1024 * 1024)
        response = write(ward, item, "Tệp lớn.", (big, "Lớn.pdf"))
        assert response.status_code == 413
        assert "Tệp vượt quá giới hạn 1 MB" in html(response)
        assert written_since(small, counted) == set() and stored_files(small) == files


def test_a_closed_directive_conversation_is_read_only(app, ward, reviewer, item, ids):
    assert write(ward, item, "Trước khi kết thúc.").status_code == 303
    with app.app_context():
        lifecycle.close(db.session.get(Directive, ids.directive()))
        db.session.commit()
    [message] = messages_of(app, item)
    counted, files = writes(app), stored_files(app)
    for client in (ward, reviewer):
        response = write(client, item, "Sau khi kết thúc.", (PDF, "Muộn.pdf"))
        assert response.status_code == 409
        assert "Văn bản này đã kết thúc" in html(response)
    assert ward.post(f"/messages/{message.id}/delete").status_code == 409
    page = html(ward.get(f"/items/{item}/messages"))
    assert "Trước khi kết thúc." in page and "trao đổi chỉ còn để đọc" in page
    assert 'action="/items/' not in page and "/delete" not in page
    assert written_since(app, counted) - {"message_reads"} == set()
    assert stored_files(app) == files


def test_leadership_and_administrators_read_but_write_nothing(app, ward, login, item):
    assert write(ward, item, "Đơn vị báo cáo tiến độ.").status_code == 303
    for username in ("lanhdao", "quantri"):
        reader = login(username)
        page = html(reader.get(f"/items/{item}/messages"))
        assert "Đơn vị báo cáo tiến độ." in page
        assert "<form" not in page.split('id="talk-')[1].split("</section>")[0]
        counted = writes(app)
        assert write(reader, item, "Lãnh đạo viết.").status_code == 403
        assert written_since(app, counted) == set()


def test_other_units_see_nothing_of_the_conversation(app, ward, login, item):
    assert write(ward, item, "Nội dung riêng của Phường 1.", (PDF, "Riêng.pdf")).status_code == 303
    [message] = messages_of(app, item)
    other = login("phuong2")
    for url in (f"/items/{item}/messages", f"/messages/{message.id}/file"):
        response = other.get(url)
        assert response.status_code == 403
        assert "Nội dung riêng" not in html(response) and b"%PDF" not in response.data
    assert write(other, item, "Chen vào.").status_code == 403
    assert other.post(f"/messages/{message.id}/delete").status_code == 403
    assert other.get("/items/999999/messages").status_code == 404
    assert other.get("/messages/999999/file").status_code == 404


def test_its_writer_deletes_a_message_only_within_the_grace_period(app, ward, reviewer, item,
                                                                  upload_dir):
    assert write(ward, item, "Gửi nhầm tệp.", (PDF, "Nhầm.pdf")).status_code == 303
    assert write(ward, item, "Tin nhắn giữ lại.").status_code == 303
    first, kept = messages_of(app, item)
    page = html(ward.get(f"/items/{item}/messages"))
    assert f'action="/messages/{first.id}/delete"' in page
    # Nobody but its writer may delete it, even within the grace period.
    assert f"/messages/{first.id}/delete" not in html(reviewer.get(f"/items/{item}/messages"))
    assert reviewer.post(f"/messages/{first.id}/delete").status_code == 403

    audit_id = last_audit_id(app)
    response = ward.post(f"/messages/{first.id}/delete", htmx=True)
    assert response.status_code == 200 and "Đã xoá tin nhắn." in html(response)
    assert audit_actions_since(app, audit_id) == ["message.delete"]
    assert [m.id for m in messages_of(app, item)] == [kept.id]
    assert not (upload_dir / first.stored_name[:2] / first.stored_name).exists()

    app.config["FROZEN_NOW"] = utcnow() + timedelta(minutes=5, seconds=1)
    page = html(ward.get(f"/items/{item}/messages"))
    assert f"/messages/{kept.id}/delete" not in page
    counted = writes(app)
    response = ward.post(f"/messages/{kept.id}/delete")
    assert response.status_code == 409 and "được giữ nguyên" in html(response)
    assert written_since(app, counted) == set()
    assert [m.id for m in messages_of(app, item)] == [kept.id]


def test_htmx_writes_answer_with_the_conversation_and_plain_posts_redirect(app, ward, item):
    opened = ward.get(f"/items/{item}/messages", htmx=True)
    assert opened.status_code == 200 and "<html" not in html(opened)
    assert f'id="talk-{item}"' in html(opened)
    response = write(ward, item, "Qua htmx.", htmx=True)
    assert response.status_code == 200
    assert "Đã gửi tin nhắn." in html(response) and "Qua htmx." in html(response)
    assert "<html" not in html(response)
    # The item's own page links to the conversation, which works without JavaScript.
    page = html(ward.get(f"/items/{item}"))
    assert f'href="/items/{item}/messages#talk-new"' in page
    assert f'data-hx-get="/items/{item}/messages"' in page


def test_conversations_add_no_statement_to_the_matrix_or_its_poll(app, ward, reviewer, ids):
    url = f"/directives/{ids.directive()}/matrix"
    reviewer.get(url)
    page_before = count_statements(app, reviewer, url, cold_matrix=True)
    def poll_statements() -> int:
        tag = reviewer.get(url, htmx=True).headers["HX-PTag"]
        with app.app_context():
            engine = db.engine
        with recorded_statements(engine) as statements:
            poll = reviewer.get(url, htmx=True, headers={"HX-PTag": tag})
        assert poll.status_code == 304
        return len(statements)

    poll_before = poll_statements()
    assert write(ward, ids.item("Phường 1", "1.1"), "Hỏi Phòng Nội vụ.").status_code == 303
    tag = reviewer.get(url, htmx=True).headers["HX-PTag"]  # the bell has one more
    for code in ("1.1", "1.2", "1.3", "1.5"):
        for unit in ("Phường 1", "Phường 2"):
            assert write(reviewer, ids.item(unit, code), f"Hỏi về {code}.").status_code == 303
    # A message does not move the directive's revision: the poll is still 304...
    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        poll = reviewer.get(url, htmx=True, headers={"HX-PTag": tag})
    assert poll.status_code == 304
    assert len(statements) == poll_before
    # ...and the matrix, built again, reads no more than before.
    assert count_statements(app, reviewer, url, cold_matrix=True) == page_before
    with app.app_context():
        assert db.session.scalar(select(func.count(MessageRead.user_id))) >= 1


def test_a_new_message_is_mailed_to_those_who_chose_it(app, ward, reviewer, item):
    app.config["SMTP_HOST"] = "127.0.0.1"
    with app.app_context():
        for username, off in (("noivu.duyet", []), ("phuong1", ["talk.to_unit"])):
            user = db.session.scalar(select(User).where(User.username == username))
            user.email, user.mail_kinds_off = f"{username}@sadec.gov.vn", off
        db.session.commit()
    assert write(ward, item, "Xin hướng dẫn cách nhập số liệu.").status_code == 303
    assert write(reviewer, item, "Nhập theo mẫu số 2.").status_code == 303
    with app.app_context():
        mails = db.session.execute(select(MailMessage.to_address, MailMessage.kind)).all()
    # The reviewer chose this kind of e-mail; Phường 1's staff turned theirs off (the bell stays).
    assert [tuple(m) for m in mails] == [("noivu.duyet@sadec.gov.vn", "talk.to_reviewers")]
    assert told(app, "phuong1", "talk.to_unit")
