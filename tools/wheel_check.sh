#!/usr/bin/env bash
# The wheel as a new user gets it: build it (no dependencies), install it into a clean
# virtual environment (dependencies from the package index or pip's cache), and from an
# empty folder build the bundled seed, answer a query, and serve /sparql.  `make test` runs
# it after the test suite (tests never touch the network; this step installs packages).
#   tools/wheel_check.sh [PYTHON]      PYTHON builds the clean environment (default python3)
set -euo pipefail
python=${1:-python3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rightsgraph-wheel.XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "wheel-check: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# Build from a copy, so that setuptools' build/ and egg-info never land in the checkout.
# What the wheel is made of: pyproject.toml, README.md, rightsgraph/ and the folders of
# [tool.setuptools.package-dir].
sources=$(cd "$root" && .venv/bin/python -c '
import tomllib
dirs = tomllib.load(open("pyproject.toml", "rb"))["tool"]["setuptools"]["package-dir"]
print(" ".join(sorted({"pyproject.toml", "README.md", "rightsgraph", *dirs.values()})))' )
mkdir "$work/src"
(cd "$root" && cp -r $sources "$work/src/")
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +
"$root/.venv/bin/pip" wheel --quiet --no-deps -w "$work/dist" "$work/src"
wheel=$(ls "$work"/dist/rightsgraph-*.whl)
say "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) kB)"

"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "$wheel"
bin="$work/venv/bin"
expected=$("$bin/python" -c "import importlib.metadata as m; print(m.version('rightsgraph'))")
[ "$("$bin/rightsgraph" --version)" = "rightsgraph $expected" ] || fail "--version"

mkdir "$work/empty"
cd "$work/empty"
"$bin/rightsgraph" build seeds --store S -j 1 >build.log 2>&1 || { cat build.log >&2; fail "build"; }
count='SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a hro:Paragraph }'
paragraphs=$("$bin/rightsgraph" query "$count" --store S --format csv | tail -1 | tr -d '\r')
[ "$paragraphs" -gt 0 ] || fail "query: $paragraphs paragraphs"
say "built the seed from an empty folder: $paragraphs paragraphs"

port=$("$bin/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$bin/rightsgraph" serve --store S --port "$port" --workers 1 >serve.log 2>&1 &
server=$!
"$bin/python" - "$port" "$count" "$paragraphs" <<'PY' || { cat serve.log >&2; fail "serve"; }
import json, sys, time, urllib.parse, urllib.request
port, query, expected = sys.argv[1], sys.argv[2], sys.argv[3]
url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": query})
request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
deadline = time.monotonic() + 120
while True:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            rows = json.load(response)["results"]["bindings"]
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the server did not answer /sparql within 120 s")
        time.sleep(0.5)
assert rows[0]["n"]["value"] == expected, rows
print(f"wheel-check: /sparql answered ({expected} paragraphs)", file=sys.stderr)
PY
say "ok"
