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


@pytest.fixture
def empty_app(tmp_path, empty_database_url):
    """A new installation: its own instance folder, an empty database."""
    app = create_app({
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": empty_database_url,
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_COST": 64,
    })
    yield app
    with app.app_context():
        db.session.remove()
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


@pytest.mark.slow
def test_seed_demo_prints_one_line_per_account_and_fills_sample_progress(empty_app, tmp_path):
    with empty_app.app_context():
        upgrade()
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--password", "mat-khau-2023", "--sample-progress"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "\t" in line]
    rows = [line.split("\t") for line in lines]
    assert ["phuong1", "head", "Phường 1"] in rows
    assert ["phuong1.cb1", "officer", "Phường 1"] in rows
    assert ["noivu.duyet", "reviewer", "Phòng Nội vụ"] in rows
    assert ["lanhdao", "leader", ""] in rows and ["quantri", "admin", ""] in rows
    assert {role for _, role, _ in rows} == {"head", "officer", "reviewer", "leader", "admin"}
    # Every unit has one head and one to three officers, listed together.
    people = {}
    for _, role, unit in rows:
        if role in ("head", "officer"):
            people.setdefault(unit, []).append(role)
    assert len(people) == 24
    assert all(roles[0] == "head" and 2 <= len(roles) <= 4 and roles.count("head") == 1
               for roles in people.values())
    assert {len(roles) for roles in people.values()} == {2, 3, 4}
    with empty_app.app_context():
        assert len(rows) == db.session.scalar(select(func.count(User.id)))
        assert db.session.scalar(select(func.count(Unit.id))) == 24
        names = db.session.scalars(select(User.full_name).where(User.unit_id.is_not(None)))
        names = list(names)
        assert len(set(names)) == len(names) and "Cán bộ Phường 1" not in names
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
    kept = accounts.read_text(encoding="utf-8").splitlines()
    assert kept[1:] == lines  # after the password line, the same lines as printed
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


def _schema(connection) -> dict:
    """Tables with their columns (name, type, nullable) and indexes, as the database has them."""
    from sqlalchemy import inspect

    inspector = inspect(connection)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)),
        )
        for table in sorted(inspector.get_table_names())
    }


# What migrations 0007 and later add: gone after a downgrade to 0006.
LATER_TABLES = {"login_failures", "notifications", "deadline_reminders", "mail_messages",
                "report_settings", "messages", "message_reads", "assignments",
                "assignment_officers", "scoring_formulas", "findings", "finding_fields",
                "password_resets", "matrix_fragments", "areas", "matrix_unit_changes",
                "letter_reads"}
LATER_COLUMNS = {"prev_hash", "hash", "email", "mail_kinds_off", "deadline_day_counts",
                 "changed_at", "users.position", "users.title", "sign_off_required",
                 "awaiting_head_since", "prepared_by_id", "signed_off_by_id", "head_comment",
                 "finding_id", "awaiting_rights", "carry_findings_from_id",
                 "units.area_id", "tasks.import_notes", "directives.import_warnings",
                 "directives.set_aside"}


def _contents(connection) -> dict:
    """Every row of the tables and columns that 0006 had, in a fixed order, read with what the
    database has at whichever revision it is."""
    from sqlalchemy import column, inspect, table

    rows = {}
    for model_table in db.metadata.sorted_tables:
        if model_table.name in LATER_TABLES:
            continue
        present = {c["name"] for c in inspect(connection).get_columns(model_table.name)}
        names = [c.name for c in model_table.columns if c.name in present
                 and not {c.name, f"{model_table.name}.{c.name}"} & LATER_COLUMNS]
        query = select(*[column(name) for name in names]).select_from(
            table(model_table.name)
        ).order_by(*[column(c.name) for c in model_table.primary_key.columns])
        rows[model_table.name] = [tuple(row) for row in connection.execute(query)]
    return rows


@pytest.mark.slow
def test_migrations_go_down_and_up_again_keeping_data_and_schema(empty_app):
    """On a database with data, 0009, 0008 and 0007 down and up again keep every row, give the same
    schema and chain the audit events that were there before them."""
    from flask_migrate import downgrade

    with empty_app.app_context():
        upgrade()
    runner = empty_app.test_cli_runner()
    seeded = runner.invoke(args=["seed-demo", "--password", "mat-khau-2023", "--sample-progress"])
    assert seeded.exit_code == 0, seeded.output
    with empty_app.app_context():
        with db.engine.connect() as connection:
            schema, contents = _schema(connection), _contents(connection)
            chain = connection.execute(select(AuditEvent.hash).order_by(AuditEvent.id)).all()
        events = len(contents["audit_events"])
        assert events > 0
        db.session.remove()

        downgrade(revision="0006_directive_lifecycle")
        with db.engine.connect() as connection:
            assert "login_failures" not in _schema(connection)
            assert _contents(connection) == contents
        upgrade()
        with db.engine.connect() as connection:
            assert _schema(connection) == schema
            assert _contents(connection) == contents
            # The events the migration chained are chained exactly as the portal had done.
            assert connection.execute(select(AuditEvent.hash).order_by(AuditEvent.id)).all() \
                == chain
        verified = runner.invoke(args=["verify-audit"])
        assert verified.exit_code == 0, verified.output
        assert verified.output.startswith(f"OK: {events} sự kiện")


@pytest.mark.slow
def test_migrations_down_to_nothing_and_up_again_give_the_same_schema(empty_app):
    from flask_migrate import downgrade

    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            schema = _schema(connection)
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(_schema(connection)) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as connection:
            assert _schema(connection) == schema
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []


def _rows_as_dicts(connection) -> dict[str, list[dict]]:
    """Every row of every table the database has now, as column → value, in key order."""
    from sqlalchemy import inspect

    inspector = inspect(connection)
    rows = {}
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        keys = inspector.get_pk_constraint(name)["constrained_columns"]
        order = ", ".join(keys) if keys else "1"
        rows[name] = [dict(row._mapping) for row in connection.execute(
            text(f"SELECT * FROM {name} ORDER BY {order}"))]
    return rows


@pytest.mark.slow
def test_migrations_back_before_the_directive_lifecycle_keep_every_row(empty_app):
    """Down past 0006 and 0007 on a seeded database (SQLite rebuilds tables that others refer to)
    and up again: every row keeps every value its columns held at each step."""
    from flask_migrate import downgrade

    with empty_app.app_context():
        upgrade()
    runner = empty_app.test_cli_runner()
    seeded = runner.invoke(args=["seed-demo", "--password", "mat-khau-2023", "--sample-progress"])
    assert seeded.exit_code == 0, seeded.output
    with empty_app.app_context():
        with db.engine.connect() as connection:
            before = _rows_as_dicts(connection)
        db.session.remove()
        downgrade(revision="0005_people_admin")
        with db.engine.connect() as connection:
            at_0005 = _rows_as_dicts(connection)
        assert "login_failures" not in at_0005 and "hidden" not in at_0005["progress"][0]
        assert at_0005["progress"] and at_0005["evidence"]
        for name, rows in at_0005.items():
            assert rows == [{k: row[k] for k in rows[0]} for row in before[name]] if rows \
                else before[name] == [], name
        upgrade()
        with db.engine.connect() as connection:
            again = _rows_as_dicts(connection)
        for name, rows in at_0005.items():
            assert [{k: row[k] for k in rows[0]} for row in again[name]] == rows, name
        assert all(not row["hidden"] for row in again["progress"])
        assert all(row["status"] == "open" for row in again["directives"])


def test_migration_to_unit_positions_makes_each_units_first_account_its_head(empty_app, capsys):
    """0012 on accounts made before it: every unit account an officer, the first of each unit
    (lowest id) its head, other roles none; it says how many; down and up keeps every account."""
    from flask_migrate import downgrade

    units = [(1, "Phường 1", "P1", "commune", 1, True), (2, "Phường 2", "P2", "commune", 2, True),
             (3, "Phòng Nội vụ", "Nội vụ", "office", 1, True)]
    # (id, username, role, unit id, active): ids out of the units' order on purpose.
    accounts = [(1, "lanhdao", "leader", None, True), (2, "p2.duyet", "reviewer", 2, True),
                (3, "p1.b", "unit", 1, True), (4, "p2.a", "unit", 2, False),
                (5, "p1.a", "unit", 1, True), (6, "p2.c", "unit", 2, True),
                (7, "noivu.duyet", "reviewer", 3, True), (8, "p1.c", "unit", 1, True)]
    with empty_app.app_context():
        upgrade(revision="0011_directive_changed_at")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO units (id, name, short_name, kind, position, active) "
                "VALUES (:id, :name, :short, :kind, :position, :active)"),
                [dict(zip(("id", "name", "short", "kind", "position", "active"), unit,
                          strict=True)) for unit in units])
            connection.execute(text(
                "INSERT INTO users (id, username, full_name, password_hash, role, unit_id, active,"
                " must_change_password, session_token, email, mail_kinds_off) VALUES (:id,"
                " :username, :username, 'x', :role, :unit_id, :active, false, :username, '',"
                " '[]')"),
                [dict(zip(("id", "username", "role", "unit_id", "active"), account, strict=True))
                 for account in accounts])
        db.session.remove()
        capsys.readouterr()
        upgrade()  # Alembic's logging configuration writes its log to standard error
        assert ("Unit accounts: 2 made their unit's head (lãnh đạo đơn vị), 3 officers (cán bộ)"
                in capsys.readouterr().err)

        def positions() -> dict[str, str | None]:
            with db.engine.connect() as connection:
                return dict(connection.execute(text("SELECT username, position FROM users")).all())

        assert positions() == {"lanhdao": None, "p2.duyet": None, "noivu.duyet": None,
                               "p1.b": "head", "p1.a": "officer", "p1.c": "officer",
                               "p2.a": "head", "p2.c": "officer"}
        with db.engine.connect() as connection:
            before = _rows_as_dicts(connection)
        downgrade(revision="0011_directive_changed_at")
        with db.engine.connect() as connection:
            down = _rows_as_dicts(connection)
        assert all("position" not in row for row in down["users"])
        # users as 0011 had them: without position, and without the columns of later revisions
        assert down["users"] == [{k: v for k, v in row.items()
                                  if k not in ("position", "title", "awaiting_rights")}
                                 for row in before["users"]]
        upgrade()
        with db.engine.connect() as connection:
            assert _rows_as_dicts(connection) == before
