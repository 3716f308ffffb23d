"""The Python API takes what its docstrings name (a bundled name, a str or Path path, a
Scenario) everywhere, validates a Scenario built in Python with the schema's rules and
messages, and enforces one seed range, as run, --record and replay do."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
from dataclasses import replace
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest
import trio
import trio.testing

import sim
from sim.app._run import replay
from sim.cli import main
from sim.scenario import MtaSettings, PeerGroup, ScenarioError, WinsockSettings, parse_scenario

SEED_MAX = 2**63 - 1
RANGE = "expected an integer >= 0 and <= 9223372036854775807"


def kb_path() -> Path:
    return Path(str(resources.files("sim").joinpath("scenarios", "kb319936.toml")))


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# -- what a scenario may be ------------------------------------------------------------------
@pytest.mark.parametrize("spec", [None, "kb319936", "kb319936.toml", str(kb_path()), kb_path()])
def test_run_takes_a_name_a_str_or_a_path(spec):
    assert sim.run(spec).events == sim.run().events
    assert sim.load_scenario(spec).to_dict() == sim.load_scenario().to_dict()


def test_run_in_trio_takes_a_path():
    async def main_() -> sim.RunResult:
        return await sim.run_in_trio(kb_path(), "post-fix")

    result = trio.run(main_, clock=trio.testing.MockClock(rate=0))
    assert result.events == sim.run(build="post-fix").events


def test_replay_takes_a_path_or_a_str(tmp_path):
    trace = tmp_path / "t.jsonl"
    sim.run(kb_path(), record=trace)
    assert replay(trace).events == replay(str(trace)).events == sim.run().events


def test_the_fixtures_take_a_path(mtasim_run, mtasim_events, mtasim_scenario):
    assert mtasim_run(kb_path()).events == sim.run().events
    assert mtasim_events(kb_path(), "post-fix") == sim.run(build="post-fix").events
    assert mtasim_scenario(kb_path(), set={"seed": 5}).seed == 5


def test_other_types_are_a_type_error():
    with pytest.raises(TypeError, match="expected a Scenario, a bundled scenario name, a path"):
        sim.run(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a path or a bundled scenario name"):
        sim.load_scenario(5)  # type: ignore[arg-type]


# -- scenarios built in Python ---------------------------------------------------------------
BAD = [
    (
        "[mta]\nthreads = 0\n",
        sim.Scenario(mta=MtaSettings(threads=0)),
        "mta.threads: found integer 0; expected an integer >= 1 and <= 10000",
    ),
    (
        "[winsock]\nresponse_timeout = nan\n",
        sim.Scenario(winsock=WinsockSettings(response_timeout=math.nan)),
        "winsock.response_timeout: found float nan; expected a number of seconds or inf > 0 and <= "
        "31622400",
    ),
    (
        "[[peers]]\ncount = 0\n",
        sim.Scenario(peers=(PeerGroup(count=0),)),
        "peers[0].count: found integer 0; expected an integer >= 1 and <= 100000000",
    ),
    (
        'epoch = "tomorrow"\n',
        sim.Scenario(epoch="tomorrow"),  # type: ignore[arg-type]
        "epoch: found string 'tomorrow'; expected a TOML date-time like 2002-02-26T14:43:29",
    ),
    (
        f"seed = {2**63}\n",
        sim.Scenario(seed=2**63),
        f"seed: found integer 9223372036854775808; {RANGE}",
    ),
    (
        "[mta]\ncontrol_blocks = 5\nopen_associations = 7\n",
        sim.Scenario(mta=MtaSettings(control_blocks=5, open_associations=7)),
        "mta.open_associations: 7 associations need more control blocks than the 5 configured "
        "(one is the listener's); expected at most 4",
    ),
    (
        "epoch = 9999-12-31T23:59:59\n[[peers]]\n",
        sim.Scenario(epoch=datetime(9999, 12, 31, 23, 59, 59), peers=(PeerGroup(),)),
        "epoch: the run can reach 22 s of virtual time",
    ),
]


@pytest.mark.parametrize(("text", "scenario", "message"), BAD)
def test_a_python_scenario_gets_the_message_a_file_gets(text, scenario, message):
    with pytest.raises(ScenarioError) as from_file:
        parse_scenario(text, "s.toml")
    with pytest.raises(ScenarioError) as from_python:
        sim.run(scenario)
    file_line = str(from_file.value.problems[0])
    python_line = str(from_python.value.problems[0])
    assert message in file_line
    assert python_line.startswith("<python>: ")
    assert python_line.removeprefix("<python>: ") == file_line.split(": ", 1)[1]


def test_wrong_types_in_python_are_the_schema_message_not_an_internal_error():
    for scenario, message in (
        (sim.Scenario(mta=5), "<python>: mta: expected a table [mta], found integer"),  # type: ignore[arg-type]
        (sim.Scenario(peers=5), "<python>: peers: found integer; expected an array of tables"),  # type: ignore[arg-type]
        (sim.Scenario(build=None), "<python>: build: found None; expected a build version"),  # type: ignore[arg-type]
        (sim.Scenario(name=10**5000), "<python>: name: found integer of 5,001 digits"),  # type: ignore[arg-type]
    ):
        with pytest.raises(ScenarioError) as raised:
            sim.run(scenario)
        assert str(raised.value).startswith(message)


def test_a_python_scenario_runs_like_the_file_that_says_the_same(tmp_path):
    built = sim.Scenario(peers=(PeerGroup(at=1, count=2, interval=1, hold=2),), seed=3)
    text = "seed = 3\n[[peers]]\nat = 1\ncount = 2\ninterval = 1\nhold = 2\n"
    assert sim.run(built).events == sim.run(parse_scenario(text)).events
    # Durations given as integers are floats once validated: the trace replays.
    trace = tmp_path / "t.jsonl"
    sim.run(built, record=trace)
    assert cli("replay", str(trace), "--check", "-q")[0] == 0


def test_replace_keeps_working_and_is_checked_where_used():
    kb = sim.load_scenario()
    changed = replace(kb, mta=replace(kb.mta, ok_delay=10.0))
    assert sim.run(changed).summary.count(4283) == 0
    with pytest.raises(ScenarioError, match=r"^<python>: mta.ok_delay: found float -1.0"):
        sim.run(replace(kb, mta=replace(kb.mta, ok_delay=-1.0)))


# -- one seed range --------------------------------------------------------------------------
def forge_seed(trace: Path, seed: int) -> None:
    """Give a trace another seed, with every digest recomputed."""
    lines = trace.read_text().splitlines(keepends=True)
    header = json.loads(lines[0])
    header["seed"] = header["scenario"]["seed"] = seed
    canonical = json.dumps(header["scenario"], sort_keys=True, separators=(",", ":"))
    header["scenario_digest"] = hashlib.sha256(canonical.encode()).hexdigest()
    lines[0] = json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n"
    footer = json.loads(lines[-1])
    footer["sha256"] = hashlib.sha256("".join(lines[:-1]).encode()).hexdigest()
    lines[-1] = json.dumps(footer, separators=(",", ":")) + "\n"
    trace.write_text("".join(lines))


@pytest.mark.parametrize("seed", [0, 1, 2**63 - 512, SEED_MAX])
def test_seeds_in_the_range_run_record_and_replay(tmp_path, seed):
    trace = tmp_path / "t.jsonl"
    assert cli("run", "random-arrivals", "--seed", str(seed), "--record", str(trace))[0] == 0
    assert cli("run", "random-arrivals", "--set", f"seed={seed}")[0] == 0
    assert json.loads(trace.read_text().splitlines()[0])["seed"] == seed
    code, _, err = cli("replay", str(trace), "--check", "-q")
    assert code == 0, err
    assert sim.run("random-arrivals", seed=seed).scenario.seed == seed


@pytest.mark.parametrize("seed", [-1, 2**63, 10**30])
def test_seeds_out_of_the_range_are_refused_alike_everywhere(tmp_path, seed):
    message = f"seed: found integer {seed}; {RANGE}"
    trace = tmp_path / "t.jsonl"
    code, _, err = cli("run", "kb319936", "--seed", str(seed), "--record", str(trace))
    assert (code, err) == (2, f"mtasim run: --seed {seed}: {message}\n")
    assert not trace.exists()
    code, _, err = cli("run", "kb319936", "--set", f"seed={seed}")
    assert (code, err) == (2, f"mtasim run: --set seed={seed}: {message}\n")
    with pytest.raises(ScenarioError) as raised:
        sim.run(seed=seed)
    assert str(raised.value) == f"<python>: {message}"
    good = tmp_path / "good.jsonl"
    sim.run(record=good)
    forge_seed(good, seed)
    code, _, err = cli("replay", str(good), "--check", "-q")
    assert (code, err) == (
        2,
        f"mtasim replay: {good}:1: corrupt trace header: scenario.{message}\n",
    )


def test_a_scenario_equal_to_a_valid_one_is_still_checked():
    # Scenarios checked before are remembered by identity, not by equality: 1.0 == 1.
    assert sim.run(sim.Scenario(mta=MtaSettings(threads=1))).events == []
    with pytest.raises(ScenarioError, match=r"mta\.threads: found float 1\.0; expected an integer"):
        sim.run(sim.Scenario(mta=MtaSettings(threads=1.0)))  # type: ignore[arg-type]
