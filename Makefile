# One Makefile for humans and CI. Each target creates/updates .venv itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench docs readme clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/truce demo --dir truce-demo --force

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	status=0; \
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || status=1; done; \
	exit $$status

docs: $(STAMP)
	$(BIN)/python -m truce.cli.reference > docs/cli.md

readme: $(STAMP)
	$(BIN)/python scripts/refresh_readme.py .

clean:
	rm -rf $(VENV) truce-demo .pytest_cache .mypy_cache .ruff_cache build *.egg-info
