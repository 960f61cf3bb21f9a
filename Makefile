# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run PORT=8001 HOST=0.0.0.0` to listen elsewhere.
PORT ?= 8000
HOST ?= 127.0.0.1
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run index serve test lint eval bench clean

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

test: install lint
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check index qa api eval tests bench
	$(BIN)/mypy index qa api eval

eval: index
	$(BIN)/qa eval

bench: index
	$(BIN)/python bench/latency.py

clean:
	rm -rf var .pytest_cache .hypothesis
