# The same commands for developers and CI. `make run` and `make test` do every install step.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# llama-cpp-python compiles from source (about 7 minutes on 2 cores; pip caches the wheel).
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run setup serve test test-fast lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first, pinned, so that nothing later pulls a CUDA build.
$(VENV)/.torch: | $(BIN)/python
	$(PIP) install --progress-bar off torch==2.13.0
	touch $@

$(VENV)/.installed-run: pyproject.toml constraints.txt $(VENV)/.torch
	$(PIP) install --progress-bar off -c constraints.txt -e '.[model-default]'
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.torch
	$(PIP) install --progress-bar off -c constraints.txt -e '.[model-small,dev]'
	touch $@

setup: $(VENV)/.installed-run
	$(BIN)/advisor setup

serve: $(VENV)/.installed-run
	$(BIN)/advisor serve

## Install, build the models, the database and the knowledge base, then serve on :8000.
run: setup serve

## Install what the tests need and run them all (unit and end-to-end).
# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not e2e"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy .

clean:
	rm -rf $(VENV) data
