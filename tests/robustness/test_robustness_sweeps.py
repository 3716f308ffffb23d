"""Sweeps whose work is bounded: workers that die with their parent, an interrupted sweep that
never passes a partial CSV off as complete, a grid refused before it starts, a grid streamed in
flat memory."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from sim.app._limits import DEFAULT_MAX_RUNS, LimitError
from sim.app._sweep import Axis, close_executor, execute, make_executor, plan
from sim.core import resolve_build
from sim.scenario import load_scenario

SMALL = ["--vary", "mta.ok_delay=0:30:4"]
# On the core: these tests are about its pool of workers and its stream of rows (the sweep
# engine, which heavy-load's grid would otherwise get, computes the grid in this process).
LONG_SWEEP = [
    "sweep",
    "heavy-load",
    "--vary",
    "mta.ok_delay=1:5:3000",
    "--jobs",
    "2",
    "--engine",
    "core",
]

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="workers dying with their parent is a Linux mechanism (a parent-death signal)",
)


def children(pid: int) -> list[int]:
    """Pids of the live processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            state = _stat(int(entry.name))
            if state is not None and state[1] == pid and state[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running, not gone and not a zombie (a dead process nobody has reaped yet)."""
    state = _stat(pid)
    return state is not None and state[0] not in ("Z", "X")


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def start(argv: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def temporary_file_has_rows(directory: Path) -> bool:
    return any(p.name.endswith(".tmp") and p.stat().st_size > 200 for p in directory.iterdir())


@linux_only
def test_workers_die_when_the_parent_is_killed_with_sigkill(tmp_path):
    proc = start([*LONG_SWEEP, "--output", str(tmp_path / "grid.csv")])
    try:
        wait_for(lambda: len(children(proc.pid)) >= 2, 60, "the sweep started two workers")
        workers = children(proc.pid)
        # Both are working: rows reach the output's temporary file.
        wait_for(lambda: temporary_file_has_rows(tmp_path), 60, "the first rows were written")
        assert proc.poll() is None, "the sweep ended before it could be killed"
        proc.kill()
        proc.wait(timeout=30)
        wait_for(
            lambda: not any(alive(pid) for pid in workers),
            30,
            f"the workers {workers} of the killed sweep are gone",
        )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in children(proc.pid):
            os.kill(pid, signal.SIGKILL)
    # Killed outright, the sweep leaves its temporary file, never grid.csv or grid.csv.partial.
    assert not (tmp_path / "grid.csv").exists()
    assert not (tmp_path / "grid.csv.partial").exists()


def test_an_interrupted_sweep_leaves_the_complete_csv_and_the_rows_in_file_partial(tmp_path):
    target = tmp_path / "grid.csv"
    complete = "an earlier, complete grid\n"
    target.write_text(complete)
    proc = start([*LONG_SWEEP, "--output", str(target)])
    wait_for(lambda: temporary_file_has_rows(tmp_path), 60, "the first rows were written")
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert target.read_text() == complete
    partial = tmp_path / "grid.csv.partial"
    table = list(csv.DictReader(io.StringIO(partial.read_text())))
    assert 0 < len(table) < 6000
    # Whole rows, in grid order (the first ones: index order whatever finished first).
    assert [row["mta.ok_delay"] for row in table[:2]] == ["1.0", "1.0"]
    assert all(len(row) == 15 and None not in row.values() for row in table)
    lines = err.splitlines()
    assert lines[-1] == (
        f"mtasim sweep: interrupted: {len(table):,} of 6,000 rows finished, written to "
        f"{partial} ({target}: the existing one is untouched)"
    )
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grid.csv", "grid.csv.partial"]


def test_a_complete_sweep_leaves_no_partial_file(tmp_path):
    target = tmp_path / "grid.csv"
    (tmp_path / "grid.csv.partial").write_text("rows of an earlier interrupted sweep\n")
    done = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", "kb319936", *SMALL, "--output", str(target)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert len(target.read_text().splitlines()) == 1 + 4 * 2
    assert [p.name for p in tmp_path.iterdir()] == ["grid.csv"]


def test_a_grid_over_the_cap_is_refused_before_anything_runs(tmp_path):
    target = tmp_path / "grid.csv"
    huge = ["--vary", "mta.ok_delay=1:2:10000", "--vary", "winsock.response_timeout=1:2:10000"]
    done = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", "kb319936", *huge, "--output", str(target)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,  # materialising the grid took minutes and gigabytes
    )
    assert done.returncode == 2
    assert done.stderr == (
        "mtasim sweep: the grid has 200,000,000 runs, more than the 100,000 a sweep may have: "
        "--max-runs 200000000 runs it anyway\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_grid_cap_is_checked_without_making_the_grid():
    scenario = load_scenario("kb319936")
    axes = [Axis.parse("mta.ok_delay=1:2:10000"), Axis.parse("winsock.response_timeout=1:2:10000")]
    tracemalloc.start()
    try:
        with pytest.raises(LimitError, match="200,000,000 runs"):
            plan(scenario, axes, [resolve_build("pre-fix"), resolve_build("post-fix")])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000
    assert DEFAULT_MAX_RUNS == 100_000


def test_a_point_over_the_connection_cap_is_refused(capsys):
    from sim.cli import main

    code = main(
        ["sweep", "kb319936", "--vary", "peers.count=1:20000001:3", "--max-connections", "50"]
    )
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == (
        "mtasim sweep: the grid's largest point has 20,000,001 connections, more than the 50 "
        "a run may have: --max-connections 20000001 runs it anyway\n"
    )


def test_the_max_runs_option_raises_the_cap(capsys):
    from sim.cli import main

    grid = ["--vary", "mta.ok_delay=0:30:4", "--vary", "winsock.response_timeout=1:30:3"]
    assert main(["sweep", "kb319936", *grid, "--max-runs", "23"]) == 2
    assert "the grid has 24 runs, more than the 23" in capsys.readouterr().err
    assert main(["sweep", "kb319936", *grid, "--max-runs", "24"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 25
    assert main(["sweep", "kb319936", *grid, "--max-runs", "0"]) == 2
    assert capsys.readouterr().err == "mtasim sweep: --max-runs must be at least 1, got 0\n"


def sweep_peak(executor, steps: int) -> tuple[int, int]:
    """(rows, peak bytes allocated in this process) of a kb319936 grid of 100 x steps runs."""
    scenario = load_scenario("kb319936")
    axes = [
        Axis.parse(f"winsock.response_timeout=1:30:{steps}"),
        Axis.parse("mta.ok_delay=0:30:100"),
    ]
    rows = 0

    def count(cell, counters):
        nonlocal rows
        rows += 1

    tracemalloc.start()
    try:
        grid = plan(scenario, axes, [resolve_build("pre-fix")], max_runs=10**9)
        execute(grid, count, jobs=2, executor=executor)
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_big_grid_streams_in_flat_memory():
    executor = make_executor(2, None)
    try:
        small_rows, small = sweep_peak(executor, 20)
        big_rows, big = sweep_peak(executor, 200)
    finally:
        close_executor(executor)
    assert (small_rows, big_rows) == (2_000, 20_000)
    # Holding the grid's cells (or its futures) costs hundreds of bytes per run: ten times the
    # runs added 13 MB before the grid was streamed. Streamed, the peak stays where it was.
    assert big - small < 1_000_000, (small, big)


def test_a_combination_the_schema_refuses_is_found_before_anything_runs(capsys):
    from sim.cli import main

    # Each value is valid on the KB scenario (11 open associations, 20 control blocks); the
    # corner of 19 associations and 12 control blocks is not.
    grid = ["--vary", "mta.open_associations=0:19:2", "--vary", "mta.control_blocks=12:40:2"]
    assert main(["sweep", "kb319936", *grid]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "mtasim sweep: the point mta.open_associations=19, mta.control_blocks=12 is not a valid "
        "scenario: mta.open_associations: 19 associations need more control blocks than the 12 "
        "configured (one is the listener's); expected at most 11\n"
    )


def test_an_interrupted_sweep_on_stdout_says_the_csv_is_partial(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *LONG_SWEEP],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the header: the sweep is running
    assert first.startswith(b"mta.ok_delay,seed,build")
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    rows = (first + rest).decode().splitlines()[1:]
    assert len(rows) < 6000
    assert err.decode().splitlines()[-1] == (
        f"mtasim sweep: interrupted: {len(rows):,} of 6,000 rows finished, written to stdout "
        "(the CSV is partial)"
    )
