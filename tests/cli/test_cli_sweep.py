"""``mtasim sweep``: grid order, independence from --jobs, errors, interruption, Dask."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time

import pytest

from sim.app._sweep import Axis, SweepError
from sim.cli import main

KB_GRID = ["--vary", "winsock.response_timeout=1:30:30", "--vary", "mta.ok_delay=0:30:30"]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_axis_values():
    assert Axis.parse("winsock.response_timeout=1:30:30").values == tuple(
        float(v) for v in range(1, 31)
    )
    assert Axis.parse("mta.threads=1:4:4").values == (1, 2, 3, 4)
    assert Axis.parse("mta.ok_delay=5:5:1").values == (5.0,)
    for bad, message in [
        ("mta.threads=1:2:3", "fractional"),
        ("mta.logging=0:5:2", "not a numeric scenario key"),
        ("mta.ok_dely=0:5:2", "not a numeric scenario key"),
        ("mta.ok_delay=0:5", "KEY=START:STOP:STEPS"),
        ("mta.ok_delay=0:5:0", "between 1 and 10000"),
    ]:
        with pytest.raises(SweepError, match=message):
            Axis.parse(bad)


def test_the_issue_grid_has_1800_rows_and_does_not_depend_on_jobs(capsys, tmp_path):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert main(["sweep", "kb319936", *KB_GRID, "--jobs", "1", "--output", str(one)]) == 0
    assert main(["sweep", "kb319936", *KB_GRID, "--jobs", "2", "--output", str(two)]) == 0
    assert one.read_bytes() == two.read_bytes()
    table = rows(one.read_text())
    assert len(table) == 1800
    assert list(table[0]) == [
        "winsock.response_timeout",
        "mta.ok_delay",
        "seed",
        "build",
        "build_alias",
        "connections",
        "opened",
        "timed_out",
        "race_closes",
        "logged_4258",
        "logged_4283",
        "logged_9156",
        "logged_9202",
        "refused",
        "cb_leaked",
        "4283_per_connection",
    ]
    # The race: on pre-fix a 4283 exactly where the OK response is later than the timeout.
    for row in table:
        timeout, delay = float(row["winsock.response_timeout"]), float(row["mta.ok_delay"])
        expected = 1 if row["build_alias"] == "pre-fix" and delay > timeout else 0
        assert int(row["logged_4283"]) == expected, row


def test_seeds_and_builds_multiply_rows(capsys):
    assert (
        main(
            [
                "sweep",
                "random-arrivals",
                "--vary",
                "mta.threads=1:2:2",
                "--seeds",
                "3",
                "--build",
                "pre-fix,post-fix,post-sp3",
            ]
        )
        == 0
    )
    table = rows(capsys.readouterr().out)
    assert len(table) == 2 * 3 * 3
    assert [r["seed"] for r in table[:9]] == ["42"] * 3 + ["43"] * 3 + ["44"] * 3
    assert [r["build_alias"] for r in table[:3]] == ["pre-fix", "post-fix", "post-sp3"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--vary", "mta.threads=0:1:2"], "mta.threads: found integer 0"),
        (["--seeds", "0", "--vary", "mta.ok_delay=1:2:2"], "--seeds must be at least 1"),
        (["--jobs", "0", "--vary", "mta.ok_delay=1:2:2"], "--jobs must be at least 1"),
        ([], "give at least one --vary"),
        (["--vary", "mta.ok_delay=1:2:2", "--vary", "mta.ok_delay=1:3:2"], "varied twice"),
        (["--vary", "mta.ok_delay=1:2:2", "--build", "sp9"], "unknown build 'sp9'"),
        (["--vary", "mta.ok_delay=1:2:2", "--executor", "ray://x"], "expected dask://HOST:PORT"),
    ],
)
def test_errors_are_one_line_and_exit_2(capsys, argv, message):
    assert main(["sweep", "kb319936", *argv]) == 2
    out, err = capsys.readouterr()
    assert message in err
    assert err.count("\n") == 1
    assert out == ""


def test_ctrl_c_keeps_the_finished_rows_in_a_partial_file(tmp_path):
    target = tmp_path / "rows.csv"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "sweep",
            "heavy-load",
            "--vary",
            "mta.ok_delay=1:5:3000",
            "--jobs",
            "2",
            # The core, whose rows reach the file as chunks finish: the sweep engine computes
            # this grid in about a second and writes its rows at once, which no signal can
            # reliably land in the middle of.
            "--engine",
            "core",
            "--output",
            str(target),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    # Wait until rows reach the (temporary) output file, then interrupt.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        partial = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        if partial and partial[0].stat().st_size > 0:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted:" in err
    assert f"written to {target}.partial ({target}: not written)" in err
    assert "Traceback" not in err
    table = rows((tmp_path / "rows.csv.partial").read_text())
    assert 0 < len(table) < 6000
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv.partial"]


def test_dask_executor_on_a_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed", reason="the 'dask' extra is not installed")
    cluster = distributed.LocalCluster(
        host="127.0.0.1",
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
    )
    try:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"
        grid = ["--vary", "winsock.response_timeout=5:25:5", "--vary", "mta.ok_delay=5:25:5"]
        assert main(["sweep", "heavy-load", *grid, "--output", str(local)]) == 0
        assert (
            main(["sweep", "heavy-load", *grid, "--executor", address, "--output", str(remote)])
            == 0
        )
        assert remote.read_bytes() == local.read_bytes()
    finally:
        cluster.close()
    assert os.path.getsize(local) > 0
