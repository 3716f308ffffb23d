"""A live session's trace replays byte for byte, on both drivers, whatever the peers did.

The real-time clock (``RealTime``) is driven here on a MockClock that the test jumps by hand,
with generated peer actions at generated instants (ties included), so the determinism argument
of ``docs/live.md`` is checked on many sessions without sockets.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
import trio
import trio.testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.app._run import replay
from sim.app._trace import TraceWriter, recorded_externals, verify
from sim.core import CloseOnTimeout, External, Kind, Refuse, SendCC
from sim.drivers import RealTime
from sim.scenario import model_config

SCENARIO = """
name = "live-test"
seed = 4
epoch = 2002-02-26T14:00:00
[winsock]
response_timeout = {timeout}
backlog = {backlog}
[mta]
control_blocks = {blocks}
open_associations = {open}
threads = {threads}
accept_time = {accept}
ok_delay = 1.0
logging = "{logging}"
"""


@dataclass
class Recorder:
    """The socket side of a session, as far as the model is concerned."""

    cc: list[int] = field(default_factory=list)
    gone: dict[int, str] = field(default_factory=dict)

    def step(self, step) -> None:
        for action in step.actions:
            if isinstance(action, SendCC):
                self.cc.append(action.conn)
            elif isinstance(action, Refuse):
                self.gone[action.conn] = action.reason.value
            elif isinstance(action, CloseOnTimeout):
                self.gone[action.conn] = "response timeout"


actions = st.one_of(
    st.just(("arrive",)),
    st.tuples(st.just("data"), st.integers(0, 30), st.integers(1, 3)),
    st.tuples(st.just("close"), st.integers(0, 30), st.booleans()),
)
scripts = st.lists(
    st.tuples(st.sampled_from([0, 0, 1, 999, 250_000, 1_000_000, 3_000_000]), actions),
    max_size=40,
)
settings_ = st.fixed_dictionaries(
    {
        "timeout": st.sampled_from([1.0, 2.5, 21.0]),
        "backlog": st.integers(1, 4),
        "blocks": st.integers(2, 6),
        "open": st.integers(0, 1),
        "threads": st.integers(1, 3),
        "accept": st.sampled_from([0.0, 0.000001, 0.3]),
        "logging": st.sampled_from(["maximum", "minimum"]),
    }
)


def live_session(scenario, build, script, services, scale):
    """Run a scripted live session; return the trace text."""
    out = io.StringIO()
    writer = TraceWriter(out, scenario, build)
    recorder = Recorder()

    async def main():
        clock = trio.lowlevel.current_clock()

        def on_step(step):
            writer.step(step)
            recorder.step(step)

        model = RealTime(model_config(scenario), build, time_scale=scale, on_step=on_step)
        model.start()
        conns: list[int] = []
        for (delay, action), service in zip(script, services, strict=False):
            clock.jump(delay / 1e6)
            model.catch_up()
            if action[0] == "arrive":
                conns.append(model.arrival(service, "live"))
            elif conns:
                conn = conns[action[1] % len(conns)]
                if conn in recorder.gone or not model.holds(conn):
                    continue
                if action[0] == "data":
                    if conn in recorder.cc:
                        model.data(conn, action[2])
                else:
                    model.close(conn, reset=action[2])
        clock.jump(1.0)
        model.catch_up()
        model.finish()

    trio.run(main, clock=trio.testing.MockClock(rate=0))
    writer.close()
    return out.getvalue()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    settings_,
    st.sampled_from(["pre-fix", "post-fix", "post-sp3"]),
    scripts,
    st.lists(st.integers(0, 4_000_000), min_size=40, max_size=40),
    st.sampled_from([1.0, 0.1, 0.037]),
)
def test_live_sessions_replay_byte_for_byte_on_both_drivers(
    tmp_path_factory, knobs, build_name, script, services, scale
):
    scenario = sim.parse_scenario(SCENARIO.format(**knobs))
    build = sim.resolve_build(build_name)
    scenario = scenario.with_build(build)
    text = live_session(scenario, build, script, services, scale)
    path = tmp_path_factory.mktemp("live") / "live.jsonl"
    path.write_text(text, encoding="utf-8")
    verify(path)
    for driver in ("trio", "batch"):
        again = path.with_name(f"again-{driver}.jsonl")
        replay(path, driver=driver, record=again, keep=False)
        assert again.read_text(encoding="utf-8") == text, driver
    # Another build replays without error on the same external inputs.
    other = "post-fix" if build_name != "post-fix" else "pre-fix"
    replay(path, other, driver="batch", keep=False)


def test_external_inputs_are_marked_and_strictly_ordered(tmp_path):
    scenario = sim.parse_scenario(
        SCENARIO.format(
            timeout=21.0, backlog=4, blocks=6, open=0, threads=1, accept=0.0, logging="maximum"
        )
    ).with_build("pre-fix")
    build = sim.resolve_build("pre-fix")
    # Three arrivals and a close at the same real instant: each gets its own microsecond.
    script = [(0, ("arrive",)), (0, ("arrive",)), (0, ("arrive",)), (0, ("close", 1, True))]
    text = live_session(scenario, build, script, [5_000_000] * 4, 1.0)
    path = tmp_path / "t.jsonl"
    path.write_text(text)
    externals = list(recorded_externals(path))
    assert [(e.t, e.kind, e.conn) for e in externals] == [
        (0, Kind.ARRIVAL, 0),
        (1, Kind.ARRIVAL, 1),
        (2, Kind.ARRIVAL, 2),
        (3, Kind.PEER_CLOSE, 1),
        # finish() (1 s later): the connections still held are closed, in order.
        (1_000_000, Kind.PEER_CLOSE, 0),
        (1_000_001, Kind.PEER_CLOSE, 2),
    ]
    assert externals[3].detail == (("reset", True),)
    assert externals[4].detail == (("cause", "shutdown"),)
    assert '"peer":"live","service":5000000,"hold":null,"give_up":null' in text
    assert text.count('"external":true') == 6
    again = tmp_path / "again.jsonl"
    replay(path, record=again, keep=False)
    assert again.read_text() == text


@pytest.mark.parametrize("scale", [0.0, -1.0, float("inf"), float("nan")])
def test_time_scale_must_be_positive(scale):
    scenario = sim.load_scenario()
    with pytest.raises(ValueError, match="time_scale"):
        RealTime(model_config(scenario), sim.resolve_build("pre-fix"), time_scale=scale)


def test_inject_refuses_what_is_not_an_external_input():
    model = sim.core.Model(model_config(sim.load_scenario()), sim.resolve_build("pre-fix"))
    with pytest.raises(ValueError, match="not an external input"):
        model.outside.inject(External(0, Kind.OK_READY, 0))
    with pytest.raises(ValueError, match="units"):
        model.outside.inject(External(0, Kind.PEER_DATA, 0))
