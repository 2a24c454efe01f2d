# Recognition Lab: `make run` sets everything up and starts the lab; `make test` sets up and tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8501
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: run test install install-dev chromium postgres bench default-model greek-assets clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Start the lab on http://$(HOST):$(PORT)
run: install
	$(PY) -m streamlit run app/main.py --server.address $(HOST) --server.port $(PORT) \
		--browser.gatherUsageStats false

## Debian's Chromium for the real-browser tests (Playwright cannot download its own browser here)
chromium:
	@command -v chromium >/dev/null 2>&1 || [ -n "$$LAB_CHROMIUM" ] || \
		{ $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## Debian's PostgreSQL server programs for the sweep tests over a real database (tests/postgres.py)
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

## The whole test suite: core unit tests, page tests (AppTest), real-browser tests, PostgreSQL sweeps
test: install-dev chromium postgres
	$(PY) -m pytest tests $(PYTEST_ARGS)

## Benchmarks (one JSON object per line on stdout); see bench/README.md
bench: install-dev chromium
	$(PY) -m bench.training
	$(PY) -m bench.eta
	$(PY) -m bench.pages
	$(PY) -m bench.handwriting
	$(PY) -m bench.live
	$(PY) -m bench.sweep
	$(PY) -m bench.report
	$(PY) -m bench.load

## Re-train the shipped default model (full MNIST, assignment preset) into models/default
default-model: install
	rm -rf models/default.new
	$(PY) -m core train --preset assignment --run-dir models/default.new --json
	$(PY) -m core evaluate --model models/default.new/model.keras --store --json
	rm -rf models/default && mv models/default.new models/default

## Regenerate the default Greek letters (assets/greek) with the lab's own stroke generator
greek-assets: install
	$(PY) -m core greek-assets

clean:
	rm -rf $(VENV) workspace
