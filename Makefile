# Open Chat — every target is one line, so this file doubles as documentation.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/openchat: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(shell find web/src web/index.html web/vite.config.ts -type f 2>/dev/null)
	cd web && npm run build

install: $(BIN)/openchat web/dist/index.html ## install the Python and web dependencies and build the web app

run: install ## install everything, then start Open Chat on http://127.0.0.1:8001 (SQLite)
	$(BIN)/openchat serve

demo: install ## start Open Chat against the bundled OpenRouter simulator (no key, no network)
	$(BIN)/openchat demo

dev: $(BIN)/openchat web/node_modules/.package-lock.json ## API on :8001 and Vite with hot reload on :5173
	trap 'kill 0' EXIT; $(BIN)/openchat serve & (cd web && npm run dev)

fmt: $(BIN)/openchat ## format the code
	$(BIN)/ruff format openchat tests bench && $(BIN)/ruff check --fix openchat tests bench
	cd web && npx biome check --write .

check: install ## lint and type-check Python and TypeScript
	$(BIN)/ruff check openchat tests bench
	$(BIN)/ruff format --check openchat tests bench
	$(BIN)/mypy openchat bench
	cd web && npm run check

test-py: install ## Python tests on SQLite
	$(BIN)/pytest

test-pg: install ## the same Python tests on PostgreSQL (PG_URL), and two servers sharing Redis
	@if $(BIN)/python -m tests.postgres_ready "$(PG_URL)"; then DATABASE_URL=$(PG_URL) $(BIN)/pytest tests/api tests/storage; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then echo "PostgreSQL is required but not reachable at $(PG_URL)"; exit 1; \
	else echo "PostgreSQL is not reachable at $(PG_URL): skipping the PostgreSQL run"; fi

test-web: install ## web unit tests (Vitest) and browser tests (headless Chromium)
	cd web && npm test
	cd web && npm run e2e

test: check test-py test-pg test-web ## every check and every test

bench: install ## the relay benchmark (prints a table, writes artifacts/bench/relay.json)
	$(BIN)/python -m bench

bench-instructions: install ## the app's CPU instructions per answer and per token (needs valgrind)
	$(BIN)/python -m bench.instructions

bench-web: install ## the web app benchmark (bundle size, load time, long tasks)
	cd web && npm run bench

bench-several: install ## two servers sharing PostgreSQL and Redis: an answer read from the other server
	$(BIN)/python -m bench.several

.PHONY: help install run demo dev fmt check test-py test-pg test-web test bench bench-instructions bench-web bench-several
