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

.PHONY: run setup serve test test-fast lint typecheck clean browser-deps

# htmx 4 and its SSE and download extensions, taken from the npm registry's htmx.org tarball
# (pinned by version and by the registry's sha512 integrity) into api/static/vendor/ at build time.
# Nothing is fetched from a CDN, nor at run time.
HTMX_VERSION := 4.0.1
HTMX_INTEGRITY := sha512-oF7JgXhDW9UXCy/k1ZYFUQgzu/rm19ORWPSPNL91vPluB2PB9+MV55tyQdH/w7o2EAbTYUG5SDW1R60mdkdqGg==
VENDOR := api/static/vendor

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
	$(PIP) install --progress-bar off -c constraints.txt -e '.[model-small,model-default,dev]'
	touch $@

$(VENDOR)/.htmx-$(HTMX_VERSION):
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	npm pack --silent --pack-destination "$$tmp" htmx.org@$(HTMX_VERSION) >/dev/null && \
	got="sha512-$$(openssl dgst -sha512 -binary "$$tmp/htmx.org-$(HTMX_VERSION).tgz" | base64 -w0)" && \
	if [ "$$got" != "$(HTMX_INTEGRITY)" ]; then echo "htmx.org tarball integrity mismatch: $$got" >&2; exit 1; fi && \
	tar -xzf "$$tmp/htmx.org-$(HTMX_VERSION).tgz" -C "$$tmp" && \
	cp "$$tmp/package/dist/htmx.min.js" "$$tmp/package/dist/ext/hx-sse.min.js" "$$tmp/package/dist/ext/hx-download.min.js" $(VENDOR)/ && \
	cp "$$tmp/package/LICENSE" $(VENDOR)/htmx-LICENSE.txt
	touch $@

## Debian's chromium and a CJK font for the browser tests (Playwright drives /usr/bin/chromium and
## never downloads a browser of its own). Without root or sudo the browser tests skip, saying why.
browser-deps:
	@if dpkg-query -W -f='$${Status}\n' chromium fonts-wqy-microhei 2>/dev/null | grep -c "ok installed" | grep -qx 2; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "browser-deps: not root and no sudo; cannot install chromium (browser tests will skip)" >&2; exit 0; fi; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null \
	|| echo "browser-deps: apt-get could not install chromium (browser tests will skip)" >&2

setup: $(VENV)/.installed-run $(VENDOR)/.htmx-$(HTMX_VERSION)
	$(BIN)/advisor setup

serve: $(VENV)/.installed-run $(VENDOR)/.htmx-$(HTMX_VERSION)
	$(BIN)/advisor serve

## Install, build the models, the database and the knowledge base, then serve on :8000.
run: setup serve

## Install what the tests need and run them all (unit and end-to-end).
# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
test: $(VENV)/.installed-test $(VENDOR)/.htmx-$(HTMX_VERSION) browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

test-fast: $(VENV)/.installed-test $(VENDOR)/.htmx-$(HTMX_VERSION)
	$(BIN)/python -m pytest -m "not e2e"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy .

clean:
	rm -rf $(VENV) data $(VENDOR)
