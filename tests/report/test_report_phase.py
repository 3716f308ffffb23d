"""The phase map: the grid's data, deterministic PNG bytes, and ``mtasim phase-map``."""

from __future__ import annotations

import re
import sys

import pytest

from sim.app._sweep import Axis, SweepError
from sim.cli import main
from sim.core import resolve_build
from sim.report._phase import (
    INSTALL_HINT,
    PhaseGrid,
    phase_grid,
    phase_png,
    plot_phase_map,
)
from sim.scenario import load_scenario

BUILDS = (resolve_build("pre-fix"), resolve_build("post-fix"))


def run_cli(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def kb_grid(x="winsock.response_timeout=5:40:8", y="mta.ok_delay=5:40:8", builds=BUILDS):
    return phase_grid(load_scenario(None), Axis.parse(x), Axis.parse(y), builds)


@pytest.fixture(scope="module")
def grid() -> PhaseGrid:
    return kb_grid()


def test_axis_parse_and_values():
    axis = Axis.parse("winsock.response_timeout=1:40:40")
    assert axis.values == tuple(float(v) for v in range(1, 41))
    assert Axis.parse("mta.ok_delay=0:1:3").values == (0.0, 0.5, 1.0)
    assert Axis.parse("mta.ok_delay=7:7:1").values == (7.0,)
    for bad in ("mta.ok_delay", "mta.ok_delay=1:2"):
        with pytest.raises(SweepError, match="START:STOP:STEPS"):
            Axis.parse(bad)
    with pytest.raises(SweepError, match="START and STOP must be numbers"):
        Axis.parse("mta.ok_delay=a:2:3")
    with pytest.raises(SweepError, match="between 1 and 10000"):
        Axis.parse("mta.ok_delay=1:2:0")


def test_pre_fix_logs_4283_exactly_where_the_timeout_is_shorter_than_the_ok_delay(grid):
    pre = grid.panel("pre-fix")
    for j, ok_delay in enumerate(grid.y.values):
        for i, timeout in enumerate(grid.x.values):
            assert pre[j][i] == (1.0 if timeout < ok_delay else 0.0), (timeout, ok_delay)
    # The diagonal (OK ready exactly at the deadline) is in time: the tie rule.
    assert all(pre[k][k] == 0.0 for k in range(len(grid.x.values)))


def test_post_fix_logs_no_4283_anywhere(grid):
    assert all(v == 0.0 for row in grid.panel("post-fix") for v in row)
    assert grid.panel(BUILDS[1]) == grid.panel("5.5.2656.20")


def test_the_kb_point_is_the_scenarios_own(grid):
    assert grid.point == (21.0, 30.0)
    assert grid.scenario == "kb319936"


def test_grid_shape_and_axes_are_checked():
    axis = Axis.parse("mta.ok_delay=1:2:2")
    with pytest.raises(ValueError, match="shape"):
        PhaseGrid("s", axis, axis, BUILDS, (((0.0,),),))
    with pytest.raises(ValueError, match="increasing"):
        PhaseGrid("s", Axis("mta.ok_delay", (2.0, 1.0)), axis, BUILDS, ())


def test_any_grid_can_be_drawn(tmp_path):
    pytest.importorskip("matplotlib")
    grid = PhaseGrid(
        "sweep",
        Axis("winsock.response_timeout", (10.0, 20.0)),
        Axis("mta.ok_delay", (15.0,)),
        (BUILDS[0],),
        (((1.0, 0.0),),),
        point=None,
    )
    plot_phase_map(grid, tmp_path / "s.png")
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_sweep_plot_draws_the_same_map_as_phase_map(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    grid_args = ["--vary", "winsock.response_timeout=5:40:8", "--vary", "mta.ok_delay=5:40:8"]
    target = tmp_path / "sweep.png"
    code, _, err = run_cli(
        capsys,
        "sweep",
        "kb319936",
        *grid_args,
        "--jobs",
        "2",
        "--output",
        str(tmp_path / "g.csv"),
        "--plot",
        str(target),
    )
    assert code == 0, err
    assert target.read_bytes() == phase_png(kb_grid())


def test_png_is_deterministic_and_carries_no_software_or_date(grid, tmp_path):
    pytest.importorskip("matplotlib")
    first = phase_png(grid)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert phase_png(kb_grid()) == first
    assert b"Software" not in first and b"matplotlib" not in first.lower()
    assert b"tIME" not in first
    target = tmp_path / "phase.png"
    plot_phase_map(grid, target)
    assert target.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["phase.png"]
    assert target.stat().st_mode & 0o044 == 0o044  # readable like any file, not 0600


def test_cli_phase_map_writes_the_png(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "p.png"
    code, out, err = run_cli(
        capsys,
        "phase-map",
        "--x",
        "winsock.response_timeout=5:40:8",
        "--y",
        "mta.ok_delay=5:40:8",
        "--output",
        str(target),
    )
    assert (code, out) == (0, "")
    timing, wrote = err.splitlines()
    assert re.fullmatch(
        r"mtasim phase-map: model time: \d+\.\d\d s for 64 points x 2 builds "
        r"\(fast engine; CPU \d+\.\d\d s in this process\)",
        timing,
    )
    assert wrote == f"mtasim phase-map: wrote {target} (8 x 8 cells on 2 builds; 28 cells log 4283)"
    assert target.read_bytes() == phase_png(kb_grid())


def test_cli_phase_map_honours_set_and_builds(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "p.png"
    code, _, err = run_cli(
        capsys,
        "phase-map",
        "--x",
        "winsock.response_timeout=10:30:3",
        "--y",
        "mta.ok_delay=10:30:3",
        "--builds",
        "post-sp3",
        "--set",
        "mta.open_associations=0",
        "--output",
        str(target),
    )
    assert code == 0
    assert "(3 x 3 cells on 1 build; 3 cells log 4283)" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--x", "winsock.response_timeout=1:2"],
            "--x: 'winsock.response_timeout=1:2': expected KEY=START:STOP:STEPS",
        ),
        (["--y", "mta.nope=1:2:2"], "'mta.nope' is not a numeric scenario key"),
        (["--x", "mta.ok_delay=1:2:2"], "sweep the same key"),
        (["--x", "mta.threads=1:2:3"], "the grid has fractional values"),
        (["--y", "mta.ok_delay=-5:1:2"], "mta.ok_delay"),
        (["--output", "/nonexistent/dir/p.png"], "no such directory"),
        (["--output", "-"], "a PNG needs a file name"),
    ],
)
def test_cli_phase_map_bad_usage_is_exit_2_and_no_file(capsys, tmp_path, argv, message):
    pytest.importorskip("matplotlib")
    code, out, err = run_cli(capsys, "phase-map", "--output", str(tmp_path / "p.png"), *argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_without_matplotlib_one_line_says_how_to_install(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    target = tmp_path / "p.png"
    code, out, err = run_cli(capsys, "phase-map", "--output", str(target))
    assert code == 2
    assert out == ""
    assert err == f"mtasim phase-map: {INSTALL_HINT}\n"
    assert "pip install '.[plot]'" in err
    assert not target.exists()


def test_the_load_map_draws_the_kernels_capacity_and_every_build(capsys, tmp_path):
    from sim.core import BUILDS
    from sim.report import phase_grid
    from sim.report._capacity import capacity_line

    scenario = load_scenario("heavy-load")
    x, y = Axis.parse("peers.rate=1:3:3"), Axis.parse("mta.threads=1:3:3")
    line = capacity_line(scenario, x, y)
    # ok_delay 3 s: one thread serves 1/3 connection per second.
    assert all(abs(rate - threads / 3.0) < 1e-9 for rate, threads in line)
    assert line[0][1] == 0.5 and line[-1][1] == 3.5
    assert capacity_line(scenario, Axis.parse("mta.ok_delay=1:3:3"), y) == ()
    grid = phase_grid(scenario, x, y, BUILDS)
    assert grid.capacity == line
    # 3 arrivals a second on one thread: the SP4 build logs 4283s, the hotfix none.
    assert grid.panel("pre-fix")[0][2] > 0.5
    assert all(v == 0 for row in grid.panel("post-fix") for v in row)
    target = tmp_path / "load.png"
    code = main(
        [
            "phase-map",
            "--load",
            "--x",
            "peers.rate=1:3:3",
            "--y",
            "mta.threads=1:3:3",
            "--output",
            str(target),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0
    assert err.splitlines()[-1].startswith(
        f"mtasim phase-map: wrote {target} (3 x 3 cells on 4 builds;"
    )
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
