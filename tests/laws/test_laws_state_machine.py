"""A stateful test of POP4 (sans-IO) against a small oracle, on every build."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from pop4_harness import Harness
from sim.core import BUILDS, Effect, EventId, Input, RemoteProtocolError, State

POOL = 5


class NsiAgainstOracle(RuleBasedStateMachine):
    """The oracle: a dict conn -> "opening"/"open", a free-block count, the leaked count, and
    which events each input must log — written from the KB rules, not from the table."""

    @initialize(build=st.sampled_from(BUILDS))
    def start(self, build):
        self.build = build
        self.bug = Effect.LOG_4283 in build.table()[(State.OPENING, Input.CLOSE)].effects
        self.leaks = Effect.LEAK_CB in build.table()[(State.OPENING, Input.CLOSE)].effects
        self.nsi = Harness(build, size=POOL)
        self.states: dict[int, str] = {}
        self.gone: set[int] = set()
        self.leaked = 0
        self.errored = 0
        self.next_conn = 0
        self.t = 0

    def _ids(self, step):
        return step.ids

    @rule()
    def open(self):
        self.t += 1
        conn = self.next_conn
        self.next_conn += 1
        step = self.nsi.open(conn, self.t)
        if len(self.states) + self.leaked + self.errored >= POOL - 1:
            assert step.refused
            assert self._ids(step) == [int(EventId.NO_FREE_CONTROL_BLOCKS)]
        else:
            assert not step.refused
            assert step.effects == (Effect.REQUEST_OK,)
            self.states[conn] = "opening"

    @precondition(lambda self: any(s == "opening" for s in self.states.values()))
    @rule(data=st.data())
    def ok(self, data):
        conn = data.draw(
            st.sampled_from(sorted(c for c, s in self.states.items() if s == "opening"))
        )
        step = self.nsi.ok(conn, self.t)
        assert step.effects == (Effect.SEND_CC,)
        assert self._ids(step) == []
        self.states[conn] = "open"

    @precondition(lambda self: any(s == "open" for s in self.states.values()))
    @rule(data=st.data())
    def data_unit(self, data):
        conn = data.draw(st.sampled_from(sorted(c for c, s in self.states.items() if s == "open")))
        assert self.nsi.data(conn, self.t).effects == (Effect.DELIVER,)

    @precondition(lambda self: bool(self.states))
    @rule(data=st.data())
    def close(self, data):
        self.t += 1
        conn = data.draw(st.sampled_from(sorted(self.states)))
        was = self.states.pop(conn)
        step = self.nsi.close(conn, self.t)
        if was == "opening" and self.bug:
            assert self._ids(step) == [4258, 4283]
            assert all(e.lpi == step.events[0].lpi for e in step.events)
            if self.leaks:
                self.leaked += 1
        else:
            assert self._ids(step) == [4258]
        self.gone.add(conn)

    @precondition(lambda self: bool(self.gone))
    @rule(data=st.data())
    def late_ok(self, data):
        conn = data.draw(st.sampled_from(sorted(self.gone)))
        step = self.nsi.ok(conn, self.t)
        assert step.effects == (Effect.DISCARD,)
        assert step.events == []

    @precondition(lambda self: any(s == "opening" for s in self.states.values()))
    @rule(data=st.data())
    def data_before_cc(self, data):
        conn = data.draw(
            st.sampled_from(sorted(c for c, s in self.states.items() if s == "opening"))
        )
        with pytest.raises(RemoteProtocolError):
            self.nsi.data(conn, self.t)
        assert self.nsi.state(conn) is State.ERROR
        # The connection is dead and keeps its block until the transport tears it down (the
        # live driver does; this test does not), so the oracle counts it apart.
        del self.states[conn]
        self.errored += 1

    @invariant()
    def pool_matches(self):
        if not hasattr(self, "nsi"):
            return
        assert self.nsi.pool.in_use == 1 + len(self.states) + self.leaked + self.errored
        assert self.nsi.pool.leaked == self.leaked


TestNsiAgainstOracle = NsiAgainstOracle.TestCase
