# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# `make run PORT=8001 HOST=0.0.0.0` to listen elsewhere.
PORT ?= 8000
HOST ?= 127.0.0.1
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run index serve test lint browser eval bench clean

install: $(STAMP)

# torch==2.13.0 first: it is the CPU build already on disk; letting a dependency pick
# torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

index: install
	$(BIN)/qa index seeds/

run: index
	$(BIN)/qa serve --host $(HOST) --port $(PORT)

test: install lint browser
	$(BIN)/python -m pytest

# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
browser:
	test -x /usr/bin/chromium || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium)

lint: install
	$(BIN)/ruff check index qa api eval cli tests bench
	$(BIN)/mypy index qa api eval cli

eval: index
	$(BIN)/qa eval

bench: index
	$(BIN)/python bench/latency.py

clean:
	rm -rf var .pytest_cache .hypothesis
