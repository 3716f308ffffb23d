"""Accept errors (rule ``accept-error``): a connection whose peer ends it while it waits in the
listen backlog makes the listener's accept fail with WSAECONNRESET, and the MTA logs 9202 in
every form; nothing of it reaches POP4."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.core import EventId
from sim.render import parse, render
from sim.scenario import MtaSettings, PeerGroup, Scenario, WinsockSettings

FORMS = ("ev0", "eventviewer", "jsonl")


@pytest.mark.parametrize("build", ["pre-fix", "post-fix", "post-sp3", "sp5"])
def test_accept_resets_logs_one_9202_per_connection_ended_in_the_backlog(build):
    result = sim.run("accept-resets", build)
    errors = [e for e in result.events if e.event_id is EventId.ACCEPT_ERROR]
    assert len(errors) == result.summary.abandoned_in_backlog == 6
    assert [e.seconds for e in errors] == [6.0, 8.0, 10.0, 12.0, 14.0, 16.0]
    assert {(e.cb, e.error_code) for e in errors} == {(0, 10054)}
    assert result.summary.cb_in_use == 1  # the listener's: no block was taken for them


def test_9202_prints_in_every_form_and_reads_back():
    events = sim.run("accept-resets").events
    ev0 = render(list(events), "ev0")
    assert (
        "message NMI9202: Internal Operating System Error, severity 12\n\n"
        "       (BASE IL TCP/IP DRVR(8) Proc 256) 02-26-02 02:43:35pm\n"
        "       accept() call failed on CB 0\n"
        "       Socket error 10054\n"
    ) in ev0
    viewer = render(list(events), "eventviewer")
    assert "Event Category:\tOperating System\nEvent ID:\t9202\n" in viewer
    assert (
        "A sockets error 10054 on an accept() call was detected. Control block index: 0. "
        "[BASE IL TCP/IP DRVR 8 256] (12)"
    ) in viewer
    for form in FORMS:
        back = parse(render(list(events), form), form, sim.load_scenario("accept-resets").epoch)
        assert [e.event_id for e in back] == [e.event_id for e in events]
        assert [(e.cb, e.error_code) for e in back] == [(e.cb, e.error_code) for e in events]


def test_9202_is_written_at_every_interface_logging_level():
    result = sim.run(sim.load_scenario("accept-resets", ["mta.logging=none"]))
    assert result.summary.count(EventId.ACCEPT_ERROR) == 6


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 30),
    accept_time=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    give_up=st.sampled_from([0.5, 1.0, 3.0, 7.0]),
    backlog=st.integers(1, 10),
    close=st.sampled_from(["close", "reset"]),
)
def test_every_connection_is_accepted_refused_or_fails_its_accept(
    count, accept_time, give_up, backlog, close
):
    scenario = Scenario(
        winsock=WinsockSettings(backlog=backlog),
        mta=MtaSettings(accept_time=accept_time, ok_delay=0.2),
        peers=(PeerGroup(count=count, give_up=give_up, close=close),),
    )
    s = sim.run(scenario, driver="batch").summary
    assert s.count(EventId.ACCEPT_ERROR) == s.abandoned_in_backlog
    assert s.accepted + s.abandoned_in_backlog + s.refused_backlog == s.connections == count
    assert sim.run(scenario, driver="trio").summary == s
