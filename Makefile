# IDP Portal. `make run`: first run on a fresh machine. `make test`: the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Checkov, the pattern scan, in a virtualenv of its own: its pins clash with ours (requirements-checkov.txt).
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

# The suite runs on the PostgreSQL and Redis of this machine (CI has the same).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/idp_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Test processes (pytest-xdist); each file stays in one process. Most of a test's time is spent waiting on
# terraform, workers and the browser, so two processes on two cores nearly halve the suite's time.
TEST_PROCESSES ?= 2

.PHONY: install run test test-fast lint format bench chaos browser clean schema

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $(CHECKOV_STAMP)

install: $(STAMP) $(CHECKOV_STAMP)

# Browser tests drive Debian's Chromium; never a browser downloaded by a test tool.
browser:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium and chromium-driver for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; }

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py sync_catalogue
	$(PY) manage.py seed_demo
	@echo "IDP Portal on http://127.0.0.1:8000 (sandbox cloud). Log in as alice / demo. Ctrl-C stops everything."
	$(VENV)/bin/honcho start -f Procfile

test: install browser
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

# Everything but the integration and browser tests: seconds instead of minutes.
test-fast: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile -m "not integration and not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	IDP_PRODUCTION=$${IDP_PRODUCTION:-0} $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) -m benchmarks

# SIGKILL whole worker trees at random points of plan and apply (benchmarks/chaos.py); exits 1 on any loss.
# Then every crash point of the matrix the suite runs a slice of (tests marked chaos).
chaos: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) -m benchmarks.chaos
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) -m pytest --chaos -m chaos $(PYTEST_ARGS)

# The OpenAPI schema committed beside the code (a test fails when they disagree). On PostgreSQL, as
# the tests: integer bounds in the schema follow the database (32-bit there, 64-bit on SQLite).
schema: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} IDP_PRODUCTION=$${IDP_PRODUCTION:-0} $(PY) manage.py spectacular --validate --fail-on-warn --file idp_portal/api/openapi.yaml

clean:
	rm -rf var/test $${IDP_VAR_DIR:-var}/terraform/workspaces
