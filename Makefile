# rightsgraph: the two quickstart commands, plus the pieces they are made of.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: graph test docs lint install clean bench bench-corpus bench-build bench-sparql bench-scale \
	wheel-check bench-search bench-remote

$(BIN)/rightsgraph: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/rightsgraph

HOST ?= 127.0.0.1
PORT ?= 8000

## Build seeds/ into the store out/store (validated, with inferences), export it as TriG,
## then serve it on http://$(HOST):$(PORT)/ (SPARQL at /sparql) until interrupted.
graph: install
	$(BIN)/rightsgraph build seeds --store out/store --output out/graph.trig
	$(BIN)/rightsgraph serve --store out/store --host $(HOST) --port $(PORT)

## Lint, check the types and run the whole test suite.  The browser tests drive Debian's Chromium: say what
## to install when it is missing (.ci/run installs it).
test: install
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || { echo "make test: the browser \
	tests need Chromium and ChromeDriver in /usr/bin, and a CJK font for readable screenshots \
	of Chinese pages: sudo apt-get install chromium chromium-driver fonts-noto-cjk \
	(or run .ci/run, which installs them and runs make test)" >&2; exit 1; }
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q
	$(MAKE) wheel-check

## The wheel as a user installs it: build it, install it into a clean virtual environment,
## and from an empty folder build the seed, query it and serve /sparql.
wheel-check: install
	tools/wheel_check.sh $(PYTHON)

## Generate the ontology's HTML documentation (pyLODE) into docs/ontology.html.
## PYTHONHASHSEED fixes the order of owl:unionOf members, so the page only changes with the ontology.
docs: install
	mkdir -p docs
	PYTHONHASHSEED=0 $(BIN)/python -m pylode ontology/rightsgraph.ttl -o docs/ontology.html

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache

## Benchmarks (benchmarks/README.md).  `make bench` is issue 15's measurement: the build's
## documents/s on the 1M-triple corpus, then the scale table at BENCH_SIZES (synthetic corpora
## of 1M, 4M and 10M triples as extracted: 1.3M, 5.0M and 12.5M quads once built), about
## 35 minutes on 2 cores; needs wrk (apt-get install wrk).  Corpora (made once, kept), stores and
## logs go to BENCH_WORK, the results to benchmarks/results/.
BENCH_WORK ?= out/bench
BENCH_SIZES ?= 1000000 4000000 10000000
BENCH_CORPUS := $(BENCH_WORK)/corpus-1000000

$(BIN)/oxigraph: pyproject.toml install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

bench-corpus: $(BIN)/oxigraph
	$(BIN)/python -m benchmarks.bench_scale --corpora --sizes 1000000 --work $(BENCH_WORK)

bench-build: bench-corpus
	$(BIN)/python -m benchmarks.bench_build $(BENCH_CORPUS) --work $(BENCH_WORK)/build

bench-sparql: bench-corpus
	$(BIN)/python -m benchmarks.bench_sparql $(BENCH_CORPUS) --work $(BENCH_WORK)/sparql

bench-search: $(BIN)/oxigraph
	$(BIN)/python -m benchmarks.bench_search --work $(BENCH_WORK)/search

bench-scale: $(BIN)/oxigraph
	$(BIN)/python -m benchmarks.bench_scale --sizes $(BENCH_SIZES) --work $(BENCH_WORK)

## The remote store (issue 15): the same build and requests on the embedded store, the
## Oxigraph server and Virtuoso (apt-get install virtuoso-opensource; skipped without it).
bench-remote: $(BIN)/oxigraph
	$(BIN)/python -m benchmarks.bench_remote --size 1000000 --work $(BENCH_WORK)/remote \
		--corpora $(BENCH_WORK)

bench: bench-build bench-scale
