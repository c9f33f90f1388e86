# `make run` and `make test` (README: Try it, Development), plus the checks they are built from.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint typecheck unit bench mutation clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(BIN)/helpdesk init --demo
	$(BIN)/helpdesk serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest

check: test

bench: $(STAMP)
	$(BIN)/python -m bench

# Mutation testing (never part of `make test`; hours on two busy cores): mutmut as configured in
# pyproject.toml [tool.mutmut], then the survivors and the kill rate per package. It resumes where an
# interrupted run stopped; `rm -rf mutants` starts afresh. MUTMUT_CHILDREN=1 leaves a core free;
# MUTANTS='helpdesk.domain.*' runs only the mutants whose names match.
MUTMUT_CHILDREN ?= 2
MUTANTS ?=
MUTATION_STAMP := $(VENV)/.mutation-installed
$(MUTATION_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/pip install -q -e '.[test,mutation]'
	touch $@

mutation: $(MUTATION_STAMP)
	$(BIN)/mutmut run --max-children $(MUTMUT_CHILDREN) $(MUTANTS) > mutants.log 2>&1 || (tail -20 mutants.log; exit 1)
	$(BIN)/python bench/mutation_report.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache mutants mutants.log
