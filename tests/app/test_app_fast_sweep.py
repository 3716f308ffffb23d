"""The sweep engine against the core: generated in-scope scenarios and grids (half-second
values, so that ties at a deadline are common; every build) give the core's summaries and
the core's CSV bytes; out-of-scope grids go to the core saying why, or are refused."""

from __future__ import annotations

import builtins
import importlib.util
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.app._fast_sweep import EngineRefused, choose_engine, fast_rows, numpy_available
from sim.app._sweep import Axis, SweepError, execute, plan
from sim.cli import main
from sim.core import BUILDS, LoggingLevel, Summary
from sim.scenario import ScenarioError, scenario_from_dict

pytestmark = pytest.mark.skipif(
    not numpy_available(), reason="numpy is not installed (pip install '.[fast]')"
)

ALL_BUILDS = ",".join(build.alias for build in BUILDS)
HALF = st.integers(0, 12).map(lambda k: k / 2)  # 0 to 6 s in half seconds


@st.composite
def groups(draw: st.DrawFn) -> dict[str, Any]:
    poisson = draw(st.booleans())
    return {
        "name": f"g{draw(st.integers(0, 99))}",
        "at": draw(HALF),
        "count": draw(st.integers(1, 14)),
        "process": "poisson" if poisson else "fixed",
        **({"rate": draw(st.sampled_from([0.5, 1.0, 2.0, 4.0]))} if poisson else {}),
        **({} if poisson else {"interval": draw(HALF)}),
        "hold": draw(st.one_of(HALF, st.just(math.inf))),
        "latency": draw(st.sampled_from([0.0, 0.25, 0.5])),
        "data_units": draw(st.integers(0, 2)),
        "close": draw(st.sampled_from(["close", "reset"])),
    }


@st.composite
def in_scope(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario's data inside the engine's scope (``sim.app._fast_scope``)."""
    blocks = draw(st.integers(2, 12))
    return {
        "name": "generated",
        "seed": draw(st.integers(0, 2**16)),
        "winsock": {
            "response_timeout": draw(st.one_of(HALF.filter(bool), st.just(math.inf))),
            "backlog": 200,
        },
        "mta": {
            "control_blocks": blocks,
            "open_associations": draw(st.integers(0, blocks - 2)),
            "threads": draw(st.integers(1, 4)),
            "ok_delay": draw(HALF),
            "ok_delay_jitter": draw(st.sampled_from([0.0, 0.0, 0.5, 1.0])),
            "accept_time": draw(st.sampled_from([0.0, 0.0, 0.5])),
            "logging": draw(st.sampled_from([level.name.lower() for level in LoggingLevel])),
        },
        "peers": draw(st.lists(groups(), min_size=1, max_size=3)),
    }


AXES = st.sampled_from(
    [
        "winsock.response_timeout=0.5:6:12",
        "mta.ok_delay=0:5.5:12",
        "mta.threads=1:4:4",
        "mta.accept_time=0:1:3",
        "peers.hold=0:3:7",
        "peers.latency=0:1:3",
        "mta.ok_delay_jitter=0:1:3",
        "peers.count=1:13:4",
    ]
)


def grid_of(data: dict[str, Any], specs: list[str], seeds: int = 1) -> Any:
    try:
        base = scenario_from_dict(data, "<generated>")
        return plan(base, [Axis.parse(s) for s in specs], list(BUILDS), seeds=seeds)
    except (ScenarioError, SweepError):
        assume(False)


def core_rows(grid: Any) -> list[tuple[Any, Summary]]:
    rows: list[tuple[Any, Summary]] = []
    execute(grid, lambda cell, summary: rows.append((cell, summary)))
    return rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    in_scope(),
    st.lists(AXES, min_size=1, max_size=2, unique_by=lambda s: s.split("=")[0]),
    st.integers(1, 2),
)
def test_the_engine_gives_the_cores_summaries(
    data: dict[str, Any], specs: list[str], seeds: int
) -> None:
    grid = grid_of(data, specs, seeds)
    fast = fast_rows(grid)
    assert not isinstance(fast, str), fast
    core = core_rows(grid)
    assert [cell for cell, _ in fast] == [cell for cell, _ in core]
    for (cell, mine), (_, theirs) in zip(fast, core, strict=True):
        assert mine == theirs, cell


def sweep_csv(tmp_path: Any, capsys: Any, name: str, *words: str) -> tuple[int, bytes, str]:
    target = tmp_path / name
    code = main(["sweep", *words, "--build", ALL_BUILDS, "--output", str(target)])
    err = capsys.readouterr().err
    return code, target.read_bytes() if target.exists() else b"", err


@pytest.mark.parametrize(
    ("scenario", "axes"),
    [
        ("kb319936", ["winsock.response_timeout=1:40:40", "mta.ok_delay=1:40:20"]),
        ("heavy-load", ["peers.rate=0.25:3:6", "mta.threads=1:8:8"]),
        ("tie-at-deadline", ["mta.ok_delay=0:20:41"]),
        ("after-the-storm", ["winsock.response_timeout=2:20:10", "mta.control_blocks=5:40:8"]),
    ],
)
def test_the_csv_bytes_do_not_depend_on_the_engine(
    tmp_path: Any, capsys: Any, scenario: str, axes: list[str]
) -> None:
    words = [scenario, *(w for a in axes for w in ("--vary", a))]
    code_core, core, _ = sweep_csv(tmp_path, capsys, "core.csv", *words, "--engine", "core")
    code_fast, fast, err = sweep_csv(tmp_path, capsys, "fast.csv", *words, "--engine", "fast")
    assert (code_core, code_fast, err) == (0, 0, "")
    assert fast == core and core.count(b"\n") > 10


OUT_OF_SCOPE = [
    ("remote-gives-up", "the point mta.threads=1: peers[0].give_up is finite (the peer gives up)"),
    ("backlog-overflow", "the listen backlog fills (a connection is refused)"),
    ("syn-flood", "the point mta.threads=1: the scenario has a SYN flood"),
]


@pytest.mark.parametrize(("scenario", "reason"), OUT_OF_SCOPE)
def test_auto_falls_back_to_the_core_saying_why(
    tmp_path: Any, capsys: Any, scenario: str, reason: str
) -> None:
    words = [scenario, "--vary", "mta.threads=1:2:2"]
    code, auto, err = sweep_csv(tmp_path, capsys, "auto.csv", *words)
    _, core, _ = sweep_csv(tmp_path, capsys, "core.csv", *words, "--engine", "core")
    assert code == 0 and auto == core
    assert err.startswith("mtasim sweep: the core runs this grid, not the fast engine: ")
    assert reason in err and err.count("\n") == 1


@pytest.mark.parametrize(("scenario", "reason"), OUT_OF_SCOPE)
def test_engine_fast_refuses_an_out_of_scope_grid(
    tmp_path: Any, capsys: Any, scenario: str, reason: str
) -> None:
    code, written, err = sweep_csv(
        tmp_path, capsys, "fast.csv", scenario, "--vary", "mta.threads=1:2:2", "--engine", "fast"
    )
    assert (code, written) == (2, b"")
    assert err.startswith("mtasim sweep: --engine fast: ") and err.count("\n") == 1
    assert reason in err
    assert list(tmp_path.iterdir()) == []


def test_a_finite_until_is_out_of_scope() -> None:
    data = {"name": "u", "until": 30.0, "peers": [{"count": 3}]}
    grid = plan(scenario_from_dict(data, "<u>"), [Axis.parse("mta.threads=1:2:2")], list(BUILDS))
    with pytest.raises(EngineRefused, match="until is finite"):
        choose_engine(grid, "fast")
    said: list[str] = []
    assert choose_engine(grid, "auto", said.append).engine == "core"
    assert said == [
        "the core runs this grid, not the fast engine: the point mta.threads=1: until is finite"
    ]


def test_without_numpy_the_core_runs_the_grid(
    tmp_path: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec
    real_import = builtins.__import__

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "numpy" else real_find_spec(name, *args)

    def no_numpy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("No module named 'numpy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(builtins, "__import__", no_numpy)
    words = ["kb319936", "--vary", "mta.ok_delay=10:30:3"]
    code, auto, err = sweep_csv(tmp_path, capsys, "auto.csv", *words)
    assert code == 0 and auto.count(b"\n") == 1 + 3 * len(BUILDS)
    assert err == (
        "mtasim sweep: the core runs this grid, not the fast engine: numpy is not installed "
        "(pip install '.[fast]')\n"
    )
    code, _, err = sweep_csv(tmp_path, capsys, "fast.csv", *words, "--engine", "fast")
    assert code == 2
    assert err == "mtasim sweep: --engine fast: numpy is not installed (pip install '.[fast]')\n"


# The picture's legend is empty when the scenario's point is off the axes (matplotlib warns).
@pytest.mark.filterwarnings("ignore:No artists with labels")
def test_phase_map_and_fit_take_the_engine_option(tmp_path: Any, capsys: Any) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "p.png"
    axes = ["--x", "mta.threads=1:2:2", "--y", "mta.ok_delay=1:2:2"]
    words = ["phase-map", "remote-gives-up", *axes, "--output", str(target)]
    assert main([*words, "--engine", "fast"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mtasim phase-map: --engine fast: the point ") and err.count("\n") == 1
    assert not target.exists()
    assert main(words) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("mtasim phase-map: the core runs this grid, not the fast engine: ")
    assert err[1].startswith("mtasim phase-map: model time: ") and "(core engine; CPU" in err[1]
    assert err[1].endswith(" s in this process)") and " s for 4 points x 2 builds " in err[1]
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    assert "--engine {auto,core,fast}" in capsys.readouterr().out


def test_lanes_run_in_parts_give_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.app import _fast_lanes

    data = {"name": "p", "mta": {"control_blocks": 5}, "peers": [{"count": 12, "interval": 0.5}]}
    grid = plan(
        scenario_from_dict(data, "<p>"),
        [Axis.parse("mta.ok_delay=0:6:13"), Axis.parse("winsock.response_timeout=0.5:3:6")],
        list(BUILDS),
    )
    whole = fast_rows(grid)
    monkeypatch.setattr(_fast_lanes, "CELLS", 50)  # 4 lanes of 12 connections at a time
    assert fast_rows(grid) == whole == core_rows(grid)
