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
@pytest.mark.parametrize("build", ["pre-fix", "post-fix"])
def test_fresh_processes_with_different_hash_seeds_agree(build, tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        "seed = 3\n[winsock]\nresponse_timeout = 2.0\n[mta]\nthreads = 2\nok_delay = 0.8\n"
        "ok_delay_jitter = 0.7\n[[peers]]\nprocess = 'poisson'\nrate = 5.0\ncount = 200\n"
    )
    outputs = set()
    for hash_seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "sim",
                "run",
                str(scenario),
                "--build",
                build,
                "--format",
                "jsonl",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.add(done.stdout)
    (only,) = outputs
    assert only.count("\n") > 20
