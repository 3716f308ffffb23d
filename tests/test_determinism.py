"""A run is a pure function of (scenario, seed, build, tool version)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sim.cli import main


def test_the_same_command_twenty_times_prints_identical_bytes(capsys):
    outputs = set()
    for _ in range(20):
        assert main(["run", "--format", "jsonl"]) == 0
        outputs.add(capsys.readouterr().out)
    assert len(outputs) == 1


@pytest.mark.slow
@pytest.mark.parametrize("build", ["pre-fix", "post-fix", "post-sp3"])
def test_fresh_processes_with_different_hash_seeds_write_identical_traces(build, tmp_path):
    traces = []
    for index, hash_seed in enumerate(("0", "1", "12345", "random")):
        trace = tmp_path / f"t{index}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sim",
                "run",
                "random-arrivals",
                "--build",
                build,
                "--record",
                str(trace),
                "--format",
                "jsonl",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        traces.append(trace.read_bytes())
    assert traces[0].count(b"\n") > 300
    assert all(t == traces[0] for t in traces)


def test_another_seed_is_another_run(capsys):
    main(["run", "random-arrivals", "--format", "jsonl"])
    first = capsys.readouterr().out
    main(["run", "random-arrivals", "--format", "jsonl", "--seed", "7"])
    assert capsys.readouterr().out != first
