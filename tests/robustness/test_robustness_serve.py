"""``mtasim serve`` never loses its session: not to a closed stdout, a full ``--output``, a
SIGHUP, a time scale that races its virtual clock to the year 9999, nor an epoch near it."""

from __future__ import annotations

import io
import os
import re
import selectors
import signal
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
import trio
import trio.testing
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.app import _atomic
from sim.app._run import replay
from sim.app._trace import TraceWriter, verify
from sim.cli import main
from sim.core import latest_micros
from sim.drivers import HORIZON_MARGIN, RealTime
from sim.scenario import model_config

PYTHON = [sys.executable, "-m", "sim"]
HORIZON_MESSAGE = (
    "mtasim serve: the session's virtual clock reached 9999-12-31 23:58:59.999999, a minute "
    "before the last instant an event can carry (year 9999 ends): stopping\n"
)


def start_serve(*args: str, stdout: int = subprocess.PIPE) -> tuple[subprocess.Popen[str], int]:
    """Start ``mtasim serve --port 0 ...``; return the process and the port it announced."""
    proc = subprocess.Popen(
        [*PYTHON, "serve", "--port", "0", *args], stdout=stdout, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = proc.stderr.readline()
            match = re.search(r"listening on 127\.0\.0\.1:(\d+) ", line)
            if match:
                return proc, int(match.group(1))
            if not line:
                break
    proc.kill()
    raise AssertionError(f"serve did not announce its port: {proc.communicate()}")


def peers(port: int, count: int) -> None:
    options = ["--connections", str(count), "--timeout", "0.2", "--rate", "0"]
    result = subprocess.run(
        [*PYTHON, "peer", f"127.0.0.1:{port}", *options],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"timed out {count}," in result.stdout


def replays(trace) -> bool:
    return main(["replay", str(trace), "--check", "-q"]) == 0


def test_a_closed_stdout_does_not_end_the_session(tmp_path):
    trace = tmp_path / "t.jsonl"
    reader, writer = os.pipe()
    proc, port = start_serve(
        "kb319936", "--time-scale", "0.1", "--format", "jsonl", "--record", str(trace),
        stdout=writer,
    )  # fmt: skip
    os.close(writer)
    peers(port, 4)
    assert os.read(reader, 50)  # events arrive (serve ... | head -c 50) ...
    os.close(reader)  # ... and the reader goes away
    peers(port, 4)  # the session goes on
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "the reader of the events went away (broken pipe); the session goes on" in err
    assert "4258 x8, 4283 x8" in err
    assert f"trace written to {trace}" in err
    assert "Traceback" not in err
    assert verify(trace).events == 16
    assert replays(trace)


def test_sighup_and_sigterm_stop_the_session_cleanly(tmp_path):
    for sig in (signal.SIGHUP, signal.SIGTERM):
        trace = tmp_path / f"{sig}.jsonl"
        proc, port = start_serve("kb319936", "--time-scale", "0.1", "--record", str(trace))
        peers(port, 2)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "mtasim serve: stopping\n" in err and "interrupted" not in err
        assert verify(trace).events == 4
        assert replays(trace)


def test_a_full_output_stops_the_session_with_a_complete_trace(tmp_path):
    if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
        pytest.skip("this system has no /dev/full device (a disk that is always full)")
    full = tmp_path / "full"
    full.symlink_to("/dev/full")
    assert _atomic._destination(str(full)) == (str(full), True)  # opened, never renamed over
    trace = tmp_path / "t.jsonl"
    proc, port = start_serve(
        "kb319936", "--time-scale", "0.1", "--output", str(full), "--record", str(trace)
    )
    peers(port, 1)
    _, err = proc.communicate(timeout=60)  # it stops by itself at the first event
    assert proc.returncode == 2, err
    lines = err.splitlines()
    assert lines[0] == "mtasim serve: cannot write the events; stopping"
    assert f"mtasim serve: trace written to {trace}" in lines
    assert lines[-1] == f"mtasim serve: cannot write {full}: No space left on device"
    assert "Traceback" not in err
    assert verify(trace).events == 2
    assert replays(trace)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "t.jsonl"]


def test_a_tiny_time_scale_stops_at_the_horizon_with_a_complete_trace(tmp_path):
    # 1e-12 real seconds per virtual second: 8000 years of virtual time in a quarter second.
    trace = tmp_path / "t.jsonl"
    proc = subprocess.run(
        [*PYTHON, "serve", "--port", "0", "--time-scale", "1e-12", "--record", str(trace)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert HORIZON_MESSAGE in proc.stderr
    assert "Traceback" not in proc.stderr
    assert replays(trace)


def test_an_epoch_near_year_9999_stops_at_the_horizon(tmp_path):
    trace = tmp_path / "t.jsonl"
    late = ["--set", "epoch=9999-12-31T23:00:00", "--time-scale", "0.0001"]
    proc = subprocess.run(
        [*PYTHON, "serve", "--port", "0", *late, "--record", str(trace), "--format", "jsonl"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert HORIZON_MESSAGE in proc.stderr
    assert "session 3540.000 s virtual" in proc.stderr  # 23:00 to 23:59
    assert replays(trace)


def test_an_epoch_that_leaves_no_minute_is_refused_before_listening(capsys, tmp_path):
    trace = tmp_path / "t.jsonl"
    code = main(["serve", "--set", "epoch=9999-12-31T23:59:30", "--record", str(trace)])
    assert code == 2
    # The scenario's own validation refuses it first: its run can reach 51 s (docs/scenarios.md).
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        "mtasim serve: --set epoch=9999-12-31T23:59:30: epoch: the run can reach"
    )
    assert not trace.exists()


def test_a_session_with_no_room_before_the_last_instant_is_refused(capsys, tmp_path):
    # No peers in the scenario: validation has nothing to bound, so serve's own check speaks.
    scenario = tmp_path / "empty.toml"
    scenario.write_text("epoch = 9999-12-31T23:59:30\n")
    trace = tmp_path / "t.jsonl"
    code = main(["serve", str(scenario), "--record", str(trace)])
    assert code == 2
    assert capsys.readouterr().err == (
        "mtasim serve: epoch 9999-12-31T23:59:30: a live session needs more than 60 s of "
        "virtual time before 9999-12-31 23:59:59 (the last instant an event can carry); use an "
        "earlier epoch\n"
    )
    assert not trace.exists()


# -- the clock at the horizon, deterministically (a MockClock jumped by hand) ---------------
LATE = """
name = "late"
seed = 7
epoch = {epoch}
[winsock]
response_timeout = 2.0
[mta]
control_blocks = 3
threads = 1
ok_delay = 1.0
"""


@settings(max_examples=40, deadline=None)
@given(
    st.integers(HORIZON_MARGIN + 1, HORIZON_MARGIN + 30_000_000),
    st.lists(st.tuples(st.sampled_from([0.0, 1e-9, 0.5, 5.0, 1e9]), st.booleans()), max_size=12),
    st.sampled_from([1.0, 1e-6, 1e-12]),
)
def test_no_event_is_stamped_past_what_a_datetime_holds(tmp_path_factory, room, script, scale):
    """A session whose clock runs into the horizon (however fast) logs only representable
    instants, and its trace replays byte for byte."""
    epoch = datetime.max - timedelta(microseconds=room)
    scenario = sim.parse_scenario(LATE.format(epoch=epoch.isoformat()))
    build = scenario.resolved_build
    out = io.StringIO()
    writer = TraceWriter(out, scenario, build)
    stamps: list[datetime] = []

    def on_step(step) -> None:
        stamps.extend(event.timestamp for event in step.events)
        writer.step(step)

    async def session() -> None:
        clock = trio.lowlevel.current_clock()
        model = RealTime(model_config(scenario), build, time_scale=scale, on_step=on_step)
        assert model.horizon == latest_micros(epoch) - HORIZON_MARGIN
        model.start()
        conns: list[int] = []
        for jump, arrive in script:
            clock.jump(jump)
            model.catch_up()
            assert model.now() <= model.horizon
            if arrive or not conns:
                conns.append(model.arrival(500_000, "live"))
            elif model.holds(conns[0]):
                model.close(conns.pop(0))
        clock.jump(1e9)
        model.finish()

    trio.run(session, clock=trio.testing.MockClock(rate=0))
    writer.close()
    # At most the horizon, plus a microsecond per input stamped once the clock stood still.
    last = epoch + timedelta(microseconds=latest_micros(epoch) - HORIZON_MARGIN + 2 * len(script))
    assert all(stamp <= last for stamp in stamps), (stamps[-1], last)
    path = tmp_path_factory.mktemp("late") / "t.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    assert verify(path).events == len(stamps)
    assert replays(path)
    assert len(replay(path).events) == len(stamps)
