"""Setting up a new installation: settings, secret key, migrations and the demo data commands."""

from __future__ import annotations

import os
import stat

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from portal import create_app
from portal.extensions import db
from portal.models import AuditEvent, Evidence, Progress, ProgressStatus, Unit, User

from .conftest import _reset_postgres


@pytest.fixture
def empty_app(tmp_path, database_url):
    """A new installation: its own instance folder, an empty database."""
    app = create_app({
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_COST": 64,
    })
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            _reset_postgres()
    yield app
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            _reset_postgres()
        db.engine.dispose()


def test_secret_key_is_generated_once_into_the_instance_folder(empty_app, tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == empty_app.config["SECRET_KEY"]
    assert len(empty_app.config["SECRET_KEY"]) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert again.config["SECRET_KEY"] == empty_app.config["SECRET_KEY"]
    other = create_app({"INSTANCE_PATH": str(tmp_path / "other")})
    assert other.config["SECRET_KEY"] != empty_app.config["SECRET_KEY"]


def test_settings_come_from_instance_file_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("MAX_UPLOAD_MB = 5\nSECRET_KEY = 'from-file'\n")
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["MAX_UPLOAD_MB"] == 5 and app.config["SECRET_KEY"] == "from-file"
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'portal.sqlite3'}"
    assert app.config["UPLOAD_DIR"] == str(instance / "uploads")
    monkeypatch.setenv("PORTAL_MAX_UPLOAD_MB", "7")
    monkeypatch.setenv("PORTAL_UPLOAD_DIR", str(tmp_path / "files"))
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["MAX_UPLOAD_MB"] == 7
    assert app.config["MAX_CONTENT_LENGTH"] > 7 * 1024 * 1024
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "files")


def test_migrations_build_exactly_the_models_schema(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_seed_demo_prints_one_line_per_account_and_fills_sample_progress(empty_app, tmp_path):
    with empty_app.app_context():
        upgrade()
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--password", "mat-khau-2023", "--sample-progress"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "\t" in line]
    rows = [line.split("\t") for line in lines]
    assert ["phuong1", "unit", "Phường 1"] in rows
    assert ["noivu.duyet", "reviewer", "Phòng Nội vụ"] in rows
    assert ["lanhdao", "leader", ""] in rows and ["quantri", "admin", ""] in rows
    assert {role for _, role, _ in rows} == {"unit", "reviewer", "leader", "admin"}
    with empty_app.app_context():
        assert len(rows) == db.session.scalar(select(func.count(User.id)))
        assert db.session.scalar(select(func.count(Unit.id))) == 24
        statuses = set(db.session.scalars(select(Progress.status)))
        assert {ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS,
                ProgressStatus.SUBMITTED} <= statuses
        files = db.session.scalars(select(Evidence.stored_name).where(Evidence.stored_name != ""))
        files = list(files)
        assert files and all(
            os.path.exists(os.path.join(empty_app.config["UPLOAD_DIR"], n[:2], n)) for n in files
        )
        assert db.session.scalar(select(func.count(AuditEvent.id))) > len(files)
    accounts = tmp_path / "instance" / "demo-accounts.tsv"
    assert "phuong1\tunit\tPhường 1" in accounts.read_text(encoding="utf-8")
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600

    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "đã có dữ liệu" in again.output
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0 and "đã có dữ liệu" in refused.output


def test_seed_demo_without_password_makes_one_that_logs_in(empty_app):
    with empty_app.app_context():
        upgrade()
    result = empty_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Mật khẩu của mọi tài khoản demo: ")[1].split()[0]
    assert len(password) >= 10
    client = empty_app.test_client()
    empty_app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/login", data={"username": "phuong1", "password": password})
    assert response.status_code == 303


def test_load_directive_command(empty_app, tmp_path):
    with empty_app.app_context():
        upgrade()
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["seed-demo", "--password", "x" * 10]).exit_code == 0
    path = tmp_path / "van-ban.yaml"
    path.write_text(
        "slug: vb-2024\nyear: 2024\ntitle: Văn bản năm 2024\nsections:\n"
        " - number: '1'\n   audience: all\n   tasks:\n    - {code: '1', title: Báo cáo}\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["load-directive", str(path)])
    assert result.exit_code == 0 and "Đã nạp văn bản «Văn bản năm 2024»" in result.output
    broken = runner.invoke(args=["load-directive", str(path)])
    assert broken.exit_code != 0 and "đã có trong hệ thống" in broken.output
