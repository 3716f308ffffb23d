"""The half-open table (sim/core/_halfopen.py, rules ``half-open-full`` and ``half-open-tie``):
a SYN flood's SYN at t holds its slot until exactly t + the SYN-ACK schedule; a connection
request that finds the table full is reset, counted and traced, and logs nothing. Exact
virtual times, both drivers, and the table against an oracle that plays every drop, flood SYN
and request as an occurrence of its own."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.core import Counters, HalfOpenConfig, HalfOpenTable, Kind, Refusal, Refuse

S = 1_000_000
DRIVERS = ("batch", "trio")


def _table(syns, limit=1, lifetime=21 * S):
    counters = Counters()
    return HalfOpenTable(HalfOpenConfig(limit, lifetime, lambda: iter(syns)), counters), counters


def test_a_flood_syn_holds_its_slot_until_exactly_its_time_plus_the_schedule():
    table, _ = _table([0])
    assert table.refuses(21 * S - 1)
    table, _ = _table([0])
    assert not table.refuses(21 * S)  # the tie: the slot is freed before the request


def test_a_flood_syn_of_the_same_instant_takes_the_freed_slot_first():
    table, counters = _table([0, 21 * S])
    assert table.refuses(21 * S)
    assert (counters.flood_syns, counters.flood_reset, counters.refused_half_open) == (2, 0, 1)


def test_a_flood_syn_and_a_request_at_one_instant_the_flood_first():
    table, _ = _table([5 * S])
    assert not table.refuses(5 * S - 1)
    assert table.refuses(5 * S)


def test_flood_syns_that_find_the_table_full_are_reset_and_take_no_slot():
    table, counters = _table([0, S, 2 * S, 3 * S], limit=2, lifetime=3 * S)
    table.finish()
    # 0 and 1 s take the slots; 2 s is reset; at 3 s the slot of 0 s is free again.
    assert (counters.flood_syns, counters.flood_reset) == (4, 1)
    assert table.occupancy == 2


def _oracle(syns, limit, lifetime, t):
    """Every drop, flood SYN and the request as occurrences (time, priority): drops first,
    then the floods' SYNs, then the request. Whether the request is reset."""
    events = [(s, 1) for s in syns if s <= t] + [(t, 2)]
    held: list[int] = []
    pending = sorted(events)
    while pending:
        when, what = pending.pop(0)
        if what == 0:
            held.remove(when)
        elif what == 1:
            if len(held) < limit:
                held.append(when + lifetime)
                pending.append((when + lifetime, 0))
                pending.sort()
        else:
            return len(held) >= limit
    raise AssertionError("the request never came")


@given(
    syns=st.lists(st.integers(0, 40), max_size=30).map(sorted),
    limit=st.integers(1, 5),
    lifetime=st.sampled_from([3, 9, 21]),
    asks=st.lists(st.integers(0, 60), min_size=1, max_size=10).map(sorted),
)
def test_the_table_agrees_with_an_oracle_of_occurrences(syns, limit, lifetime, asks):
    table, counters = _table([s * S for s in syns], limit, lifetime * S)
    got = [table.refuses(t * S) for t in asks]
    assert got == [_oracle(syns, limit, lifetime, t) for t in asks]
    assert counters.refused_half_open == sum(got)


FLOOD_AT_ZERO = """
[winsock]
max_half_open = 100
syn_ack_retransmissions = {retx}
[[peers]]
name = "flood"
kind = "syn-flood"
count = 100
[[peers]]
name = "early"
at = {early}
hold = 0.0
[[peers]]
name = "on-time"
at = {on_time}
hold = 0.0
"""


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(("retx", "lifetime"), [(0, 3), (2, 21), (3, 45)])
def test_a_run_resets_a_request_until_the_instant_the_flood_s_slots_are_freed(
    driver, retx, lifetime
):
    # 100 flood SYNs at 0 fill the table until exactly `lifetime`: a request 1 µs before is
    # reset by the stack (no event, no accept); one at that instant is accepted.
    text = FLOOD_AT_ZERO.format(retx=retx, early=lifetime - 0.000001, on_time=float(lifetime))
    result = sim.run(sim.parse_scenario(text), "pre-fix", driver=driver)
    arrivals = [s for s in result.steps if s.kind is Kind.ARRIVAL]
    assert [(s.t, s.conn, s.record.get("refused")) for s in arrivals] == [
        (lifetime * S - 1, 0, "half-open table full"),
        (lifetime * S, 1, None),
    ]
    assert arrivals[0].actions == (Refuse(0, Refusal.HALF_OPEN),)
    assert arrivals[0].events == ()
    assert [(s.t, s.conn) for s in result.steps if s.kind is Kind.ACCEPT] == [(lifetime * S, 1)]
    summary = result.summary
    assert (summary.refused_half_open, summary.flood_syns, summary.flood_reset) == (1, 100, 0)
    assert summary.refused == 1 and summary.accepted == 1
    assert [int(e.event_id) for e in result.events] == [4258]  # the accepted one's close


def test_without_a_flood_the_table_never_resets():
    result = sim.run(sim.parse_scenario("[[peers]]\ncount = 300\nhold = 0.0\n"), "pre-fix")
    assert result.summary.refused_half_open == 0
    assert result.summary.flood_syns == 0


@pytest.mark.parametrize("build", ["pre-fix", "post-fix", "post-sp3", "sp5"])
def test_the_bundled_syn_flood_resets_the_same_four_requests_on_every_build(build):
    result = sim.run("syn-flood", build)
    refused = [s.t for s in result.steps if s.record.get("refused") == "half-open table full"]
    assert refused == [12 * S, 17 * S, 22 * S, 27 * S]
    assert not any(s.events for s in result.steps if s.kind is Kind.ARRIVAL)


def test_a_flood_past_until_sends_no_syn_after_it():
    text = '[[peers]]\nkind = "syn-flood"\ncount = 50\ninterval = 1.0\n'
    result = sim.run(sim.parse_scenario("until = 9.5\n" + text), "pre-fix")
    assert result.summary.flood_syns == 10  # 0..9 s


def test_a_summary_taken_mid_run_plays_the_rest_on_copies_and_changes_nothing():
    # Limit 2, 3 s: 0 and 1 s take the slots, 2 s is reset, 3 s and 4 s take the slots that
    # 0 s and 1 s free at those very instants.
    syns = [0, S, 2 * S, 3 * S, 4 * S]
    table, counters = _table(syns, limit=2, lifetime=3 * S)
    assert table.refuses(S)
    settled = table.settled()
    assert (settled.flood_syns, settled.flood_reset, settled.refused_half_open) == (5, 1, 1)
    assert (counters.flood_syns, counters.flood_reset) == (2, 0)  # the run's own, untouched
    assert table.refuses(2 * S)  # and the table still answers as it would have
    assert table.refuses(3 * S)  # the flood SYN of 3 s took the slot freed at 3 s
    assert table.refuses(4 * S + 1)  # 3 s and 4 s hold them until 6 s and 7 s
    assert not table.refuses(6 * S)
    table.finish()
    assert (counters.flood_syns, counters.flood_reset, counters.refused_half_open) == (5, 1, 4)
