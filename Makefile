# Two commands on a fresh machine: `make dev` runs the API on its embedded default, `make test` runs the suite.
# Only Python 3.11+ and make are needed: uv is installed with pip when it is missing.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")

.PHONY: help install dev serve test test-unit lint format bench clean

help:
	@echo "make dev    - run the API on the embedded default (SQLite, in-memory adapters, docs at /schema)"
	@echo "make test   - run the whole suite against real PostgreSQL and Redis"
	@echo "make lint   - ruff (lint + format check), mypy --strict, import-linter"

install:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
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

clean:
	rm -rf .data .pytest_cache .mypy_cache .ruff_cache
