# rightsgraph: the two quickstart commands, plus the pieces they are made of.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: graph test lint install clean

$(BIN)/rightsgraph: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/rightsgraph

## Load seeds/ into the store out/store (one named graph per document), export it as TriG, summarise.
graph: install
	$(BIN)/rightsgraph build seeds --store out/store --output out/graph.trig

## Lint and run the whole test suite.
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
