# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app portal

.PHONY: run test check test-postgres e2e e2e-tools lint install db bench serve load

# The suite runs on every core (pytest-xdist), two workers at least; each worker has its own
# databases and upload folders (tests/support/databases.py). `--dist loadgroup` keeps each browser
# module, and the tests that start servers, on one worker.
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 2 ? 2 : n )))
PYTEST := $(BIN)/pytest -q -n $(JOBS) --dist loadgroup

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The browser tests' page checkers (axe-core, the Nu HTML checker) and the OpenID provider, where
# npm is present.
E2E_TOOLS := tests/e2e/node_modules/.installed
$(E2E_TOOLS): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund
	touch $@

# The certified OpenID provider the login tests run (tests/support/oidc_provider, oidc-provider).
OIDC_PROVIDER := tests/support/oidc_provider/node_modules/.installed
$(OIDC_PROVIDER): tests/support/oidc_provider/package.json tests/support/oidc_provider/package-lock.json
	cd tests/support/oidc_provider && npm ci --no-audit --no-fund
	touch $@

e2e-tools:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(E2E_TOOLS) $(OIDC_PROVIDER); \
	else echo "npm not found: the page checks (axe-core, vnu) and the OpenID provider's tests will be skipped"; fi

db: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --sample-progress --if-empty

run: db
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The whole suite, browser tests included, and the 25 slowest tests.
test: install e2e-tools
	$(PYTEST) --durations=25

# After each edit: the fast tests on SQLite (the permission table included), in about a minute.
check: install
	$(PYTEST) -m "not slow"

# The suite on PostgreSQL (CI's second pass; the browser tests ran on SQLite): each worker makes
# its databases next to TEST_DATABASE_URL's, whose own database is never written.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-postgres: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(PYTEST) --durations=25 --ignore=tests/e2e

e2e: install e2e-tools
	$(PYTEST) tests/e2e

bench: install
	$(BIN)/python bench/matrix.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/overview.py
	$(BIN)/python bench/importer.py

# 100 reviewers polling matrices and 20 units uploading, against gunicorn (bench/load.py).
load: install
	$(BIN)/python bench/load.py

# Production serving (README, "Serving"): gunicorn with one worker per core (two at least), each
# with threads so that a slow upload or download holds a thread, not a worker. PORTAL_BIND,
# WORKERS, THREADS and PORTAL_ENV may be set in the environment.
PORTAL_BIND ?= 127.0.0.1:8000
WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 2 ? 2 : n )))
THREADS ?= 8

serve: export PORTAL_ENV ?= production
serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn --bind $(PORTAL_BIND) --workers $(WORKERS) --worker-class gthread \
		--threads $(THREADS) --timeout 60 --graceful-timeout 30 --keep-alive 75 \
		--access-logfile - --error-logfile - wsgi:app

lint: install
	$(BIN)/ruff check portal tests bench
