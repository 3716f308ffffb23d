"""``mtasim run`` end to end, in-process and as a real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sim.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_without_arguments_prints_the_kb_blocks_and_nothing_else(capsys, kb_pre_fix_text):
    code, out, err = run_cli(capsys, "run")
    assert (code, out, err) == (0, kb_pre_fix_text, "")


def test_post_fix_prints_the_4258_block_alone(capsys, kb_post_fix_text):
    assert run_cli(capsys, "run", "--build", "post-fix") == (0, kb_post_fix_text, "")


def test_jsonl_is_one_object_per_line(capsys):
    code, out, _ = run_cli(capsys, "run", "--format", "jsonl")
    assert code == 0
    lines = out.splitlines()
    assert [json.loads(line)["event_id"] for line in lines] == [4258, 4283]


def test_output_file_is_written(capsys, tmp_path, kb_pre_fix_text):
    target = tmp_path / "ev0.log"
    code, out, _ = run_cli(capsys, "run", "--output", str(target))
    assert (code, out) == (0, "")
    assert target.read_text() == kb_pre_fix_text
    assert [p.name for p in tmp_path.iterdir()] == ["ev0.log"]


def test_missing_file_is_one_line_and_exit_2(capsys, tmp_path):
    target = tmp_path / "out.log"
    code, out, err = run_cli(capsys, "run", "missing.toml", "--output", str(target))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "missing.toml: no such file or bundled scenario" in err
    assert not target.exists()


def test_bad_scenario_leaves_no_output_file(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[winsock]\nresponse_timeout = -1\n")
    target = tmp_path / "out.log"
    code, _, err = run_cli(capsys, "run", str(bad), "--output", str(target))
    assert code == 2
    assert err == (
        f"mtasim run: {bad}:2: winsock.response_timeout: found integer -1; expected a number of "
        "seconds or inf > 0 and <= 31622400\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--build", "sp9"], "unknown build 'sp9'"),
        (["run", "--format", "xml"], "invalid choice: 'xml'"),
        (["run", "--seed", "x"], "invalid int value: 'x'"),
        (["run", "--seed", "-1"], "--seed -1: seed: found integer -1; expected an integer >= 0"),
        (["run", "--set", "mta.ok_dely=3"], "did you mean 'mta.ok_delay'?"),
        (["run", "--set", "mta.ok_delay=soon"], "'soon' is not a number of seconds"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors exit from parse_args
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err


def test_no_command_prints_help_and_exits_2(capsys):
    code, out, err = run_cli(capsys)
    assert (code, out) == (2, "")
    assert "usage: mtasim" in err


def test_set_overrides_the_race_knobs(capsys):
    code, out, _ = run_cli(capsys, "run", "--set", "mta.ok_delay=10")
    assert code == 0
    assert "4283" not in out
    assert "02:43:44pm" in out  # OK at 10 s, the peer closes 5 s later: 14:43:29 + 15 s


@pytest.mark.parametrize("module", [True, False], ids=["python -m sim", "mtasim script"])
def test_the_real_command(module, kb_pre_fix_text):
    if module:
        argv = [sys.executable, "-m", "sim"]
    else:
        script = os.path.join(os.path.dirname(sys.executable), "mtasim")
        if not os.path.exists(script):
            pytest.skip("the mtasim console script is not installed in this environment")
        argv = [script]
    done = subprocess.run([*argv, "run"], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, kb_pre_fix_text, "")
    version = subprocess.run([*argv, "--version"], capture_output=True, text=True, check=False)
    assert version.stdout.startswith("mtasim ")
    missing = subprocess.run(
        [*argv, "run", "missing.toml"], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "Traceback" not in missing.stderr
