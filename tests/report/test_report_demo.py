"""``mtasim demo``: the narrated walkthrough, pre-fix, post-fix, then the difference."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

import sim
from sim.cli import main
from sim.report._demo import demo_steps, present


def run_cli(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_no_pause_runs_the_whole_walkthrough(capsys):
    code, out, err = run_cli(capsys, "demo", "--no-pause")
    assert (code, err) == (0, "")
    order = [
        "The case: kb319936",
        "2/15  pre-fix 5.5.2653.23: 0 s",
        "the kernel is still busy: the timer at the Winsock",
        "Bad LPIs in message",
        "pre-fix 5.5.2653.23: the whole connection",
        "8/15  post-fix 5.5.2656.20: 0 s",
        "post-fix 5.5.2656.20: the whole connection",
        "The difference: pre-fix and post-fix",
        "Try it yourself",
    ]
    positions = [out.index(text) for text in order]
    assert positions == sorted(positions)
    assert out.isascii()  # not a terminal: plain ASCII
    assert max(len(line) for line in out.splitlines()) <= 80
    # The EV0 blocks of the KB appear as the MTA writes them.
    assert "message NMI4283: Interface Event, severity 14" in out
    assert "       Error code = 8464" in out


def test_every_step_has_one_or_two_sentences_of_narration():
    steps = demo_steps(sim.load_scenario(None))
    assert len(steps) == 1 + (5 + 1) * 2 + 1 + 1
    for step in steps:
        assert 1 <= len(step.narration) <= 2, step.title


def test_difference_step_names_the_table_row_and_the_counts():
    steps = demo_steps(sim.load_scenario(None), ascii_only=True)
    diff = next(s for s in steps if s.title.startswith("The difference"))
    text = " ".join(diff.narration)
    assert "4283 logged on pre-fix: 1, on post-fix: 0" in text
    console = Console(file=io.StringIO(), width=80, record=True)
    present([diff], console)
    shown = " ".join(console.export_text().split())
    assert "opening + close:" in shown
    assert "post-fix: log 4258 Message received at NSI (Close Request); cancel the pending" in shown


def test_present_pauses_between_steps_only():
    steps = demo_steps(sim.load_scenario(None), ascii_only=True)
    calls = []
    present(steps, Console(file=io.StringIO(), width=80), lambda done, total: calls.append(done))
    assert calls == list(range(1, len(steps)))


def test_ctrl_c_ends_the_line_and_exits_130(capsys, monkeypatch):
    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", interrupt)
    code, out, err = run_cli(capsys, "demo", "--pace", "0.5")
    assert code == 130
    assert err == "mtasim demo: interrupted\n"
    assert out.endswith("\n")
    assert "The case: kb319936" in out and "2/15" not in out


def test_enter_mode_with_closed_stdin_runs_straight_through(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, _ = run_cli(capsys, "demo")
    assert code == 0
    assert "Try it yourself" in out


def test_enter_mode_waits_for_each_enter(capsys, monkeypatch):
    steps = len(demo_steps(sim.load_scenario(None)))
    monkeypatch.setattr("sys.stdin", io.StringIO("\n" * (steps - 1)))
    code, out, _ = run_cli(capsys, "demo")
    assert code == 0
    assert out.count("Enter for the next step") == steps - 1


def test_demo_follows_another_scenario(capsys):
    code, out, _ = run_cli(capsys, "demo", "peer-resets", "--no-pause")
    assert code == 0
    assert "The peer closes the connection" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--pace", "-1"], "--pace must be 0 or more"),
        (["--builds", "pre-fix,pre-fix"], "same build twice"),
        (["--pace", "1", "--no-pause"], "not allowed with"),
    ],
)
def test_demo_bad_usage_is_one_line_exit_2(capsys, argv, message):
    code, out, err = run_cli(capsys, "demo", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err


def test_on_a_terminal_each_step_is_one_cleared_screen():
    steps = demo_steps(sim.load_scenario(None))
    out = io.StringIO()
    present(steps, Console(file=out, width=80, force_terminal=True))
    text = out.getvalue()
    assert text.count("\x1b[2J") == len(steps)
    screens = text.split("\x1b[2J")[1:]
    for number, screen in enumerate(screens, 1):
        assert f" {number}/{len(steps)}  " in screen
    plain = io.StringIO()
    present(steps, Console(file=plain, width=80))
    assert "\x1b" not in plain.getvalue()


def test_one_step_counter(capsys):
    code, out, _ = run_cli(capsys, "demo", "--no-pause")
    assert code == 0
    import re

    counters = re.findall(r" (\d+)/(\d+)  ", out)
    assert counters == [(str(n), "15") for n in range(1, 16)]
    assert "step " not in out.replace("next step", "")


def test_hotfix_narration_explains_the_cancelled_and_late_ok():
    steps = demo_steps(sim.load_scenario(None), ascii_only=True)
    text = " ".join(" ".join(s.narration) for s in steps if s.title.startswith("post-fix"))
    assert "cancels the OK response (a job still queued is withdrawn" in text
    assert "Cancelled, and still produced" in text
    assert "already running on a kernel thread, so it ran to its end" in text


def test_difference_under_load_says_why_the_counts_differ(capsys):
    code, out, _ = run_cli(capsys, "demo", "after-the-storm", "--no-pause")
    assert code == 0
    flat = " ".join(out.split())
    assert "why the counts differ on identical inputs" in flat
    assert "opened 7 vs 16, timed out 43 vs 34" in flat
