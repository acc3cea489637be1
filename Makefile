# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test faults lint format demo bench openapi screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ledger serve

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

# Scripted faults on real processes (kill -9, a database stopped): skipped by `make test`.
faults: $(STAMP)
	$(BIN)/python -m pytest -q -m faults tests/faults

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

demo: $(STAMP)
	$(BIN)/ledger demo

bench: $(STAMP)
	$(BIN)/python bench/run.py

# The console's pages in the system's Chromium (the browser journeys), kept under docs/.
screenshots: $(STAMP)
	$(BIN)/python -m pytest -q tests/browser
	mkdir -p docs/screenshots
	cp var/screenshots/*.png docs/screenshots/

openapi: $(STAMP)
	$(BIN)/ledger openapi > api/openapi.json
	$(BIN)/ledger event-schemas api/events
	$(BIN)/ledger import-schema api/import-line.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
