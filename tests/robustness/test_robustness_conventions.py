"""Conventions a user expects: NO_COLOR and --color, install hints a checkout user can type,
counts with the right plural, and a peer that says when nothing listens."""

from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.text._plural import plural

ROOT = Path(__file__).resolve().parents[2]
PYTHON = [sys.executable, "-m", "sim"]
SGR = re.compile(rb"\x1b\[([0-9;]*)m")

needs_pty = pytest.mark.skipif(
    sys.platform == "win32", reason="needs a pseudo-terminal (POSIX only)"
)


def colours(output: bytes) -> set[int]:
    """The colour parameters (foreground, background, 256 and true colour) of the SGR
    escapes in ``output``; bold and dim are not colours."""
    found: set[int] = set()
    for match in SGR.finditer(output):
        params = [int(p) for p in match.group(1).split(b";") if p]
        i = 0
        while i < len(params):
            p = params[i]
            if p in (38, 48):
                found.add(p)
                i += 3 if params[i + 1 : i + 2] == [5] else 5
                continue
            if 30 <= p <= 37 or 40 <= p <= 47 or 90 <= p <= 97 or 100 <= p <= 107:
                found.add(p)
            i += 1
    return found


def on_a_terminal(argv: list[str], **env: str) -> bytes:
    """What ``mtasim ARGV`` writes to a pseudo-terminal (stdout and stderr)."""
    import pty

    leader, follower = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.Popen(
        [*PYTHON, *argv],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**environ, "COLUMNS": "100", "TERM": "xterm-256color", **env},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0, seen[-2000:]
    return seen


def on_a_pipe(argv: list[str], **env: str) -> bytes:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    done = subprocess.run(
        [*PYTHON, *argv], capture_output=True, check=True, env={**environ, **env}, timeout=120
    )
    return done.stdout


LOOKS = [["timeline"], ["demo", "--no-pause"], ["compare"]]
ids = [argv[0] for argv in LOOKS]


@needs_pty
@pytest.mark.parametrize("argv", LOOKS, ids=ids)
def test_a_terminal_gets_colour_and_no_color_takes_it_away(argv):
    assert colours(on_a_terminal(argv))
    plain = on_a_terminal(argv, NO_COLOR="1")
    assert colours(plain) == set()
    assert b"4283" in plain


@needs_pty
@pytest.mark.parametrize("argv", LOOKS, ids=ids)
def test_color_never_and_always_on_a_terminal(argv):
    assert colours(on_a_terminal([*argv, "--color", "never"])) == set()
    # A flag on the command line overrides the environment.
    assert colours(on_a_terminal([*argv, "--color", "always"], NO_COLOR="1"))


@needs_pty
def test_an_empty_no_color_is_no_request():
    assert colours(on_a_terminal(["timeline"], NO_COLOR=""))


@pytest.mark.parametrize("argv", LOOKS, ids=ids)
def test_a_pipe_gets_no_escape_unless_color_always(argv):
    assert SGR.search(on_a_pipe(argv)) is None
    assert colours(on_a_pipe([*argv, "--color", "always"]))


@needs_pty
def test_progress_bars_follow_no_color(tmp_path):
    big = ["run", "heavy-load", "--driver", "batch", "--set", "peers.count=30000"]
    argv = [*big, "--output", str(tmp_path / "e.log")]
    assert colours(on_a_terminal(argv))
    assert colours(on_a_terminal(argv, NO_COLOR="1")) == set()


def test_no_install_hint_names_a_package_index_name():
    files = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "sim").rglob("*.py")]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"pip install[^\n]*mtasim\[", line)
    ]
    assert offenders == []


def test_phase_map_without_matplotlib_says_what_a_checkout_user_types(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["phase-map"]) == 2
    assert capsys.readouterr().err == (
        "mtasim phase-map: matplotlib is not installed; install the plot extra, from the "
        "mtasim checkout: pip install '.[plot]'\n"
    )


def test_dask_without_distributed_says_what_a_checkout_user_types(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    grid = ["--vary", "mta.ok_delay=1:2:2", "--executor", "dask://127.0.0.1:8786"]
    assert main(["sweep", "kb319936", *grid]) == 2
    assert capsys.readouterr().err == (
        "mtasim sweep: --executor dask://... needs the dask extra; from the mtasim checkout: "
        "pip install '.[dask]'\n"
    )


def test_plural():
    assert [plural(n, "event") for n in (0, 1, 2)] == ["0 events", "1 event", "2 events"]
    assert plural(1, "peer group") == "1 peer group"
    assert plural(10_000_000, "connection", digits=",") == "10,000,000 connections"
    assert plural(2, "child", "children") == "2 children"


#: A count followed by a plural noun in an f-string of sim/: each should go through plural().
BARE_COUNT = re.compile(
    r"\{[^{}]+\} (?:[A-Za-z]+ )?(?:events|errors|connections|rows|cells|builds|groups|"
    r"scenarios|inputs|lines|examples|timeouts|candidates|octets|associations)\b"
    r"|\b(?:group|connection|row|build|event|cell|scenario|line|input|error)\(s\)"
)
#: Where the count is read from a file as it is, not counted by us.
QUOTED = {"sim/app/_trace/_read.py": "footer counts"}


def test_no_count_in_the_code_skips_the_plural_helper():
    offenders = []
    for path in sorted((ROOT / "sim").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "help=" in line or (name in QUOTED and QUOTED[name] in line):
                continue
            if BARE_COUNT.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []


def test_counts_of_one_in_the_commands(capsys, tmp_path):
    # Identical runs: the KB case logs one event on the hotfix and on SP5.
    assert main(["compare", "--builds", "post-fix,sp5"]) == 0
    assert "events: post-fix and sp5 log the same 1 event\n" in capsys.readouterr().out
    trace = tmp_path / "t.jsonl"
    assert main(["run", "--build", "post-fix", "--record", str(trace)]) == 0
    capsys.readouterr()
    assert main(["replay", str(trace), "--check"]) == 0
    err = capsys.readouterr().err
    assert "(5 lines: 4 inputs, 1 event) on 5.5.2656.20" in err
    assert main(["validate", "kb319936"]) == 0
    assert "(kb319936: 1 peer group, 1 connection, build" in capsys.readouterr().out


def test_serve_counts_one_protocol_error_in_the_singular():
    proc = subprocess.Popen(
        [*PYTHON, "serve", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    port = None
    deadline = time.monotonic() + 60  # a loaded machine starts Python slowly: wait, don't race
    while port is None and time.monotonic() < deadline:
        if not selector.select(timeout=1):
            continue
        line = proc.stderr.readline()
        if not line:
            break
        match = re.search(r"listening on 127\.0\.0\.1:(\d+) ", line)
        port = int(match.group(1)) if match else None
    try:
        assert port is not None, "serve did not announce its port"
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            sock.settimeout(10)
            while sock.recv(4096):  # the listener closes the connection
                pass
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "mtasim serve: 1 TCP connection, " in err
    assert "; 1 protocol error, 0 read timeouts, " in err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_peer_with_nothing_listening_says_so_and_exits_1():
    port = free_port()
    done = subprocess.run(
        [*PYTHON, "peer", f"127.0.0.1:{port}", "--connections", "3", "--rate", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"mtasim peer: no listener at 127.0.0.1:{port} (every TCP connect was refused)\n"
    )


def test_a_hunt_leaves_nothing_in_the_working_directory(tmp_path):
    # Hypothesis caches constants in .hypothesis/ of the working directory, database or not.
    done = subprocess.run(
        [sys.executable, "-m", "sim", "hunt", "--max-examples", "5", "--time-limit", "3600"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_huge_bad_option_value_is_quoted_short(capsys):
    from sim.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["run", "--seed", "9" * 5000])
    assert stop.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("mtasim run: error: argument --seed: invalid int value:")
    assert len(line) < 400 and "(5,0" in line
