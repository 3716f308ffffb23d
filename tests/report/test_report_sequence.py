"""The per-connection sequence model: rows, spans, the race and its tie rule, event links."""

from __future__ import annotations

import pytest

import sim
from sim.core import EventId, Lpi
from sim.core import duration_text as duration
from sim.core import seconds_text as seconds
from sim.report import (
    Action,
    Arrow,
    Lane,
    SpanKind,
    Winner,
    capture,
    conn_for_lpi,
    connections,
    default_conn,
    interesting_conns,
    sequence,
)
from sim.report._sequence import describe

S = 1_000_000


def kb(build: str = "pre-fix", *overrides: str, name: str | None = None):
    return capture(sim.load_scenario(name, list(overrides)), build)


def actions(seq):
    return [row.action for row in seq.rows]


def test_kb_pre_fix_rows_in_the_models_order():
    seq = sequence(kb(), 0)
    assert [(row.t, row.action) for row in seq.rows] == [
        (0, Action.CONNECT),
        (0, Action.ACCEPT),
        (0, Action.REQUEST_OK),
        (0, Action.TIMER_START),
        (0, Action.WORK_START),
        (21 * S, Action.TIMER_FIRES),
        (21 * S, Action.CLOSE_REQUEST),
        (21 * S, Action.EVENT),
        (21 * S, Action.EVENT),
        (21 * S, Action.TCP_CLOSE),
        (30 * S, Action.OK_RESPONSE),
        (30 * S, Action.OK_DISCARDED),
    ]
    assert seq.lpi == Lpi(1, 15, 12)
    assert seq.event_ids == (4258, 4283)
    assert [row.event.event_id for row in seq.rows if row.event] == [
        EventId.NSI_MESSAGE_RECEIVED,
        EventId.BAD_LPI,
    ]
    # Wall-clock time of each row: the KB's 02:43:50pm at the deadline.
    assert seq.rows[5].timestamp.strftime("%H:%M:%S") == "14:43:50"


def test_kb_pre_fix_race_timer_wins_ok_loses():
    seq = sequence(kb(), 0)
    race = seq.race
    assert race.winner is Winner.TIMER
    assert (race.deadline, race.ok_at, race.decided_at) == (21 * S, 30 * S, 21 * S)
    assert race.margin == -9 * S
    assert race.in_nsi
    won = [row.action for row in seq.rows if row.won]
    lost = [row.action for row in seq.rows if row.lost]
    assert won == [Action.TIMER_FIRES]
    assert lost == [Action.OK_RESPONSE]
    assert "9 s late" in race.summary()


def test_kb_spans_timer_until_it_fires_kernel_until_the_late_ok():
    seq = sequence(kb(), 0)
    timer, work = seq.spans
    assert (timer.kind, timer.lane) == (SpanKind.TIMER, Lane.WINSOCK)
    assert seq.rows[timer.start].action is Action.TIMER_START
    assert seq.rows[timer.end].action is Action.TIMER_FIRES
    assert not timer.lost and not timer.open_end
    assert (work.kind, work.lane) == (SpanKind.WORK, Lane.KERNEL)
    assert seq.rows[work.start].action is Action.WORK_START
    assert seq.rows[work.end].action is Action.OK_RESPONSE
    assert work.lost


def test_post_fix_same_race_4258_alone_and_the_pending_ok_cancelled():
    pre, post = sequence(kb(), 0), sequence(kb("post-fix"), 0)
    assert post.race == pre.race
    assert post.event_ids == (4258,)
    assert Action.OK_CANCELLED in actions(post)
    assert Action.OK_CANCELLED not in actions(pre)


def test_post_sp3_shows_the_leaked_control_block():
    seq = sequence(kb("post-sp3"), 0)
    leaked = [row.label for row in seq.rows if row.action is Action.CB_LEAKED]
    assert leaked == ["control block 12 never returned"]


def test_tie_rule_ok_ready_exactly_at_the_deadline_is_in_time():
    seq = sequence(kb(name="tie-at-deadline"), 0)
    assert seq.race.winner is Winner.OK
    assert seq.race.margin == 0
    assert "tie rule" in seq.race.summary()
    assert 4283 not in seq.event_ids
    ok = next(row for row in seq.rows if row.action is Action.OK_RESPONSE)
    assert ok.won and not ok.lost and ok.t == 21 * S
    assert ok.label == "OK response at the deadline"
    timer = next(span for span in seq.spans if span.kind is SpanKind.TIMER)
    assert timer.lost
    assert seq.rows[timer.end].action is Action.TIMER_STOP
    assert Action.TIMER_FIRES not in actions(seq)


def test_one_microsecond_late_loses_the_race():
    seq = sequence(kb("pre-fix", "mta.ok_delay=21.000001", name="tie-at-deadline"), 0)
    assert seq.race.winner is Winner.TIMER
    assert seq.race.margin == -1
    assert seq.event_ids == (4258, 4283)
    ok = next(row for row in seq.rows if row.action is Action.OK_RESPONSE)
    assert ok.label == "OK response, 1 µs late"


def test_ok_in_time_sends_the_cc_and_stops_the_timer():
    seq = sequence(kb("pre-fix", "mta.ok_delay=20"), 0)
    assert seq.race.winner is Winner.OK
    assert seq.race.margin == 1 * S
    assert actions(seq)[5:8] == [Action.OK_RESPONSE, Action.CC, Action.TIMER_STOP]
    cc = seq.rows[6].item
    assert isinstance(cc, Arrow) and (cc.src, cc.dst) == (Lane.NSI, Lane.PEER)
    assert seq.event_ids == (4258,)  # the peer's normal close later


def test_events_are_partitioned_between_connections_and_match_the_race():
    log = kb(name="heavy-load")
    seqs = [sequence(log, conn) for conn in connections(log)]
    assert sum(len(seq.events) for seq in seqs) == len(log.events)
    for seq in seqs:
        # On SP4, a 4283 is logged exactly when the timer won while the NSI held the
        # connection (a peer close can also cause one, but heavy-load peers never give up).
        assert (4283 in seq.event_ids) == (seq.race.winner is Winner.TIMER and seq.race.in_nsi)
        for event in seq.events:
            assert event.lpi == seq.lpi


def test_rows_are_in_time_order_and_spans_in_range():
    for name in ("kb319936", "peer-resets", "slow-links", "backlog-overflow"):
        for build in ("pre-fix", "post-fix", "post-sp3"):
            log = kb(build, name=name)
            for conn in connections(log):
                seq = sequence(log, conn)
                times = [row.t for row in seq.rows]
                assert times == sorted(times)
                for span in seq.spans:
                    assert 0 <= span.start <= span.end < len(seq.rows)


def test_backlog_refusal_is_no_race():
    log = kb(name="backlog-overflow")
    refused = [
        seq
        for seq in (sequence(log, c) for c in connections(log))
        if Action.REFUSED_BACKLOG in actions(seq)
    ]
    assert len(refused) == 55
    assert all(seq.race.winner is Winner.NONE and not seq.spans for seq in refused)


def test_a_peer_that_gives_up_first_wins_the_race_for_itself():
    log = kb(name="peer-resets")
    seq = sequence(log, first_4283(log))
    assert seq.race.winner is Winner.PEER
    assert seq.event_ids == (4258, 4283)
    assert "TCP reset" in [row.label for row in seq.rows]


def first_4283(log):
    return next(c for e, c in zip(log.events, log.event_conns, strict=True) if e.event_id == 4283)


def test_choosing_connections():
    log = kb(name="heavy-load")
    first = default_conn(log)
    assert first == first_4283(log)
    lpi = sequence(log, first).lpi
    assert conn_for_lpi(log, lpi) <= first
    assert conn_for_lpi(log, Lpi(1, 15, 999)) is None
    picks = interesting_conns(log)
    assert picks[0] == first
    assert any(sequence(log, c).race.winner is Winner.OK for c in picks)
    healthy = kb(name="healthy")
    assert default_conn(healthy) == 0  # no 4283: the first connection


def test_unknown_connection_is_a_key_error():
    with pytest.raises(KeyError):
        sequence(kb(), 7)


def test_pure_same_log_same_sequence_and_drivers_agree():
    log = kb(name="peer-resets")
    assert describe(sequence(log, 3)) == describe(sequence(log, 3))
    trio_log = capture(sim.load_scenario("peer-resets"), "pre-fix", driver="trio")
    assert trio_log.steps == log.steps


def test_time_formatting_is_exact():
    assert seconds(21_000_001) == "21.000001 s"
    assert seconds(21 * S) == "21 s"
    assert duration(1) == "1 µs"
    assert duration(-9 * S) == "-9 s"
    assert duration(500_000) == "0.5 s"
