# StyleGenie: `make demo` and `make test` work on a fresh clone with no keys and no servers.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test test-all lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e ".[all,dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/stylegenie catalog ingest examples/sample_products.csv
	$(VENV)/bin/stylegenie ateliers import examples/sample_ateliers.csv
	$(VENV)/bin/stylegenie chat --script examples/demo.txt

test: install
	$(PY) -m pytest -q -m "not gpu and not slow"

test-all: install
	$(PY) -m pytest -q -m "not gpu"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy core config

bench: install
	$(PY) bench/conversation.py

clean:
	rm -rf .stylegenie
