"""``mtasim compare``: one line on why the builds' counts differ under load."""

from __future__ import annotations

from sim.cli import main


def run_cli(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_says_in_one_line_why_the_counts_differ_under_load(capsys):
    code, out, _ = run_cli(capsys, "compare", "after-the-storm", "--color", "never")
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("why the counts differ")]
    assert lines == [
        "why the counts differ on identical inputs: a Close Request while the OK response is "
        "pending leaves that connection's queued job for a kernel thread on pre-fix (dead "
        "work, rule sp4-dead-work) and withdraws it on post-fix (rule hotfix-withdraws), so "
        "post-fix's threads reach the connections behind it sooner: opened 7 vs 16, timed "
        "out 43 vs 34 (pre-fix vs post-fix)"
    ]


def test_no_such_line_when_the_counts_agree(capsys):
    code, out, _ = run_cli(capsys, "compare", "--color", "never")
    assert code == 0
    assert "why the counts differ" not in out
