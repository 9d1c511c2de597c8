# Two entry points for a fresh clone: `make run` and `make test`.
# Both create a local virtual environment in .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck pytest bench bench-cli clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/contractcalc plan --side long --entry 20000 --stop 15000 --target 24000 --principal 1000
	$(BIN)/contractcalc serve

test: $(STAMP) lint typecheck chromium pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# Debian's Chromium for the browser tests (installed with apt when missing).
chromium:
	@bash scripts/ensure-chromium

pytest: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_liquidation.py
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_replay.py
	$(BIN)/python benchmarks/bench_book.py
	$(BIN)/python benchmarks/bench_stress.py --no-dask

# CPU time of CLI answers against `python -c pass` (bytecode compiled first, as `make` installs it).
bench-cli: $(STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/python benchmarks/bench_cli.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
