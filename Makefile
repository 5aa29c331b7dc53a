# Regionalmonitor: the two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DB := data/monitor.duckdb
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test lint install install-test chromium etl db bench clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test chromium

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installiere Chromium aus den Debian-Paketen …"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Build the database from the sample only when it is missing (a built database is never overwritten here).
db: install
	@test -f $(DB) || $(PY) -m etl

# Rebuild explicitly (atomic: the old database keeps serving until the new one is complete).
etl: install
	$(PY) -m etl

# Chromium also renders the report charts (plotly/kaleido); without it the app runs and reports say so.
run: db
	@$(MAKE) --no-print-directory chromium || echo "Hinweis: Chromium konnte nicht installiert werden – Berichte enthalten dann keine Diagramme."
	$(PY) -m monitor.app.serve --server.port $(PORT)

# The architecture (import-linter contracts in pyproject.toml) and lint (ruff) are checked before the tests.
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: install-test lint
	$(PY) -m pytest

bench: install-test
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) tests/artifacts .pytest_cache
