"""The test run stays inside temporary folders: `make test` leaves the project's tree, and
the store `make graph` serves (`out/store`), as they were (issue 11, item 1)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import ROOT, SEED, run_cli, tree_state


def test_the_guard_sees_a_write_into_an_existing_ignored_store(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("/out/\n")
    store = tmp_path / "out" / "store"
    store.mkdir(parents=True)
    (store / "CURRENT").write_text("MANIFEST-000001\n")
    before = tree_state(tmp_path)
    assert before is not None and tree_state(tmp_path) == before
    (store / "000012.sst").write_bytes(b"made-up documents")
    assert "out/store/000012.sst" in " ".join(tree_state(tmp_path) - before)
    (store / "000012.sst").unlink()
    (store / "CURRENT").write_text("MANIFEST-000002\n")  # same size, newer
    os.utime(store / "CURRENT", ns=(1, 2))
    assert tree_state(tmp_path) != before


def test_a_build_with_the_default_store_writes_into_the_working_directory(capsys):
    before = tree_state()
    code, out, _ = run_cli(capsys, "build", SEED)  # no --store: ./out/store
    assert code == 0 and "out/store now holds 1 documents (zh 1)" in out
    assert Path.cwd() != ROOT and (Path.cwd() / "out" / "store" / "CURRENT").is_file()
    assert tree_state() == before
