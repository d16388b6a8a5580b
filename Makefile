# One set of commands for people, CI and hooks. `make help` lists them.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on SQLite, then again on this PostgreSQL when it answers (a fresh schema per run).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: help install run test lint eval bench content-check clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/caring-promise: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/caring-promise ## create .venv, install the product and its test tools, train the models into ./var/cache
	$(BIN)/caring-promise models

run: install ## install and start the product on the embedded default (SQLite under ./var)
	$(BIN)/caring-promise serve --host $(HOST) --port $(PORT)

test: install ## install and run every test (SQLite, then PostgreSQL if reachable), content check, dev-set evaluation
	@[ -x /usr/bin/chromium ] || [ "$$(id -u)" != 0 ] || apt-get install -y -qq chromium >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq chromium >/dev/null 2>&1) || true
	@[ -x /usr/bin/chromium ] || echo "== Debian's chromium is not installed (apt-get install chromium): browser tests are skipped"
	$(BIN)/ruff check api actions tests scripts benchmarks
	$(BIN)/ruff format --check api actions tests scripts benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_POSTGRES_URL)'.replace('+psycopg',''), connect_timeout=3).close()" 2>/dev/null; then \
		echo "== the same suite on PostgreSQL"; CARING_DATABASE_URL='$(TEST_POSTGRES_URL)' $(BIN)/pytest -q; \
	else echo "== PostgreSQL not reachable at $(TEST_POSTGRES_URL): SQLite only"; fi
	$(BIN)/caring-promise content check
	bash scripts/check_compose.sh
	$(BIN)/python scripts/eval_gate.py

lint: install ## ruff and mypy (make test runs them too)
	$(BIN)/ruff check api actions tests scripts benchmarks
	$(BIN)/ruff format --check api actions tests scripts benchmarks
	$(BIN)/mypy

content-check: install ## check content/ (answers, lengths, reading level, review dates)
	$(BIN)/caring-promise content check

eval: install ## start a server and print evaluate.py's report on the shared dev sets
	$(BIN)/python scripts/eval_gate.py --verbose

bench: install ## start-up, closed and open loop latency, a turn's cost by stage, memory (BENCH_ARGS="--rate 25 50")
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean: ## remove the local data directory (database, cached model)
	rm -rf var
