"""``mtasim timeline``: the race drawn in 80 columns, Unicode with colours or plain ASCII."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

import sim
from sim.cli import main
from sim.report import capture, connections, default_conn, sequence
from sim.report._timeline import WIDTH, timeline_lines, timeline_text


def run_cli(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def kb_seq(build="pre-fix", *overrides):
    return sequence(capture(sim.load_scenario(None, list(overrides)), build), 0)


@pytest.mark.parametrize("ascii_only", [False, True], ids=["unicode", "ascii"])
@pytest.mark.parametrize("name", sim.bundled_names())
def test_every_line_fits_80_columns(name, ascii_only):
    for build in ("pre-fix", "post-fix"):
        log = capture(sim.load_scenario(name), build)
        conns = connections(log)
        for conn in {default_conn(log), conns[0], conns[-1]}:
            text = timeline_text(sequence(log, conn), ascii_only=ascii_only)
            assert max(len(line) for line in text.splitlines()) <= WIDTH
            if ascii_only:
                assert text.isascii()


def test_kb_timeline_shows_the_race_and_the_pair():
    text = timeline_text(kb_seq(), ascii_only=True)
    lines = text.splitlines()
    assert "LPI 1-15-12" in lines[1]
    fires = next(line for line in lines if "timer fires" in line)
    assert fires.startswith(" 21.000000 02:43:50pm")
    assert "+ timer fires: wins the race" in fires
    assert any("* 4283 Bad LPI 1-15-12" in line for line in lines)
    assert any("* 4258 Close Request" in line for line in lines)
    assert any("x OK response, 9 s late" in line for line in lines)
    assert "The Winsock timer won the race at 21 s" in text
    assert "4283  LPI 1-15-12  Bad LPI (error code 8464)" in text


def test_the_timer_bar_runs_from_arrival_to_the_deadline():
    lines = timeline_text(kb_seq(), ascii_only=True).splitlines()
    x = 38  # the Winsock lane
    start = next(i for i, line in enumerate(lines) if "timer starts" in line)
    fires = next(i for i, line in enumerate(lines) if "timer fires" in line)
    assert all(line[x] == "#" for line in lines[start + 1 : fires])
    assert lines[fires + 1][x] == "|"


def test_post_fix_timeline_has_no_4283():
    text = timeline_text(kb_seq("post-fix"))
    assert "4283" not in text
    assert "◆ 4258 Close Request" in text
    assert "pending OK cancelled" in text


def test_ok_in_time_marks_the_timer_as_the_loser():
    text = timeline_text(kb_seq("pre-fix", "mta.ok_delay=20"))
    assert "✓ OK response in time" in text
    assert "✗ timer stopped: lost the race" in text


def test_rich_output_on_a_terminal_has_colours_and_fits():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=WIDTH, color_system="truecolor")
    for line in timeline_lines(kb_seq()):
        console.print(line, crop=True)
    out = buffer.getvalue()
    assert "\x1b[" in out
    plain = Console(file=io.StringIO(), width=WIDTH, record=True)
    for line in timeline_lines(kb_seq()):
        plain.print(line, crop=True)
    assert max(len(line) for line in plain.export_text().splitlines()) <= WIDTH


def test_cli_timeline_lpi_on_the_kb_scenario(capsys):
    code, out, err = run_cli(capsys, "timeline", "--lpi", "1-15-12")
    assert (code, err) == (0, "")
    assert out.isascii()  # not a terminal: plain ASCII
    assert "connection 0, LPI 1-15-12" in out
    assert "+ timer fires: wins the race" in out
    assert "* 4283 Bad LPI 1-15-12" in out


def test_cli_timeline_default_is_the_first_4283(capsys):
    code, out, _ = run_cli(capsys, "timeline", "heavy-load", "--ascii")
    log = capture(sim.load_scenario("heavy-load"), "pre-fix")
    assert code == 0
    assert f"connection {default_conn(log)}," in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lpi", "1-15"], "not an LPI"),
        (["--lpi", "1-15-99"], "no connection used it"),
        (["--conn", "4"], "connections 0 to 0"),
        (["--build", "nope"], "nope"),
        (["--lpi", "1-15-12", "--conn", "0"], "not allowed with"),
    ],
)
def test_cli_timeline_bad_usage_is_one_line_exit_2(capsys, argv, message):
    code, out, err = run_cli(capsys, "timeline", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err


def test_no_lane_marker_is_drawn_over_a_label(capsys):
    # A note too long for the room beside its lane: its own marker gives way, the text stays.
    assert main(["timeline", "heavy-load", "--build", "post-sp3", "--conn", "100"]) == 0
    out = capsys.readouterr().out
    assert "no free control block: refused" in out
