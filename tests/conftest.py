"""Shared paths for the tests (the project's seeds and fixtures, ../shared read-only) and a
real Oxigraph server for the remote-store tests."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = ROOT / "seeds" / "000_1bae2115e5d01706.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available (../shared is mounted beside the project)")
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> Iterator[str]:
    """A real Oxigraph server on a free loopback port; its base URL.

    The binary comes with the ``oxigraph`` package of the dev extras: if it is missing the
    remote-store tests fail (they never skip), so CI cannot pass without them running.
    """
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph")
    if binary is None:
        pytest.fail("the Oxigraph server binary is missing: pip install -e '.[dev]' installs it")
    port = _free_port()
    log = tmp_path_factory.mktemp("oxigraph") / "server.log"
    location = log.parent / "data"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1).is_success:
                break
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"the Oxigraph server did not start: {log.read_text(errors='replace')}")
        time.sleep(0.05)
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
