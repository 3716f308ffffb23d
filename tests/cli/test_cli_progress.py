"""Progress bars: on stderr when it is a terminal, never on a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

BIG = [
    "run",
    "heavy-load",
    "--driver",
    "batch",
    "--set",
    "peers.count=60000",
    "--set",
    "peers.rate=200",
    "--format",
    "jsonl",
]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_gets_a_progress_bar(tmp_path):
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *BIG, "--output", str(tmp_path / "e.jsonl")],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100"},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=120) == 0
    os.close(leader)
    assert b"run" in seen
    assert b"/60000" in seen or b"/60,000" in seen


def test_a_pipe_gets_none(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "sim", *BIG, "--output", str(tmp_path / "e.jsonl")],
        capture_output=True,
        check=True,
    )
    assert done.stderr == b""
