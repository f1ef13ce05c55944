# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app portal

.PHONY: run test check test-postgres e2e e2e-tools lint install db bench serve load lock lock-check \
	cluster

# The suite runs on every core (pytest-xdist), two workers at least; each worker has its own
# databases and upload folders (tests/support/databases.py). `--dist loadgroup` keeps each browser
# module, and the tests that start servers, on one worker.
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 2 ? 2 : n )))
PYTEST := $(BIN)/pytest -q -n $(JOBS) --dist loadgroup

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# The dependencies come from the lock, every one pinned with its hashes (README, "Dependencies"):
# uv.lock, resolved by uv from pyproject.toml, exported as requirements.lock (what the portal runs
# on: the office server installs exactly this) and requirements-dev.lock (the same pins plus the
# dev extra: tests, lint, uv). pip refuses any file whose hash is not in the lock; the project
# itself is then installed without its dependencies. Reinstall only when the lock changes.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
UV := $(BIN)/uv

$(VENV)/.installed: $(DEV_LOCK) $(LOCK) uv.lock pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# After a change to the dependencies in pyproject.toml: resolve again (keeping every pin that
# still fits) and write the three lock files; commit them with pyproject.toml.
lock: install
	$(UV) lock
	$(UV) export --frozen --quiet --no-emit-project -o $(LOCK)
	$(UV) export --frozen --quiet --no-emit-project --extra dev -o $(DEV_LOCK)
	@echo "uv.lock, $(LOCK) and $(DEV_LOCK) written: commit them with pyproject.toml"

# CI: the lock still answers what pyproject.toml asks for (uv compares the requirements it
# recorded with pyproject's, with no resolution and no index asked while they match, so that a
# new release on PyPI never fails it), and both exports are what uv.lock gives.
lock-check: install
	@$(UV) lock --check --quiet || { \
		echo "LOCK OUT OF DATE: uv.lock no longer matches pyproject.toml's dependencies;" \
			"run 'make lock' and commit uv.lock, $(LOCK) and $(DEV_LOCK)." >&2; exit 1; }
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(UV) export --frozen --quiet --no-emit-project -o $$tmp/$(LOCK) && \
	$(UV) export --frozen --quiet --no-emit-project --extra dev -o $$tmp/$(DEV_LOCK) && \
	for f in $(LOCK) $(DEV_LOCK); do \
		grep -v '^#' $$f > $$tmp/committed; grep -v '^#' $$tmp/$$f > $$tmp/exported; \
		diff -u $$tmp/committed $$tmp/exported >&2 || { \
			echo "LOCK OUT OF DATE: $$f is not what uv.lock exports; run 'make lock'" \
				"and commit it." >&2; exit 1; }; \
	done
	@echo "lock: uv.lock, $(LOCK) and $(DEV_LOCK) match pyproject.toml"

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

# Several servers on this machine (README, "Several servers"; deploy/): a PostgreSQL database of
# its own (created if missing, migrated, the demo data in it), two gunicorn servers and nginx in
# front of them on http://127.0.0.1:$(CLUSTER_PORT), until Ctrl-C. Needs Debian's nginx.
CLUSTER_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/portal_cluster
CLUSTER_PORT ?= 8080
CLUSTER_SERVERS ?= 2
cluster: install
	$(BIN)/python deploy/cluster.py --database-url $(CLUSTER_DATABASE_URL) \
		--port $(CLUSTER_PORT) --servers $(CLUSTER_SERVERS)

lint: install
	$(BIN)/ruff check portal tests bench deploy
