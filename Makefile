# Two commands on a fresh machine:
#   make quickstart   set everything up, import examples/quickstart.json into SQLite
#   make test         lint, type-check and run the whole test suite (SQLite + PostgreSQL)

VENV   := .venv
PYTHON ?= python3
BIN    := $(VENV)/bin

.PHONY: quickstart setup test lint typecheck pytest bench bench-catalogue

quickstart: setup
	@$(BIN)/geode tenant show demo >/dev/null 2>&1 || $(BIN)/geode tenant create demo
	$(BIN)/geode massop run examples/quickstart.json --tenant demo

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy --strict src

pytest: setup
	$(BIN)/pytest -n 2 -q tests

test: lint typecheck pytest

bench: setup
	$(BIN)/python -m bench.run --ops 1000000 --databases sqlite,postgresql

# The catalogue benchmark (issue 11): `make bench-catalogue SCALE=0.01` for a small run.
SCALE ?= 1
bench-catalogue: setup
	$(BIN)/python -m bench.catalogue.run --scale $(SCALE) --databases sqlite,postgresql
