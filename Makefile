# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app portal

.PHONY: run test e2e e2e-tools lint install db bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The browser tests' page checkers (axe-core, the Nu HTML checker), where npm is present.
E2E_TOOLS := tests/e2e/node_modules/.installed
$(E2E_TOOLS): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund
	touch $@

e2e-tools:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(E2E_TOOLS); \
	else echo "npm not found: the page checks (axe-core, vnu) will be skipped"; fi

db: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --sample-progress --if-empty

run: db
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install e2e-tools
	$(BIN)/pytest -q

e2e: install e2e-tools
	$(BIN)/pytest -q tests/e2e

bench: install
	$(BIN)/python bench/matrix.py
	$(BIN)/python bench/reports.py

lint: install
	$(BIN)/ruff check portal tests bench
