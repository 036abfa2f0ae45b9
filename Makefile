# The two commands of the README: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app
# Every entry point (server.py, the flask commands) reads .env as the flask command does;
# the tests set FLASK_SKIP_DOTENV=1 themselves so that a developer's .env changes nothing.

.PHONY: help run test test-fast test-services lint bench browser install install-dev migrate clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# A venv whose pip is missing (a first run that failed half-way) or whose Python is older
# than the project needs is made again rather than reused.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed; $(PYTHON) is $$($(PYTHON) -V 2>&1). Try: make run PYTHON=python3.12"; exit 1; }
	@if [ -d $(VENV) ] && ! { [ -x $(BIN)/pip ] && $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; }; then \
	  echo "Removing an unusable $(VENV)"; rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "Could not make a venv: on Debian or Ubuntu, apt-get install python3-venv"; exit 1; }
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt pyproject.toml $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Make .venv and install the pinned dependencies and the project
install-dev: $(VENV)/.installed-dev ## The same, with the test and lint tools

migrate: install ## Bring the database to the newest migration
	$(BIN)/flask db upgrade

run: migrate ## Serve on http://127.0.0.1:5000 (SQLite in instance/ unless DATABASE_URL)
	@PORT=$(PORT) $(BIN)/python server.py

# The browser tests drive Debian's Chromium through Playwright (never a browser download).
browser: ## Install Debian's chromium for the browser tests, if missing (as root, with apt-get)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: install Debian's chromium package for the browser test"; fi; }

# The in-process tiers run on both cores (pytest-xdist; each worker has its own SQLite
# file); the real-process tier runs alone, since its servers need the cores themselves.
test: test-fast browser ## The whole suite on SQLite, no Redis: every tier but services/
	FLASK_SKIP_DOTENV=1 TEST_DATABASE_URL= TEST_REDIS_URL= $(BIN)/pytest -q tests/system $(PYTEST_ARGS)

test-fast: install-dev ## The in-process API tests and the unit tests only (under a minute)
	FLASK_SKIP_DOTENV=1 TEST_DATABASE_URL= TEST_REDIS_URL= $(BIN)/pytest -q -n 2 tests/api tests/unit $(PYTEST_ARGS)

# Every tier again on PostgreSQL + Redis, with services/ (they must answer: .ci/run
# starts them). Redis database 15 is flushed by the tests.
test-services: install-dev browser ## The whole suite on PostgreSQL + Redis
	FLASK_SKIP_DOTENV=1 TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	TEST_REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(BIN)/pytest -q tests $(PYTEST_ARGS)

lint: install-dev ## ruff, ruff format, mypy and the import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The peers (gunicorn, FastAPI, uvicorn...) are the benchmark's own, not the API's.
$(VENV)/.installed-bench: bench/requirements.txt $(VENV)/.installed
	$(BIN)/pip install -q -r bench/requirements.txt
	touch $@

bench: $(VENV)/.installed-bench ## The benchmark with its peers (about 30 minutes); BENCH_DATABASE_URL/BENCH_REDIS_URL for PostgreSQL + Redis
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

clean: ## Remove .venv and the tools' caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
