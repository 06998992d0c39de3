# Two commands on a fresh machine: `make dev` runs the API on its embedded default, `make test` runs the suite.
# Only Python 3.11+ and make are needed: uv is installed with pip when it is missing.
SHELL := /bin/bash
PYTHON ?= python3
# uv from PATH, else from the user site (pip --user), else from a private tools venv (.tools/),
# which also works where the system Python refuses pip installs (PEP 668).
UV := $(shell command -v uv 2>/dev/null || { $(PYTHON) -m uv --version >/dev/null 2>&1 && echo "$(PYTHON) -m uv"; } || echo ".tools/bin/uv")

.PHONY: help install dev serve test test-unit lint format bench client clean

help:
	@echo "make dev    - run the API on the embedded default (SQLite, in-memory adapters, docs at /schema)"
	@echo "make test   - run the whole suite against real PostgreSQL and Redis"
	@echo "make lint   - ruff (lint + format check), mypy --strict, import-linter"
	@echo "make bench  - the project beside a lean reference and a FastAPI + ORM peer; writes docs/benchmarks.md"
	@echo "make client - openapi.json and a typed Python client generated from it in client/ (openapi-python-client)"

install:
	@if [ "$(UV)" = ".tools/bin/uv" ] && [ ! -x .tools/bin/uv ]; then \
	  echo "installing uv into .tools/ with pip"; \
	  $(PYTHON) -m venv .tools && .tools/bin/python -m pip install --quiet "uv>=0.5"; \
	fi
	@$(UV) sync --frozen --quiet

dev: install
	$(UV) run flower-vendor dev

test: install
	$(UV) run pytest

test-unit: install
	$(UV) run pytest tests/unit

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run lint-imports

format: install
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

# The OpenAPI document as `dev` serves it (no server started), then a typed client generated from it.
client: install
	$(UV) run python -m scripts.export_openapi openapi.json
	$(UV) tool run --from "openapi-python-client>=0.29,<0.30" openapi-python-client generate \
	  --path openapi.json --meta none --output-path client --overwrite

# Loopback only, bounded (about 4 minutes; BENCH_SECONDS, BENCH_ROUNDS, BENCH_CALLGRIND_REQUESTS tune it).
# Needs PostgreSQL and Redis as the tests do (BENCH_DATABASE_ADMIN_URL, BENCH_REDIS_URL), wrk (installed
# here with apt-get when run as root) and, for instruction counts, valgrind (skipped without it).
bench: install
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing wrk with apt-get"; \
	    apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; \
	  else \
	    echo "make bench needs wrk: install it (sudo apt-get install wrk, brew install wrk) and run it again"; exit 1; \
	  fi; \
	fi
	@# The project's environment exactly as `make install` makes it (nothing of the bench group in it);
	@# the driver and the FastAPI peer get an environment of their own.
	@$(UV) sync --frozen --quiet
	@UV_PROJECT_ENVIRONMENT=.venv-bench $(UV) sync --frozen --quiet --group bench
	UV_PROJECT_ENVIRONMENT=.venv-bench $(UV) run --frozen --group bench python -m benchmarks.run

clean:
	rm -rf .data .pytest_cache .mypy_cache .ruff_cache .venv-bench
