"""Command-line commands: flask --app portal seed-demo | load-directive FILE | send-mail | …"""

from __future__ import annotations

import functools
import os
import secrets
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import demo, scale, storage
from .audit import verify_chain
from .auth.passwords import weakness
from .backup import BackupError, backup, restore
from .deadlines import today
from .directives import letter_reads
from .directives.audience import DirectiveFileError
from .directives.importer import LetterImportError, UnitRef, import_letter, read_letter_file
from .directives.importer.reading import letter_format
from .directives.importer.signature import read_signatures
from .directives.loader import load_directive
from .extensions import db, writing
from .formatting import parse_date
from .models import Unit
from .notifications.mail import send_queued
from .notifications.reminders import remind
from .vietnamese import fold


def writes_while_serving(command):
    """A command that writes to the database while the portal serves: each of its transactions
    takes SQLite's write lock when it begins, as a writing request's does, so that it waits for
    the requests writing at that moment instead of failing with "database is locked"."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with writing():
            return command(*args, **kwargs)

    return run


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(seed_scale)
    app.cli.add_command(load_directive_command)
    app.cli.add_command(import_directive_command)
    app.cli.add_command(read_letter_command)
    app.cli.add_command(check_storage_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(verify_audit_command)
    app.cli.add_command(remind_command)
    app.cli.add_command(send_mail_command)


@click.command("seed-demo")
@with_appcontext
@click.option("--password", help="Mật khẩu cho mọi tài khoản demo (mặc định: tạo ngẫu nhiên).")
@click.option("--sample-progress", is_flag=True, help="Điền thêm tiến độ, số liệu, minh chứng mẫu.")
@click.option("--if-empty", is_flag=True, help="Không làm gì nếu cơ sở dữ liệu đã có dữ liệu.")
@writes_while_serving
def seed_demo(password: str | None, sample_progress: bool, if_empty: bool) -> None:
    """Load the Sa Đéc units, the 2023 letter, each unit's head and officers and one demo account
    for each other role."""
    if not demo.is_empty():
        if if_empty:
            accounts = Path(current_app.instance_path) / "demo-accounts.tsv"
            click.echo(f"Cơ sở dữ liệu đã có dữ liệu; tài khoản demo: {accounts}", err=True)
            return
        raise click.ClickException(
            "Cơ sở dữ liệu đã có dữ liệu; seed-demo chỉ chạy trên CSDL trống."
        )
    if current_app.config["PRODUCTION"]:

        if not password:
            raise click.ClickException(
                "PORTAL_ENV=production: hãy tự chọn mật khẩu cho tài khoản demo bằng --password."
            )
        if reason := weakness(password, ""):
            raise click.ClickException(reason)
    password = password or secrets.token_urlsafe(9)
    users = demo.seed(password, sample_progress=sample_progress)
    lines = [demo.account_line(user) for user in users]
    for line in lines:
        click.echo(line)
    click.echo(f"Mật khẩu của mọi tài khoản demo: {password}", err=True)
    _keep_accounts(lines, password)


@click.command("seed-scale")
@with_appcontext
@click.option("--units", type=click.IntRange(1, 20000), required=True,
              help="Số đơn vị (sở, xã, phường).")
@click.option("--tasks", type=click.IntRange(1, 200), required=True,
              help="Số nhiệm vụ của văn bản, mỗi nhiệm vụ giao cho mọi đơn vị.")
@click.option("--areas", type=click.IntRange(0, 2000), default=None,
              help="Số địa bàn (tỉnh, huyện cũ); mặc định theo số đơn vị; 0: không chia địa bàn.")
@click.option("--password", help="Mật khẩu của mọi tài khoản (mặc định: tạo ngẫu nhiên).")
@writes_while_serving
def seed_scale(units: int, tasks: int, areas: int | None, password: str | None) -> None:
    """Build a made-up province (or, past 400 units, country) on an empty database: units in
    areas, one published directive of TASKS tasks reaching them all, a spread of states; print
    one account a line and, on stderr, the time it took."""
    started = time.perf_counter()
    if current_app.config["PRODUCTION"]:
        raise click.ClickException("PORTAL_ENV=production: seed-scale chỉ dùng để thử nghiệm.")
    password = password or secrets.token_urlsafe(9)
    chosen = scale.default_areas(units) if areas is None else areas
    try:
        accounts = scale.build(scale.Scale(units, tasks, min(chosen, units), password))
    except scale.NotEmpty:
        raise click.ClickException(
            "Cơ sở dữ liệu đã có dữ liệu; seed-scale chỉ chạy trên CSDL trống."
        ) from None
    for username, role, unit in accounts:
        click.echo(f"{username}\t{role}\t{unit}")
    click.echo(f"Mật khẩu của mọi tài khoản: {password}", err=True)
    click.echo(f"Đã tạo {units} đơn vị, {min(chosen, units)} địa bàn, {tasks} nhiệm vụ, "
               f"{units * tasks} mục việc trong {scale.seconds_since(started)} giây.", err=True)


def _keep_accounts(lines: list[str], password: str) -> None:
    """Keep the demo accounts in instance/ for the next `make run`, readable by the owner only."""
    path = Path(current_app.instance_path) / "demo-accounts.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"# mật khẩu: {password}\n" + "\n".join(lines) + "\n")


@click.command("load-directive")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@writes_while_serving
def load_directive_command(path: Path) -> None:
    """Load a directive file (YAML) with its tasks for the units it reaches."""
    try:
        directive = load_directive(path)
        db.session.commit()
    except DirectiveFileError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Đã nạp văn bản «{directive.title}» (mã {directive.id}).")


def _print_progress(done: int, pages: int) -> None:
    click.echo(f"Đang đọc trang {min(done + 1, pages)}/{pages}" if done < pages
               else f"Đã đọc xong {pages} trang.", err=True)


@click.command("read-letter")
@with_appcontext
@click.argument("read_id", type=int)
@writes_while_serving
def read_letter_command(read_id: int) -> None:
    """Read an uploaded letter's file kept by the upload (a PDF, a scan, a .doc) and make its
    draft; started by the upload itself, in a process of its own."""
    letter_reads.bound_memory(current_app.config["LETTER_MEMORY_MB"])
    read = letter_reads.run(read_id)
    if read is None:
        raise click.ClickException(f"Không có lượt đọc tệp số {read_id}.")
    click.echo(f"{read.status.label}: {read.message or read.filename}")


@click.command("import-directive")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp YAML ghi ra (mặc định: cạnh tệp công văn, <tên>.yaml).")
@click.option("--slug", help="Mã văn bản trong YAML (mặc định: theo tên tệp).")
@click.option("--force", is_flag=True, help="Ghi đè tệp YAML đã có.")
def import_directive_command(path: Path, out: Path | None, slug: str | None, force: bool) -> None:
    """Read a letter (.txt, .docx, .doc, PDF, or a JPG/PNG/TIFF scan), match its addressees to
    the units in the database and write a draft directive (YAML) for review. OCR's progress is
    printed to stderr."""
    out = out or path.with_suffix(".yaml")
    if out.resolve() == path.resolve():
        raise click.ClickException("Tệp YAML ghi ra trùng với tệp công văn; chọn --out khác.")
    if out.exists() and not force:
        raise click.ClickException(f"Tệp {out} đã có; dùng --force để ghi đè.")
    units = [
        UnitRef(u.id, u.name, u.short_name, u.kind.value)
        for u in db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.position))
    ]
    try:
        data = path.read_bytes()
        text = read_letter_file(data, path.name,
                                limits=letter_reads.limits(current_app.config),
                                progress=_print_progress)
        draft = import_letter(text, units, received=today())
        signed = read_signatures(data) if letter_format(data, path.name) == "pdf" else []
    except LetterImportError as error:
        raise click.ClickException(str(error)) from None
    slug = slug or "-".join(
        "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in fold(path.stem)).split()
    ) or "van-ban"
    click.echo(draft.summary())
    for line in letter_reads.signature_lines(signed):
        click.echo(line)
    if signed:
        click.echo("(Chứng thư số chưa được đối chiếu với tổ chức chứng thực: cổng không giữ "
                   "chứng thư gốc và không tra cứu trực tuyến.)")
    try:
        out.write_text(draft.to_yaml(slug), encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"Không ghi được {out}: {error.strerror or error}") from None
    click.echo(f"\nĐã ghi bản nháp: {out}. Rà soát rồi nạp bằng: "
               f"flask --app portal load-directive {out}")


@click.command("verify-audit")
@with_appcontext
def verify_audit_command() -> None:
    """Check the audit log's chain of hashes: OK with the count, or the first broken link."""

    with db.engine.connect() as connection:
        check = verify_chain(connection)
    if check.broken_id is not None:
        raise click.ClickException(
            f"Nhật ký bị thay đổi tại sự kiện #{check.broken_id}: {check.problem}. "
            f"({check.count - 1} sự kiện trước đó vẫn nguyên vẹn.)"
        )
    click.echo(f"OK: {check.count} sự kiện, chuỗi băm nguyên vẹn. Mã băm cuối: "
               f"{check.last_hash or '(trống)'}")


@click.command("check-storage")
@with_appcontext
@click.option("--fix", is_flag=True,
              help="Xoá tệp không có bản ghi và cũ hơn 1 ngày (không bao giờ xoá tệp có bản ghi).")
def check_storage_command(fix: bool) -> None:
    """List evidence files without rows, rows without files and files whose SHA-256 changed."""

    report, labels = storage.check_database()
    for line in storage.report_lines(report, labels):
        click.echo(line)
    if fix and report.orphans:
        removed = storage.remove_orphans(report, storage.has_row)
        click.echo(f"Đã xoá {len(removed)} tệp không có bản ghi, cũ hơn 1 ngày; "
                   f"giữ lại {len(report.orphans) - len(removed)} tệp mới hơn.")
        report.orphans = [p for p in report.orphans if p not in removed]
    if not report.clean:
        click.get_current_context().exit(1)


@click.command("backup")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup_command(directory: Path) -> None:
    """Copy the database and the evidence files into DIRECTORY, with a manifest of SHA-256
    checksums, while the portal keeps serving."""

    try:
        outcome = backup(directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    for warning in outcome.warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)
    click.echo(f"Đã sao lưu {sum(outcome.counts.values())} bản ghi và {outcome.files} tệp "
               f"vào {outcome.folder}.")


@click.command("restore")
@with_appcontext
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Ghi đè cơ sở dữ liệu và tệp đang có.")
@writes_while_serving
def restore_command(directory: Path, force: bool) -> None:
    """Check a backup against its manifest, then restore it into the configured instance."""

    try:
        outcome = restore(directory, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    for warning in outcome.warnings:
        click.echo(warning)
    click.echo(f"Đã phục hồi {sum(outcome.counts.values())} bản ghi và {outcome.files} tệp "
               f"từ {outcome.folder}.")


# --- e-mail --------------------------------------------------------------------------------------


@click.command("send-mail")
@with_appcontext
@click.option("--limit", type=click.IntRange(1), default=200, show_default=True,
              help="Số thư gửi tối đa trong một lần chạy.")
@click.option("--quiet", is_flag=True,
              help="Không in gì khi không có thư nào đến lượt gửi (cho cron chạy mỗi phút).")
@writes_while_serving
def send_mail_command(limit: int, quiet: bool) -> None:
    """Send the queued e-mail whose time has come (run every minute or five by cron or a
    systemd timer); print what was sent, what will be tried again and what failed."""

    if not current_app.config["SMTP_HOST"]:
        if not quiet:
            click.echo("Chưa cấu hình máy chủ thư (PORTAL_SMTP_HOST): không gửi thư nào.")
        return
    outcome = send_queued(limit=limit)
    if outcome.tried or not quiet:
        click.echo(outcome.summary())


# --- remind: the daily deadline reminders and digests ----------------------------------------


@click.command("remind")
@with_appcontext
@click.option("--today", "day", metavar="NGÀY",
              help="Chạy như vào ngày này (dd/mm/yyyy hoặc yyyy-mm-dd), để chạy bù; "
                   "mặc định: hôm nay theo giờ Thành phố.")
@writes_while_serving
def remind_command(day: str | None) -> None:
    """Give the deadline reminders due today (7, 3, 1 days before, overdue) and the day's
    digests, for cron or a systemd timer once a day; a second run the same day creates nothing."""


    try:
        on = parse_date(day) if day else today()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--today") from None
    try:
        outcome = remind(on)
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(
            "Một lần chạy remind khác vừa ghi cùng các nhắc hạn này; lần này không ghi gì. "
            "Chạy lại để kiểm tra."
        ) from None
    for line in outcome.summary():
        click.echo(line)
