"""The CI entry point (``.ci/run``) is a shell script nobody runs locally: a bad edit to it
turns CI red before a single test runs.  Check that it parses and runs the README's test
command."""
from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_ci_script_parses_and_runs_make_test():
    script = ROOT / ".ci" / "run"
    checked = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    lines = [line.strip() for line in script.read_text().splitlines()]
    assert lines[-1] == "make test" or "make test" in lines[-3:]
    assert lines.index("set -euo pipefail") < 4  # strict mode before any command
