"""``mtasim hunt`` and ``mtasim convert`` end to end."""

from __future__ import annotations

import sim
from sim.cli import main

#: Hunts in tests are bounded by examples, never by the wall clock (a loaded machine is slow,
#: and a time limit would change what is found): the limit here is one no test run reaches.
NO_TIME_LIMIT = ["--time-limit", "3600"]


def test_hunt_finds_the_smallest_4283_and_run_reproduces_it(capsys, tmp_path):
    target = tmp_path / "h.toml"
    hunt = ["hunt", "--want", "4283", "--build", "pre-fix", "--max-examples", "300", *NO_TIME_LIMIT]
    code = main([*hunt, "--output", str(target)])
    out, err = capsys.readouterr()
    assert (code, out) == (0, "")
    assert "found a 4283 (Bad LPIs in message) on 5.5.2653.23" in err
    assert "shrunk to 1 peer group, 1 connection" in err
    scenario = sim.load_scenario(str(target))
    assert len(scenario.peers) == 1
    assert scenario.peers[0].count == 1
    assert main(["run", str(target)]) == 0
    assert "NMI4283" in capsys.readouterr().out
    # Deterministic: the same command writes the same file.
    again = tmp_path / "again.toml"
    main([*hunt, "--output", str(again)])
    capsys.readouterr()
    assert again.read_text().split("\n", 2)[2] == target.read_text().split("\n", 2)[2]


def test_hunt_on_post_fix_reports_nothing_found(capsys):
    code = main(
        ["hunt", "--want", "4283", "--build", "post-fix", "--max-examples", "150", *NO_TIME_LIMIT]
    )
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.startswith(
        "mtasim hunt: no scenario shows a 4283 (Bad LPIs in message) on "
        "5.5.2656.20 (Q319936 hotfix): tried 150 scenarios"
    )


def test_hunt_usage_errors(capsys):
    assert main(["hunt", "--build", "pre-fix", "--not-on", "sp4"]) == 2
    assert "names the hunted build itself" in capsys.readouterr().err
    assert main(["hunt", "--time-limit", "0"]) == 2
    assert "--time-limit must be more than 0" in capsys.readouterr().err


def test_convert_between_forms(capsys, tmp_path, kb_pre_fix_text):
    source = tmp_path / "ev0.log"
    source.write_text(kb_pre_fix_text)
    assert main(["convert", str(source), "--to", "eventviewer"]) == 0
    viewer = capsys.readouterr().out
    assert "Event ID:\t4283" in viewer
    back = tmp_path / "viewer.txt"
    back.write_text(viewer)
    assert main(["convert", str(back), "--to", "ev0"]) == 0
    assert capsys.readouterr().out == kb_pre_fix_text


def test_convert_names_the_bad_line(capsys, tmp_path):
    source = tmp_path / "bad.log"
    source.write_text("message NMI4283: Interface Event, severity 14\n\n       garbage\n")
    assert main(["convert", str(source)]) == 2
    err = capsys.readouterr().err
    assert (
        err == f"mtasim convert: {source}: line 3: expected the task header line, found 'garbage'\n"
    )
