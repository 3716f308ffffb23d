"""``mtasim serve`` / ``mtasim peer`` as processes: the issue's "done when" on a small scale,
Ctrl-C, the recorded trace and its replay, and usage errors (exit 2, one line)."""

from __future__ import annotations

import json
import re
import selectors
import signal
import socket
import subprocess
import sys
import time

import pytest

from sim.app._trace import verify
from sim.cli import main

PYTHON = [sys.executable, "-m", "sim"]


def start_serve(*args: str) -> tuple[subprocess.Popen[str], int]:
    """Start ``mtasim serve --port 0 ...``; return the process and the port it announced."""
    proc = subprocess.Popen(
        [*PYTHON, "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = proc.stderr.readline()
            match = re.search(r"listening on 127\.0\.0\.1:(\d+) ", line)
            if match:
                return proc, int(match.group(1))
            if not line:
                break
    proc.kill()
    raise AssertionError(f"serve did not announce its port: {proc.communicate()}")


def stop(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    return proc.returncode, out, err


def peer(port: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PYTHON, "peer", f"127.0.0.1:{port}", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(("build", "pairs"), [("pre-fix", True), ("post-fix", False)])
def test_serve_and_peer_give_4283s_on_pre_fix_only_and_the_trace_replays(tmp_path, build, pairs):
    trace = tmp_path / "live.jsonl"
    proc, port = start_serve(
        "kb319936", "--build", build, "--time-scale", "0.1", "--format", "jsonl",
        "--record", str(trace),
    )  # fmt: skip
    try:
        result = peer(port, "--connections", "8", "--timeout", "0.3", "--rate", "40")
    finally:
        code, out, err = stop(proc)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("peer: 8 connections to 127.0.0.1:")
    assert "connected 0, refused 0, timed out 8, closed by the listener 0, failed 0" in (
        result.stdout
    )
    assert code == 0, err
    assert "Traceback" not in err
    ids = [json.loads(line)["event_id"] for line in out.splitlines()]
    assert ids == ([4258, 4283] if pairs else [4258]) * 8
    assert f"4258 x8, 4283 x{8 if pairs else 0}, 9156 x0" in err
    assert f"trace written to {trace}" in err
    info = verify(trace)
    assert info.events == len(ids)
    assert main(["replay", str(trace), "--check", "-q"]) == 0
    assert main(["replay", str(trace), "--check", "-q", "--driver", "batch"]) == 0


def test_serve_duration_stops_by_itself_with_a_complete_trace(tmp_path):
    trace = tmp_path / "t.jsonl"
    proc = subprocess.run(
        [*PYTHON, "serve", "--port", "0", "--duration", "0.3", "--record", str(trace)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "0 TCP connections" in proc.stderr
    assert verify(trace).inputs == 0
    assert main(["replay", str(trace), "--check", "-q"]) == 0


def test_sigint_during_an_open_association_finishes_the_trace(tmp_path):
    trace = tmp_path / "t.jsonl"
    proc, port = start_serve(
        "healthy", "--time-scale", "0.1", "--record", str(trace), "--format", "jsonl"
    )
    held = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        held.sendall(bytes.fromhex("0300000B06E00000000100"))  # a bare CR
        held.settimeout(5)
        cc = held.recv(1024)
        assert cc[5] == 0xD0
        code, out, err = stop(proc)
    finally:
        held.close()
    assert code == 0, err
    # Stopping is a Close Request for the open association: one normal 4258.
    assert [json.loads(line)["event_id"] for line in out.splitlines()] == [4258]
    assert main(["replay", str(trace), "--check", "-q"]) == 0


@pytest.mark.parametrize("signals", [(signal.SIGINT, signal.SIGINT), (signal.SIGTERM,)])
def test_a_second_ctrl_c_or_a_sigterm_still_finishes_the_trace(tmp_path, signals):
    # GNU timeout, like a user pressing Ctrl-C twice, can deliver the signal twice.
    trace = tmp_path / "t.jsonl"
    proc, port = start_serve("kb319936", "--time-scale", "0.1", "--record", str(trace))
    result = peer(port, "--connections", "3", "--timeout", "0.2", "--rate", "0")
    assert result.returncode == 0
    for sig in signals:
        proc.send_signal(sig)  # back to back, as GNU timeout forwards them
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "interrupted" not in err and "Traceback" not in err
    assert verify(trace).events == 6
    assert main(["replay", str(trace), "--check", "-q"]) == 0


def test_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [*PYTHON, "serve", "--port", str(port), "--duration", "1"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"mtasim serve: cannot listen on 127.0.0.1:{port}:")
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--time-scale", "0"], "expected a positive number"),
        (["serve", "--time-scale", "nan"], "expected a positive number"),
        (["serve", "--max-tpdu", "100"], "--max-tpdu must be a power of two"),
        (["serve", "--port", "70000"], "--port must be 0..65535"),
        (["serve", "--max-connections", "0"], "--max-connections must be at least 1"),
        (["serve", "no-such-scenario"], "no-such-scenario"),
        (["serve", "--build", "9.9"], "9.9"),
        (["serve", "--record", "/no/such/dir/t.jsonl"], "no such directory"),
    ],
)
def test_serve_usage_errors(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_peer_plays_a_scenario():
    proc, port = start_serve("kb319936", "--time-scale", "0.05", "--format", "jsonl")
    try:
        result = peer(port, "--scenario", "kb319936", "--time-scale", "0.05")
    finally:
        code, out, err = stop(proc)
    assert code == 0, err
    # The KB case, live: the Winsock timer closes the connection before the OK response.
    assert result.returncode == 0, result.stderr
    assert "closed by the listener 1" in result.stdout
    events = [json.loads(line) for line in out.splitlines()]
    assert [(e["event_id"], e["lpi"]) for e in events] == [(4258, "1-15-12"), (4283, "1-15-12")]
