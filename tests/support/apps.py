"""The portal under test: `test_settings` (everything of a test's portal below its own folder,
uploads limited to MAX_UPLOAD_MB), `seeded_app` (the app on a copy of a seeded database) and
`copied_app` (the app on a new copy of a template, dropped afterwards). Importing this module also
sets up what each test process compiles once instead of once per test's app: Jinja's templates, the
URL builders and the SQL statements."""

from __future__ import annotations

from jinja2 import BytecodeCache
from werkzeug.routing import Rule

from portal import create_app
from portal.extensions import db

MAX_UPLOAD_MB = 1


def test_settings(root, database_url: str) -> dict:
    """Settings of a portal under test, everything of its own below `root`."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(root / "instance"),
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(root / "uploads"),
        "SECRET_KEY": "test-secret",
        "PASSWORD_TIME_COST": 1,  # argon2 at its cheapest: thirty accounts in milliseconds
        "PASSWORD_MEMORY_COST": 64,
        "MAX_UPLOAD_MB": MAX_UPLOAD_MB,
    }


test_settings.__test__ = False  # a helper, not a test


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, kept for the whole test process: each test has an app of its
    own, and compiling every template again for each took a quarter of the suite's time. Jinja
    compiles a template again whenever its source changes (the bucket checks a checksum)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def _builders_compiled_once() -> None:
    """Werkzeug compiles two URL builders for every route of every new app, through Python's
    compiler: 40 ms of each test's own app. A builder is a pure function of its rule's parsed
    parts (it takes the rule as its first argument and reads the converters from it when called),
    so the tests keep the first one compiled for each rule and give it to the same rule of the
    next app."""
    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def builder_compiled_once(rule: Rule, append_unknown: bool = True):
        key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())),
               append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = builder_compiled_once


_builders_compiled_once()

# Per database system: its first engine's dialect, and a cache of the statements compiled for it.
_DIALECTS: dict[str, tuple] = {}


def _statements_compiled_once(app) -> None:
    """SQLAlchemy keeps the SQL it compiled for each statement in a cache of the engine's own, and
    each test's app has a new engine: compiling the same queries again took a fifth of the suite.
    The app's engine is given the dialect of the first engine on the same database system (the
    same driver and server, initialised the same way) and a cache shared with it
    (`compiled_cache`, a documented execution option); connections are still the engine's own."""
    with app.app_context():
        engine = db.engine
        dialect, compiled = _DIALECTS.setdefault(
            f"{engine.dialect.name}+{engine.dialect.driver}", (engine.dialect, {}))
        engine.dialect = dialect
        engine.update_execution_options(compiled_cache=compiled)


def seeded_app(tmp_path, database_url, **settings):
    """The app on `database_url` (a copy of the seeded template), `settings` on top of the
    tests' own; every connection closed afterwards."""
    app = create_app({**test_settings(tmp_path, database_url), **settings})
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    _statements_compiled_once(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def copied_app(databases, template: str, tmp_path, **settings):
    """The app on a copy of template `template`: its database and its upload folder."""
    url = databases.copy(template, tmp_path)
    yield from seeded_app(tmp_path, url, **settings)
    databases.drop(url)


def app_with_progress(request, databases, template: str, tmp_path):
    """The app of a module that prepares progress once per test process (its `progress_template`
    fixture, building template `template`): a copy of that template for a test that asks for
    `progress`, of the seeded demo city otherwise."""
    if "progress" in request.fixturenames:
        request.getfixturevalue("progress_template")
        yield from copied_app(databases, template, tmp_path)
    else:
        yield from copied_app(databases, "seeded", tmp_path)
