"""``mtasim validate``, ``scenarios``, ``show`` and ``compare``."""

from __future__ import annotations

import pytest

import sim
from sim.cli import main

BUNDLED = [
    "accept-resets",
    "after-the-storm",
    "backlog-overflow",
    "healthy",
    "heavy-load",
    "kb319936",
    "peer-resets",
    "random-arrivals",
    "remote-gives-up",
    "slow-links",
    "syn-flood",
    "tie-at-deadline",
]


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_library_is_bundled():
    assert sim.bundled_names() == BUNDLED


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_scenario_validates_and_says_what_it_shows(capsys, name):
    code, out, err = cli(capsys, "validate", name)
    assert (code, err) == (0, "")
    assert out.startswith(f"{name}: ok ({name}: ")
    assert len(sim.load_scenario(name).description) > 40


def test_validate_reports_every_problem_of_every_file(capsys, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text("[[peers]]\ncount = 2\n")
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = -1\n[winsock]\nbacklog = 0\nresponse_timout = 3\n")
    code, out, err = cli(capsys, "validate", str(good), str(bad))
    assert code == 2
    assert (
        out
        == f"{good}: ok (good: 1 peer group, 2 connections, build 5.5.2653.23 (Exchange 5.5 SP4))\n"
    )
    assert err.splitlines() == [
        f"mtasim validate: {bad}:1: seed: found integer -1; expected an integer >= 0 and <= 9223372036854775807",
        f"mtasim validate: {bad}:3: winsock.backlog: found integer 0; expected an integer >= 1 and <= 1000000",
        f"mtasim validate: {bad}:4: winsock.response_timout: unknown key (did you mean 'response_timeout'?)",
    ]


def test_validate_takes_overrides(capsys):
    code, _, err = cli(capsys, "validate", "kb319936", "--set", "mta.control_blocks=5")
    assert code == 2
    assert "mta.open_associations: 11 associations need more control blocks than the 5" in err


def test_scenarios_lists_names_and_descriptions(capsys):
    code, out, _ = cli(capsys, "scenarios")
    assert code == 0
    for name in BUNDLED:
        assert any(line.startswith(name + " ") for line in out.splitlines())
    assert "heavy-load        A burst behind two busy kernel threads" in out


def test_show_prints_the_toml(capsys):
    code, out, _ = cli(capsys, "show", "tie-at-deadline")
    assert code == 0
    assert sim.parse_scenario(out).to_dict() == sim.load_scenario("tie-at-deadline").to_dict()
    code, _, err = cli(capsys, "show", "nope")
    assert code == 2
    assert "no bundled scenario of that name" in err


def test_bundled_names_work_without_a_path(capsys):
    code, out, _ = cli(capsys, "run", "tie-at-deadline")
    assert code == 0
    assert out.count("message NMI4258") == 1
    assert "NMI4283" not in out


def test_compare_heavy_load(capsys):
    code, out, _ = cli(capsys, "compare", "heavy-load", "--builds", "pre-fix,post-fix,post-sp3")
    assert code == 0
    rows = {}
    for line in out.splitlines():
        label, _, values = line.partition("   ")
        if values.split() and all(v.isdigit() for v in values.split()):
            rows[label.strip()] = values.split()
    assert rows["4283 logged"] == ["293", "0", "39"]
    assert rows["9156 logged"] == ["0", "0", "254"]
    assert rows["control blocks leaked"] == ["0", "0", "39"]
    assert rows["refused: no free control block"] == ["0", "0", "254"]
    assert rows["connections"] == ["300", "300", "300"]
    assert "events: 293 only on pre-fix, 0 only on post-fix" in out
    assert "... 253 more lines (--limit 0 shows all)" in out


def test_compare_default_is_pre_fix_against_post_fix(capsys):
    code, out, _ = cli(capsys, "compare")
    assert code == 0
    assert "pre-fix" in out
    assert "post-fix" in out
    assert "events: 1 only on pre-fix, 0 only on post-fix" in out
    assert "-   21.000000 s  02:43:50pm  4283  LPI 1-15-12  Bad LPI (error code 8464)" in out


@pytest.mark.parametrize(
    ("builds", "message"),
    [
        ("pre-fix", "at least two builds"),
        ("pre-fix,sp4", "the same build twice"),
        ("pre-fix,sp9", "unknown build 'sp9'"),
    ],
)
def test_compare_build_errors(capsys, builds, message):
    code, out, err = cli(capsys, "compare", "--builds", builds)
    assert (code, out) == (2, "")
    assert message in err
