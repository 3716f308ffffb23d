"""Interruption: Ctrl-C, SIGTERM and SIGHUP stop every command alike (temporary files removed,
nothing partial at a destination, exit 128 + N), and an interrupt or an exception at any step
of a trio run leaves it as that one exception (never an exception group, never a
``TrioInternalError``). Signals are sent to real processes; the trio cases are also injected
deterministically, at every kind of step, through a sink."""

from __future__ import annotations

import os
import random
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import trio
import trio.testing

import sim
from sim.core import Kind
from sim.drivers import run_async, run_trio
from sim.drivers._trio import STREAK
from sim.scenario import arrivals, model_config

PYTHON = [sys.executable, "-m", "sim"]
BIG_RUN = ["run", "heavy-load", "--set", "peers.0.count=100000"]
STOPS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
LINUX_PROC = pytest.mark.skipif(
    not Path("/proc/self/status").exists(),
    reason="needs /proc/PID/status (Linux) to see when mtasim has installed its signal handlers",
)


def wait_for(condition, what: str, proc: subprocess.Popen[str], limit: float = 60.0) -> None:
    """Poll ``condition`` (bounded); fail if the process ended first or it never holds."""
    deadline = time.monotonic() + limit
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"the command ended (status {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"no {what} within {limit} s")
        time.sleep(0.02)


def temporaries(directory: Path) -> list[Path]:
    return sorted(directory.glob(".*.tmp"))


def start_big_run(directory: Path) -> subprocess.Popen[str]:
    """``run`` of a long scenario with --record and -o, once both temporary files exist and
    the trace has its first lines."""
    proc = subprocess.Popen(
        [*PYTHON, *BIG_RUN, "--record", "t.jsonl", "-o", "ev0.log"],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def writing() -> bool:
        found = temporaries(directory)
        return len(found) == 2 and all(p.stat().st_size > 0 for p in found)

    wait_for(writing, "both temporary files with content", proc)
    return proc


@pytest.mark.slow
@pytest.mark.parametrize("sig", STOPS, ids=lambda s: signal.Signals(s).name)
def test_a_stop_signal_removes_the_temporary_files_and_exits_128_plus_n(tmp_path, sig):
    proc = start_big_run(tmp_path)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig
    assert (out, err) == ("", "mtasim run: interrupted\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_an_interrupted_run_leaves_the_previous_files_intact(tmp_path):
    (tmp_path / "t.jsonl").write_text("the old trace\n")
    (tmp_path / "ev0.log").write_text("the old log\n")
    proc = start_big_run(tmp_path)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ev0.log", "t.jsonl"]
    assert (tmp_path / "t.jsonl").read_text() == "the old trace\n"
    assert (tmp_path / "ev0.log").read_text() == "the old log\n"


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_delivered_twice_still_cleans_up(tmp_path, sig):
    # GNU timeout signals the command and then its process group: the command gets it twice.
    proc = start_big_run(tmp_path)
    proc.send_signal(sig)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig
    assert err == "mtasim run: interrupted\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_demo_reports_the_signal_it_received():
    proc = subprocess.Popen(
        [*PYTHON, "demo", "--pace", "600", "--ascii"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    assert selector.select(timeout=60), "the demo printed nothing"
    assert proc.stdout.readline()  # the first step is out: it now waits 600 s
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (129, "mtasim demo: interrupted\n")


def handlers_installed(pid: int) -> bool:
    """mtasim's main() has installed its SIGTERM handler (so the command is under way)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1)


@pytest.mark.slow
@LINUX_PROC
def test_real_signals_at_random_moments_of_a_trio_run_never_print_a_traceback():
    # The issue: 16 of 48 trials printed an ExceptionGroup or a TrioInternalError.
    rng = random.Random(319936)
    trials = [signal.SIGINT] * 8 + [signal.SIGTERM] * 4
    for number, sig in enumerate(trials):
        proc = subprocess.Popen(
            [*PYTHON, "compare", "heavy-load", "--set", "peers.0.count=200000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(lambda p=proc: handlers_installed(p.pid), "signal handlers", proc)
        time.sleep(rng.uniform(0.0, 1.5))  # where it lands varies; what must hold does not
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        for word in ("Traceback", "ExceptionGroup", "TrioInternalError"):
            assert word not in err, f"trial {number}: {err}"
        assert (proc.returncode, err) == (128 + sig, "mtasim compare: interrupted\n"), number
        assert out == ""


@pytest.mark.slow
@LINUX_PROC
def test_sigterm_to_a_background_job_of_a_script_is_clean_too(tmp_path):
    # `mtasim run ... & sleep 5; kill $!` in a script: the shell starts the job with SIGINT
    # ignored, so Python (and trio) have no SIGINT handler to hand SIGTERM over to.
    rng = random.Random(143)
    files = ["--record", "t.jsonl", "-o", "ev0.log"]
    for number in range(8):
        proc = subprocess.Popen(
            ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *PYTHON, *BIG_RUN, *files],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(lambda p=proc: handlers_installed(p.pid), "signal handlers", proc)
        time.sleep(rng.uniform(0.0, 2.0))  # where it lands varies; what must hold does not
        proc.send_signal(signal.SIGINT)  # still ignored
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert (proc.returncode, out, err) == (143, "", "mtasim run: interrupted\n"), number
        assert list(tmp_path.iterdir()) == [], number


@pytest.mark.slow
@LINUX_PROC
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_command_on_real_sockets_stops_alike(sig):
    # peer runs its own trio with real sockets (port 1 refuses at once: a slow, endless run)
    proc = subprocess.Popen(
        [*PYTHON, "peer", "127.0.0.1:1", "--connections", "100000", "--rate", "10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: handlers_installed(proc.pid), "signal handlers", proc)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (128 + sig, "", "mtasim peer: interrupted\n")


# A command whose handler is replaced, run as `python -m` (the path the status depends on).
PATCHED_COMMAND = """
import sys
import sim.cli._scenario_cmds as commands

def handler(args):
{body}

commands.scenarios_main = handler
from sim.cli import main
sys.exit(main(["scenarios"]))
"""


def run_patched(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    """``python -m patched`` in ``tmp_path``, found on PYTHONPATH (not through the current
    directory, which PYTHONSAFEPATH=1 leaves off the path: CI's compiled-build run)."""
    (tmp_path / "patched.py").write_text(PATCHED_COMMAND.format(body=body))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "patched"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


INTERRUPTS = {
    # dataclasses, namedtuples... build code from strings: an interrupt there
    "Ctrl-C in string code": ('    exec("raise KeyboardInterrupt", {})', 130),
    "SIGTERM in string code": (
        '    exec("import os, signal, time\\nos.kill(os.getpid(), signal.SIGTERM)\\n'
        'time.sleep(60)", {})',
        143,
    ),
    # making a class wraps what __set_name__ raises in a RuntimeError (Ctrl-C landing while a
    # module is imported: seen under load, in hypothesis' import)
    "Ctrl-C while a class is made": (
        "    class Named:\n"
        "        def __set_name__(self, owner, name):\n"
        "            raise KeyboardInterrupt\n"
        "    class Owner:\n"
        "        field = Named()\n"
        "    return 0",
        130,
    ),
    # a finalizer cannot raise: Python would print "Exception ignored" and go on
    "Ctrl-C in a finalizer": (
        "    class Dying:\n"
        "        def __del__(self):\n"
        "            raise KeyboardInterrupt\n"
        "    Dying()\n"
        "    return 0",
        130,
    ),
}


@pytest.mark.parametrize("case", list(INTERRUPTS))
def test_an_interrupt_anywhere_gives_its_status_and_one_line(tmp_path, case):
    body, status = INTERRUPTS[case]
    proc = run_patched(tmp_path, body)
    assert (proc.returncode, proc.stderr) == (status, "mtasim scenarios: interrupted\n")


def test_an_interrupt_lost_in_a_finalizer_puts_no_output_file_in_place(tmp_path):
    # Seen under load: Ctrl-C landed in a finalizer while `animate` drew, the work went on and
    # race.gif was written, then the command said "interrupted". Now the rename refuses.
    body = (
        "    class Dying:\n"
        "        def __del__(self):\n"
        "            raise KeyboardInterrupt\n"
        "    Dying()\n"
        "    from sim.app._atomic import atomic_text\n"
        "    with atomic_text('out.txt') as out:\n"
        "        out.write('finished work')\n"
        "    print('wrote out.txt', file=sys.stderr)\n"
        "    return 0"
    )
    proc = run_patched(tmp_path, body)
    assert (proc.returncode, proc.stderr) == (130, "mtasim scenarios: interrupted\n")
    left = [p.name for p in tmp_path.iterdir() if p.name not in ("patched.py", "__pycache__")]
    assert left == []  # neither out.txt nor its temporary file


# -- deterministic: an interrupt or an error at every kind of step ----------------------------
SCENARIO = sim.load_scenario("random-arrivals")  # every kind of step occurs


class Injected(Exception):
    pass


@trio.lowlevel.enable_ki_protection
def sigint_in_protected_code() -> None:
    # trio defers a Ctrl-C that lands in protected code and delivers it to the run's main
    # task at its next park: the path on which the dispatcher's abort answer mattered.
    signal.raise_signal(signal.SIGINT)


def raise_ki() -> None:
    raise KeyboardInterrupt


def raise_injected() -> None:
    raise Injected("from a sink")


INJECTIONS = {
    "KeyboardInterrupt": (raise_ki, KeyboardInterrupt),
    "exception": (raise_injected, Injected),
    "real SIGINT": (sigint_in_protected_code, KeyboardInterrupt),
}
needs_main_thread = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread()
    or signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
    reason="a real SIGINT needs the main thread with Python's own Ctrl-C handler",
)


def sink_at(kind: Kind, nth: int, action):
    seen = 0

    def on_step(step) -> None:
        nonlocal seen
        if step.kind is kind:
            seen += 1
            if seen == nth:
                action()

    return on_step


def test_the_scenario_has_every_kind_of_step():
    kinds = set()
    sim.run(SCENARIO, keep=False, on_step=lambda step: kinds.add(step.kind))
    assert kinds == set(Kind)


@needs_main_thread
@pytest.mark.parametrize("nth", [1, 3])
@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.name)
@pytest.mark.parametrize("how", list(INJECTIONS))
def test_an_interrupt_or_error_at_any_step_leaves_run_trio_as_that_exception(how, kind, nth):
    action, expected = INJECTIONS[how]
    with pytest.raises(expected) as caught:
        run_trio(
            model_config(SCENARIO),
            SCENARIO.resolved_build,
            arrivals(SCENARIO),
            sink_at(kind, nth, action),
        )
    assert type(caught.value) is expected, repr(caught.value)


@needs_main_thread
@pytest.mark.parametrize("how", list(INJECTIONS))
def test_sim_run_from_python_raises_the_one_exception_too(how):
    action, expected = INJECTIONS[how]
    events = 0

    def on_event(event) -> None:
        nonlocal events
        events += 1
        if events == 2:
            action()

    with pytest.raises(expected) as caught:
        sim.run(SCENARIO, on_event=on_event)
    assert type(caught.value) is expected, repr(caught.value)


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.name)
def test_cancelling_the_run_at_any_step_follows_trios_abort_protocol(kind):
    # A cancellation delivered while a step is in flight: the run's main task is woken by
    # trio with Cancelled, so the step that finishes afterwards must not pass the baton on.
    async def main() -> bool:
        with trio.CancelScope() as scope:
            await run_async(
                model_config(SCENARIO),
                SCENARIO.resolved_build,
                arrivals(SCENARIO),
                sink_at(kind, 1, scope.cancel),
            )
        return scope.cancelled_caught

    assert trio.run(main, clock=trio.testing.MockClock(rate=0)) is True


def test_the_run_after_an_interrupted_one_is_unchanged():
    # Nothing of an aborted run survives it: the next run is byte for byte the same.
    def text() -> str:
        return sim.render_events(sim.run(SCENARIO).events)

    before = text()
    with pytest.raises(KeyboardInterrupt):
        sim.run(SCENARIO, on_step=sink_at(Kind.OK_READY, 5, raise_ki))
    assert text() == before


def test_exit_status_helpers():
    from sim.cli._exit import EXIT_BROKEN_PIPE, interrupted_status, signal_status

    assert interrupted_status() == 130  # no signal noted: a plain Ctrl-C
    assert [signal_status(s) for s in STOPS] == [130, 143, 129]
    assert EXIT_BROKEN_PIPE == 141


@pytest.mark.slow
@LINUX_PROC
@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["explore", "--output", "e.html"], "explore"),
        (["animate", "--output", "race.gif"], "animate"),
    ],
    ids=["explore", "animate"],
)
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_pictures_stop_alike_and_leave_no_file(tmp_path, command, name, sig):
    # explore runs its grid in worker processes; animate draws frame after frame.
    proc = subprocess.Popen(
        [*PYTHON, *command],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: handlers_installed(proc.pid), "signal handlers", proc)
    time.sleep(1.0)  # inside the work (both take several seconds); where exactly does not matter
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert (proc.returncode, out, err) == (128 + sig, "", f"mtasim {name}: interrupted\n")
    assert list(tmp_path.iterdir()) == []


@needs_main_thread
def test_a_deferred_interrupt_reaches_a_task_that_keeps_the_baton():
    # 2,000 connections at one instant against a backlog of 5: the listener task owns every
    # step at that instant (arrivals, most refused), so no task switch comes for a long run.
    # A Ctrl-C landing in protected code waits for a trio checkpoint: one comes every STREAK
    # steps, and trio runs the task delivering the interrupt before or after the checkpointing
    # one (at random), so it lands within two streaks, not at the end of the run.
    s = sim.parse_scenario(
        """
        [winsock]
        backlog = 5
        [mta]
        accept_time = 0.5
        [[peers]]
        count = 2000
        """
    )
    steps = 0

    def on_step(step) -> None:
        nonlocal steps
        steps += 1
        if steps == 10:
            sigint_in_protected_code()

    with pytest.raises(KeyboardInterrupt):
        run_trio(model_config(s), s.resolved_build, arrivals(s), on_step)
    assert 10 < steps <= 10 + 2 * STREAK < 2000, steps
