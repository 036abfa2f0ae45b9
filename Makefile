# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app
# A stray .env or .flaskenv up the tree must not change what runs.
export FLASK_SKIP_DOTENV := 1

.PHONY: run test test-services lint bench browser install install-dev migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/flask db upgrade

run: migrate
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py "app:create_app()"

# The browser test drives Debian's Chromium through Playwright (never a browser download).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: install Debian's chromium package for the browser test"; fi; }

# The whole suite on the embedded default: SQLite, no Redis, nothing to start.
test: install-dev browser
	TEST_DATABASE_URL= TEST_REDIS_URL= $(BIN)/pytest -q -m "not services" $(PYTEST_ARGS)

# The whole suite again on PostgreSQL + Redis, with the tests about them (the services
# must answer: .ci/run starts them). Redis database 15 is flushed by the tests.
test-services: install-dev browser
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	TEST_REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Takes about 15 minutes; BENCH_DATABASE_URL/BENCH_REDIS_URL run it on PostgreSQL + Redis.
bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
