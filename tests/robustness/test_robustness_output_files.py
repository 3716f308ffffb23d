"""Output files and stdout: one atomic writer for every output (a symlink keeps being a
symlink, a device or a FIFO is written directly, never renamed over), two options naming one
file refused, a write error in one line without a traceback or a stray temporary file, and a
broken pipe on stdout ending quietly with status 141.

Every file here is inside ``tmp_path``. ``/dev/full`` is reached only through a symlink in
``tmp_path``, and only after checking that the writer opens it for writing (a rename would
replace the symlink in ``tmp_path``, never the device); ``/dev/null`` is only opened."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import sim
from sim.app import _atomic
from sim.cli import main
from sim.testing._hunt import HuntResult

PYTHON = [sys.executable, "-m", "sim"]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def full_device(tmp_path: Path) -> Path:
    """A symlink in tmp_path to /dev/full, once we know the writer opens it directly."""
    if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
        pytest.skip("this system has no /dev/full device (a disk that is always full)")
    link = tmp_path / "full"
    link.symlink_to("/dev/full")
    target, direct = _atomic._destination(str(link))
    assert (target, direct) == (str(link), True), "the writer would rename over the device"
    return link


# -- devices, FIFOs, symlinks -----------------------------------------------------------------
def test_a_fifo_is_written_directly_and_stays_a_fifo(capsys, tmp_path, kb_pre_fix_text):
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:  # returns when the writer opens the FIFO
            received.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    code, out, err = run_cli(capsys, "run", "--output", str(fifo))
    thread.join(timeout=60)
    assert (code, out, err) == (0, "", "")
    assert received == [kb_pre_fix_text.encode()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert names(tmp_path) == ["events.fifo"]


def test_dev_null_is_opened_not_replaced(capsys, tmp_path):
    before = os.stat("/dev/null")
    assert stat.S_ISCHR(before.st_mode)
    code, _, err = run_cli(
        capsys, "run", "--output", "/dev/null", "--record", str(tmp_path / "t.jsonl")
    )
    assert (code, err) == (0, "")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino
    assert names(tmp_path) == ["t.jsonl"]


def test_a_symlink_stays_a_symlink_and_its_target_gets_the_content(
    capsys, tmp_path, kb_pre_fix_text
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "ev0.log"
    target.write_text("old content\n")
    link = tmp_path / "ev0.log"
    link.symlink_to(target)
    code, _, err = run_cli(capsys, "run", "--output", str(link))
    assert (code, err) == (0, "")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == kb_pre_fix_text
    assert names(tmp_path) == ["elsewhere", "ev0.log"]
    assert names(elsewhere) == ["ev0.log"]  # the temporary file was beside the target


def test_a_dangling_symlink_creates_its_target(capsys, tmp_path, kb_pre_fix_text):
    link = tmp_path / "ev0.log"
    link.symlink_to("real.log")
    assert run_cli(capsys, "run", "--output", str(link))[0] == 0
    assert link.is_symlink()
    assert (tmp_path / "real.log").read_text() == kb_pre_fix_text


def test_an_existing_file_keeps_its_old_content_when_the_run_fails(capsys, tmp_path):
    target = tmp_path / "ev0.log"
    target.write_text("old content\n")
    code, _, err = run_cli(capsys, "run", "no-such-scenario", "--output", str(target))
    assert code == 2 and "no-such-scenario" in err
    assert target.read_text() == "old content\n"
    assert names(tmp_path) == ["ev0.log"]


def make_trace(tmp_path: Path) -> Path:
    trace = tmp_path / "in" / "t.jsonl"
    trace.parent.mkdir()
    assert main(["run", "--record", str(trace), "--output", os.devnull]) == 0
    return trace


def make_ev0(tmp_path: Path) -> Path:
    ev0 = tmp_path / "in" / "ev0.log"
    ev0.parent.mkdir(exist_ok=True)
    assert main(["run", "--output", str(ev0)]) == 0
    return ev0


PHASE_MAP_GRID = [
    "phase-map",
    "--x",
    "winsock.response_timeout=1:40:2",
    "--y",
    "mta.ok_delay=1:40:2",
]

# Every command that writes a file goes through the one writer: a symlink given as its
# destination is still a symlink afterwards, and its target holds the output.
WRITERS = {
    "run --output": lambda p, d: ["run", "--output", d],
    "run --record": lambda p, d: ["run", "--record", d, "--output", os.devnull],
    "replay --output": lambda p, d: ["replay", str(make_trace(p)), "--output", d],
    "replay --record": lambda p, d: ["replay", str(make_trace(p)), "-q", "--record", d],
    "convert --output": lambda p, d: ["convert", str(make_ev0(p)), "--output", d],
    "report --output": lambda p, d: ["report", "--output", d],
    "hunt --output": lambda p, d: ["hunt", "--output", d],  # the search itself is stubbed
    "sweep --output": lambda p, d: ["sweep", "--vary", "mta.ok_delay=1:30:3", "--output", d],
    "phase-map --output": lambda p, d: [*PHASE_MAP_GRID, "--output", d],
}


def found(want, build, **_):
    return HuntResult(want, build, None, sim.load_scenario("kb319936"), 1, 1, 0.0, False)


@pytest.mark.parametrize("command", list(WRITERS))
def test_every_output_file_goes_through_the_atomic_writer(capsys, tmp_path, monkeypatch, command):
    if command.startswith("phase-map"):
        pytest.importorskip("matplotlib", reason="phase-map draws with matplotlib")
    if command.startswith("hunt"):
        monkeypatch.setattr("sim.testing._hunt.hunt", found)  # a search takes many seconds
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "real"
    link = tmp_path / "link"
    link.symlink_to(target)
    argv = WRITERS[command](tmp_path, str(link))
    code, _, err = run_cli(capsys, *argv)
    assert code == 0, err
    assert "Traceback" not in err
    assert link.is_symlink()
    assert target.stat().st_size > 0
    assert names(out_dir) == ["real"]


# -- two options, one file --------------------------------------------------------------------
def spellings(tmp_path: Path) -> list[tuple[str, str]]:
    (tmp_path / "sub").mkdir()
    same = tmp_path / "x.out"
    (tmp_path / "alias").symlink_to(same)
    return [
        (str(same), str(same)),
        (str(same), str(tmp_path / "sub" / ".." / "x.out")),
        (str(same), str(tmp_path / "alias")),
    ]


@pytest.mark.parametrize("command", ["run", "replay"])
@pytest.mark.parametrize("spelling", [0, 1, 2], ids=["same", "dotdot", "symlink"])
def test_record_and_output_naming_one_file_are_refused(capsys, tmp_path, command, spelling):
    first, second = spellings(tmp_path)[spelling]
    Path(first).write_text("precious\n")
    args = [command] if command == "run" else ["replay", str(make_trace(tmp_path))]
    code, out, err = run_cli(capsys, *args, "--record", first, "--output", second)
    assert code == 2
    assert out == ""
    assert err == (
        f"mtasim {command}: --output {second} and --record {first} are the same file: one "
        "would replace the other; give them different names\n"
    )
    assert Path(first).read_text() == "precious\n"


def test_a_hard_link_is_the_same_file_too(capsys, tmp_path):
    one = tmp_path / "one"
    one.write_text("precious\n")
    os.link(one, tmp_path / "two")
    code, _, err = run_cli(capsys, "run", "--record", str(one), "--output", str(tmp_path / "two"))
    assert code == 2 and "are the same file" in err
    assert one.read_text() == "precious\n"


def test_serve_refuses_one_file_for_record_and_output(capsys, tmp_path):
    same = str(tmp_path / "x")
    code, _, err = run_cli(capsys, "serve", "--port", "0", "--record", same, "--output", same)
    assert code == 2 and "are the same file" in err
    assert names(tmp_path) == []


def test_dev_null_twice_is_allowed(capsys):
    code, _, err = run_cli(capsys, "run", "--record", "/dev/null", "--output", "/dev/null")
    assert (code, err) == (0, "")


# -- write errors -----------------------------------------------------------------------------
@pytest.mark.parametrize("option", ["--output", "--record"])
def test_a_full_disk_is_one_line_naming_the_file(capsys, tmp_path, option):
    full = full_device(tmp_path)
    other = "--record" if option == "--output" else "--output"
    code, out, err = run_cli(
        capsys, "run", "heavy-load", option, str(full), other, str(tmp_path / "other")
    )
    assert code == 2
    assert out == ""
    assert err == f"mtasim run: cannot write {full}: No space left on device\n"
    assert names(tmp_path) == ["full"]  # the other file was not written either
    assert stat.S_ISCHR(os.stat(full).st_mode) and full.is_symlink()


def test_a_full_disk_in_every_writing_command(capsys, tmp_path):
    full = str(full_device(tmp_path))
    for argv in (
        ["convert", str(make_ev0(tmp_path)), "--output", full],
        ["report", "--output", full],
        ["sweep", "--vary", "mta.ok_delay=1:30:3", "--output", full],
    ):
        code, _, err = run_cli(capsys, *argv)
        expected = f"mtasim {argv[0]}: cannot write {full}: No space left on device\n"
        assert (code, err) == (2, expected)


@pytest.mark.parametrize("option", ["--output", "--record"])
def test_a_name_too_long_is_refused_before_running(capsys, tmp_path, option):
    long_name = str(tmp_path / ("x" * 300))
    code, _, err = run_cli(capsys, "run", option, long_name)
    assert code == 2
    shown = f"{long_name[:100]}...{long_name[-100:]}"  # error lines quote ~200 characters
    assert err == f"mtasim run: cannot write {shown} ({option}): File name too long\n"
    assert names(tmp_path) == []


def test_a_long_name_that_fits_is_written(capsys, tmp_path, kb_pre_fix_text):
    # The temporary name (.NAME.XXXXXXXX.tmp) must fit where NAME fits.
    name = tmp_path / ("x" * 250)
    assert run_cli(capsys, "run", "--output", str(name))[0] == 0
    assert name.read_text() == kb_pre_fix_text
    assert names(tmp_path) == [name.name]


@pytest.mark.parametrize("option", ["--output", "--record"])
def test_a_parent_that_is_a_file_is_one_line(capsys, tmp_path, option):
    (tmp_path / "file").write_text("")
    target = str(tmp_path / "file" / "out.log")
    code, _, err = run_cli(capsys, "run", option, target)
    assert code == 2
    assert err == (
        f"mtasim run: cannot write {target} ({option}): {tmp_path / 'file'} is not a directory\n"
    )
    assert names(tmp_path) == ["file"]


def test_a_directory_as_destination_is_one_line(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "--output", str(tmp_path))
    assert (code, err) == (2, f"mtasim run: cannot write {tmp_path} (--output): Is a directory\n")


def test_a_missing_directory_is_one_line(capsys, tmp_path):
    target = str(tmp_path / "no" / "such" / "t.jsonl")
    code, _, err = run_cli(capsys, "run", "--record", target)
    assert code == 2
    assert err == (
        f"mtasim run: cannot write {target} (--record): no such directory {tmp_path / 'no' / 'such'}\n"
    )


def test_a_write_error_from_python_is_an_oserror_naming_the_file(tmp_path):
    full = full_device(tmp_path)
    with pytest.raises(OSError, match=f"^cannot write {full}: No space left on device$") as err:
        sim.run("heavy-load", record=full)
    assert err.value.errno == 28
    assert names(tmp_path) == ["full"]


# -- argparse errors name the subcommand ------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--bogus"], "mtasim run: error: unrecognized arguments: --bogus (see mtasim run --help)"),
        (["run", "a", "b"], "mtasim run: error: unrecognized arguments: b (see mtasim run --help)"),
        (["replay", "t", "--nope", "x"], "mtasim replay: error: unrecognized arguments: --nope x (see mtasim replay --help)"),
        (["--bogus"], "mtasim: error: unrecognized arguments: --bogus (see mtasim --help)"),
        (["sweep", "--jobs", "x"], "mtasim sweep: error: argument --jobs/-j: invalid int value: 'x' (see mtasim sweep --help)"),
    ],
)  # fmt: skip
def test_usage_errors_name_the_subcommand_in_one_line(capsys, argv, expected):
    code, out, err = run_cli(capsys, *argv)
    assert (code, out, err) == (2, "", expected + "\n")


# -- broken pipe ------------------------------------------------------------------------------
STDOUT_COMMANDS = {
    "run": ["run", "heavy-load"],
    "run --driver batch": ["run", "heavy-load", "--driver", "batch"],
    "replay": ["replay", "TRACE"],
    "compare": ["compare", "heavy-load", "--set", "peers.0.count=1000", "--limit", "0"],
    "convert": ["convert", "EV0"],
    "scenarios": ["scenarios"],
    "show": ["show", "heavy-load"],
    "validate": ["validate", "heavy-load"],
    "timeline": ["timeline"],
    "demo": ["demo", "--no-pause"],
    "sweep": ["sweep", "kb319936", "--vary", "mta.ok_delay=1:30:600"],
    "report": ["report"],
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("inputs")
    trace, ev0 = directory / "t.jsonl", directory / "ev0.log"
    assert main(["run", "heavy-load", "--record", str(trace), "--output", str(ev0)]) == 0
    return {"TRACE": str(trace), "EV0": str(ev0)}


def run_into_pipe(argv: list[str], read: int) -> subprocess.CompletedProcess[bytes]:
    """Run the command with stdout into a pipe whose reader takes ``read`` bytes (0: none)
    and goes away."""
    reader, writer = os.pipe()
    try:
        proc = subprocess.Popen([*PYTHON, *argv], stdout=writer, stderr=subprocess.PIPE)
    finally:
        os.close(writer)
    got = b""
    while len(got) < read:
        chunk = os.read(reader, read - len(got))
        if not chunk:
            break
        got += chunk
    os.close(reader)
    _, err = proc.communicate(timeout=120)
    assert len(got) == read, f"the command wrote only {len(got)} bytes"
    return subprocess.CompletedProcess(argv, proc.returncode, got, err)


#: Commands that write more than a pipe holds (64 KiB): their reader can leave mid-output.
LONG = ["run", "run --driver batch", "replay", "compare", "convert", "sweep"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "read"), [(c, 0) for c in STDOUT_COMMANDS] + [(c, 4096) for c in LONG]
)
def test_a_broken_pipe_ends_quietly_with_status_141(inputs, command, read):
    # read 0: the reader is gone before the first byte; 4096: it goes away mid-output
    # (inside the trio run for run, replay; inside rich's output for compare, demo).
    argv = [inputs.get(a, a) for a in STDOUT_COMMANDS[command]]
    result = run_into_pipe(argv, read)
    assert (result.returncode, result.stderr) == (141, b"")


@pytest.mark.parametrize("command", ["run", "compare", "scenarios"])
def test_a_full_stdout_is_one_line(command):
    if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
        pytest.skip("this system has no /dev/full device (a disk that is always full)")
    with open("/dev/full", "w") as full:  # opened for writing, as a shell redirection does
        proc = subprocess.run(
            [*PYTHON, command], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert (proc.returncode, proc.stderr) == (
        2,
        f"mtasim {command}: cannot write stdout: No space left on device\n",
    )


def test_a_closed_stdout_is_one_line_and_does_not_stop_file_output(tmp_path, kb_pre_fix_text):
    def closed(*argv: str) -> subprocess.CompletedProcess[str]:
        # sh: exec the command with its stdout closed (mtasim run >&-)
        script = 'exec "$@" >&-'
        return subprocess.run(
            ["sh", "-c", script, "sh", *PYTHON, *argv],
            capture_output=True,
            text=True,
            check=False,
        )

    proc = closed("run")
    assert (proc.returncode, proc.stderr) == (
        2,
        "mtasim run: cannot write stdout: Bad file descriptor\n",
    )
    target = tmp_path / "ev0.log"
    proc = closed("run", "--output", str(target))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert target.read_text() == kb_pre_fix_text
