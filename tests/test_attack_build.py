"""Attacks on ``rightsgraph build`` (issue #10): a killed build leaves no process behind, a
hung remote store fails the build after a timeout with a message that says what it waited
for."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

from conftest import SEED, free_port
from processes import alive, descendants, wait_until


def test_killing_a_parallel_build_leaves_no_process_behind(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    for n in range(8):
        shutil.copy(SEED, sources / f"{n}.txt")
    build = subprocess.Popen(
        [sys.executable, "-m", "rightsgraph.cli", "build", str(sources), "--store",
         str(tmp_path / "store"), "-j", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    left: set[int] = set()
    try:
        # Both workers (and multiprocessing's resource tracker) are running.
        assert wait_until(lambda: len(descendants(build.pid)) >= 3, timeout=60), \
            "the build did not start its workers"
        left = descendants(build.pid)
        build.send_signal(signal.SIGKILL)  # (the test's cleanup below kills what stays)
        # A supervisor reading the build's output gets to its end: nobody holds the pipes.
        build.communicate(timeout=20)
        assert wait_until(lambda: not any(alive(pid) for pid in left), timeout=20), \
            f"processes left behind: {[pid for pid in left if alive(pid)]}"
    finally:
        if build.poll() is None:
            build.kill()
        for pid in left | descendants(build.pid):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def _hung_endpoint() -> tuple[int, threading.Event]:
    """A SPARQL endpoint that accepts connections and never answers."""
    port = free_port()
    server = socket.socket()
    server.bind(("127.0.0.1", port))
    server.listen()
    stop = threading.Event()
    held = []

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
        for connection in held:
            connection.close()
        server.close()

    threading.Thread(target=accept, daemon=True).start()
    return port, stop


def test_a_hung_remote_store_fails_the_build_with_a_clear_error(tmp_path):
    port, stop = _hung_endpoint()
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rightsgraph.cli", "build", str(SEED), "--store",
             f"http://127.0.0.1:{port}/query", "--store-timeout", "3", "-j", "1"],
            capture_output=True, text=True, timeout=90)
    finally:
        stop.set()
    assert done.returncode == 1
    assert f"http://127.0.0.1:{port}/" in done.stderr
    assert "no answer within 3 s" in done.stderr
    assert "waiting for" in done.stderr  # progress said what it waited for
    assert time.monotonic() - started < 60
