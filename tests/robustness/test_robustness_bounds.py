"""Work that is bounded, or said: the connection cap of every command that runs a scenario, the
lines of validate and run, ``--fail-on`` and the JSON summary for CI, the hunt's time limit."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

import sim
from sim.app._limits import ANNOUNCE_CONNECTIONS, DEFAULT_MAX_CONNECTIONS
from sim.cli import main
from sim.cli._limits import announce_connections

PYTHON = [sys.executable, "-m", "sim"]
#: 20,000,001 connections: one more than twice the default cap.
OVER = ["--set", "peers.count=20000001"]
OVER_LINE = (
    "the scenario kb319936 has 20,000,001 connections, more than the 10,000,000 a run may "
    "have: --max-connections 20000001 runs it anyway\n"
)


@pytest.fixture
def huge(tmp_path):
    """The issue's scenario: 10,000 groups of 10^8 connections each (instant OK responses,
    so that every timestamp it can reach is representable and only its size is in question)."""
    path = tmp_path / "huge.toml"
    body = "[[peers]]\ncount = 100000000\n" * 10_000
    path.write_text('name = "huge"\n[mta]\nok_delay = 0.0\n' + body)
    return path


def test_the_default_cap_is_ten_million():
    assert DEFAULT_MAX_CONNECTIONS == 10_000_000


def test_run_refuses_the_issue_scenario_at_once(huge, tmp_path):
    target = tmp_path / "events.log"
    done = subprocess.run(
        [*PYTHON, "run", str(huge), "--output", str(target)],
        capture_output=True,
        text=True,
        timeout=120,  # it used to run for days
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"mtasim run: the scenario {huge} has 1,000,000,000,000 connections, more than the "
        "10,000,000 a run may have: --max-connections 1000000000000 runs it anyway\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.toml"]


def test_validate_keeps_its_ok_line_and_says_the_run_would_be_refused(huge, capsys):
    assert main(["validate", str(huge)]) == 0
    out, err = capsys.readouterr()
    assert out == (
        f"{huge}: ok (huge: 10000 peer groups, 1000000000000 connections, build 5.5.2653.23 "
        "(Exchange 5.5 SP4))\n"
    )
    assert err == (
        f"mtasim validate: {huge}: 1,000,000,000,000 connections: more than the 10,000,000 a "
        "run may have; mtasim run refuses it without --max-connections 1000000000000\n"
    )


def test_validate_says_a_large_run_is_long_and_a_small_one_nothing(capsys):
    assert main(["validate", "heavy-load", "--set", "peers.count=2000000"]) == 0
    out, err = capsys.readouterr()
    assert "2000000 connections" in out
    assert err == "mtasim validate: heavy-load: 2,000,000 connections: a long run\n"
    assert main(["validate", "kb319936"]) == 0
    assert capsys.readouterr().err == ""


def test_the_kb_run_prints_nothing_on_stderr(kb_pre_fix_text):
    done = subprocess.run([*PYTHON, "run"], capture_output=True, text=True, check=True)
    assert (done.stdout, done.stderr) == (kb_pre_fix_text, "")


def test_run_announces_a_large_run_on_stderr(capsys):
    big = sim.load_scenario("heavy-load", (f"peers.count={ANNOUNCE_CONNECTIONS}",))
    announce_connections("run", big)
    assert capsys.readouterr().err == "mtasim run: 1,000,000 connections to run\n"
    announce_connections("run", sim.load_scenario("heavy-load"))
    assert capsys.readouterr().err == ""


def test_max_connections_raises_the_cap(capsys):
    assert main(["run", "heavy-load", "--max-connections", "299", "--driver", "batch"]) == 2
    assert "has 300 connections, more than the 299" in capsys.readouterr().err
    assert main(["run", "heavy-load", "--max-connections", "300", "--driver", "batch"]) == 0
    capsys.readouterr()
    assert main(["run", "--max-connections", "0"]) == 2
    assert capsys.readouterr().err == "mtasim run: --max-connections must be at least 1, got 0\n"


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["compare"],
        ["timeline"],
        ["demo", "--no-pause"],
        ["report"],
    ],
    ids=lambda argv: argv[0],
)
def test_every_command_that_runs_a_scenario_has_the_cap(capsys, command):
    assert main([*command, "kb319936", *OVER]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"mtasim {command[0]}: {OVER_LINE}"


@pytest.mark.parametrize(
    "command",
    [
        ["sweep", "--vary", "mta.ok_delay=1:2:2"],
        ["phase-map", "--x", "mta.ok_delay=1:2:2", "--y", "winsock.response_timeout=1:2:2"],
    ],
    ids=lambda argv: argv[0],
)
def test_every_point_of_a_grid_has_the_cap(capsys, tmp_path, command):
    pytest.importorskip("matplotlib", reason="phase-map needs the plot extra (matplotlib)")
    target = tmp_path / "out"
    assert main([*command, "kb319936", *OVER, "--output", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"mtasim {command[0]}: the grid's largest point has 20,000,001 connections, more "
        "than the 10,000,000 a run may have: --max-connections 20000001 runs it anyway\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_fail_on_exits_1_after_all_output_is_written(tmp_path, kb_pre_fix_text):
    target = tmp_path / "ev0.log"
    done = subprocess.run(
        [*PYTHON, "run", "--fail-on", "4283", "--output", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == "mtasim run: --fail-on: the run logged 4283 x1\n"
    assert target.read_text() == kb_pre_fix_text
    done = subprocess.run(
        [*PYTHON, "run", "--fail-on", "4258,9156", "--fail-on", "4283"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, kb_pre_fix_text)
    assert done.stderr == "mtasim run: --fail-on: the run logged 4258 x1, 4283 x1\n"


def test_fail_on_passes_when_the_fix_holds(capsys, kb_post_fix_text):
    assert main(["run", "--build", "post-fix", "--fail-on", "4283"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (kb_post_fix_text, "")


@pytest.mark.parametrize("bad", ["4284", "x", "", "4283,,4258", "-1"])
def test_fail_on_takes_only_the_events_the_model_knows(capsys, bad):
    assert main(["run", "--fail-on", bad]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("mtasim run: --fail-on ")
    assert err.endswith(": not an event the model logs (known: 4258, 4283, 9156, 9202)\n")
    assert err.count("\n") == 1


def test_the_json_summary_is_the_summary_in_one_line(capsys):
    assert main(["run", "heavy-load", "--summary-format", "json", "--output", "-"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    data = json.loads(err)
    summary = sim.run("heavy-load", keep=False).summary
    expected = summary.as_dict()
    assert data["build"] == "5.5.2653.23"
    assert {k: v for k, v in data.items() if k not in ("build", "events")} == {
        k: v for k, v in expected.items() if k != "events"
    }
    assert data["events"] == {
        "4258": summary.count(4258),
        "4283": summary.count(4283),
        "9156": summary.count(9156),
        "9202": summary.count(9202),
    }
    assert list(data) == ["build", *expected]


def test_the_text_summary_is_unchanged(capsys):
    assert main(["run", "--summary"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "build 5.5.2653.23 (Exchange 5.5 SP4)"
    assert err[1] == "  connections            1"
    assert main(["run", "--summary-format", "text"]) == 0
    assert capsys.readouterr().err.splitlines() == err


def hunt_seconds(*argv: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    began = time.monotonic()
    done = subprocess.run(
        [*PYTHON, "hunt", *argv], capture_output=True, text=True, timeout=120, check=False
    )
    return time.monotonic() - began, done


#: A loaded machine starts Python slowly; the point is that the deadline is checked at all
#: (before, a 5 s limit took 26 to 32 s: hypothesis shrank the time-out as a failure).
SLACK = 10.0


def test_the_hunt_time_limit_holds():
    # Nothing to find on the hotfix: the time limit, not the examples, ends it.
    seconds, done = hunt_seconds(
        "--build", "post-fix", "--time-limit", "2", "--max-examples", "1000000"
    )
    assert done.returncode == 1, done.stderr
    assert "stopped by the time limit" in done.stderr
    assert seconds < 2 + SLACK


def test_the_hunt_time_limit_holds_inside_a_long_candidate(monkeypatch):
    # One candidate of 2,000,000 connections runs for a minute here: the deadline is also
    # checked inside a candidate's run.
    from hypothesis import strategies as st

    from sim.testing import _strategies
    from sim.testing._hunt import hunt

    long_one = sim.load_scenario("heavy-load", ("peers.count=2000000",))
    monkeypatch.setattr(_strategies, "scenarios", lambda **_: st.just(long_one))
    began = time.monotonic()
    result = hunt("4283", sim.POST_FIX, time_limit=1.0, max_examples=10)
    assert time.monotonic() - began < 1 + SLACK
    assert result.timed_out
    assert result.scenario is None


def test_peer_playing_a_scenario_has_the_cap(capsys):
    assert (
        main(["peer", "127.0.0.1:1", "--scenario", "heavy-load", "--max-connections", "299"]) == 2
    )
    assert capsys.readouterr().err == (
        "mtasim peer: the scenario heavy-load has 300 connections, more than the 299 a run may "
        "have: --max-connections 300 runs it anyway\n"
    )
