"""The live listener on real sockets (127.0.0.1, ephemeral ports): the race, refusals, and
robustness. After every misbehaving peer, a new connection must still be served."""

from __future__ import annotations

import contextlib
import random
import socket

import pytest
import trio
from live_helpers import (
    assert_serving,
    listener,
    open_association,
    read_all,
    scenario,
    send_raw,
)

import sim
from sim.live import ListenerOptions, PeerOptions, run_peers
from sim.wire import (
    DR_CONGESTION,
    ConnectionConfirm,
    Decoder,
    DisconnectRequest,
    encode_cr,
    encode_dt,
    tpkt,
)

# -- the protocol ------------------------------------------------------------------------------


async def test_cc_echoes_the_tsaps_and_the_negotiated_tpdu_size():
    async with listener(max_tpdu=1024) as live:
        stream, cc, _ = await open_association(
            live.port, encode_cr(0x1234, b"SWISSLIFETSAP", b"EXCHANGETSAP1", 8192)
        )
        assert cc.dst_ref == 0x1234 and cc.src_ref != 0
        assert (cc.calling_tsap, cc.called_tsap, cc.tpdu_size) == (
            b"SWISSLIFETSAP",
            b"EXCHANGETSAP1",
            1024,
        )
        assert cc.class_option == 0
        await stream.aclose()
    # The CC went out when the model's OK response was ready; the close is a normal 4258.
    assert live.event_ids() == [4258]
    assert live.events[0].lpi is not None and str(live.events[0].lpi) == "1-15-1"


async def test_no_tpdu_size_means_128_and_segments_both_ways():
    async with listener() as live:
        stream, cc, decoder = await open_association(live.port, encode_cr(7))
        assert cc.tpdu_size == 128 and cc.calling_tsap is None and cc.called_tsap is None
        tsdu = bytes(range(256)) * 3
        # Send it in 125-octet DTs (TPDU size 128), EOT on the last; the echo comes back the same way.
        pieces = [tsdu[i : i + 125] for i in range(0, len(tsdu), 125)]
        for i, piece in enumerate(pieces):
            await stream.send_all(encode_dt(piece, eot=i == len(pieces) - 1))
        got = []
        with trio.fail_after(3):
            while sum(len(d.data) for d in got) < len(tsdu):
                got += decoder.feed(await stream.receive_some(65536))
        assert [len(d.data) for d in got] == [125] * 6 + [18]
        assert [d.eot for d in got] == [False] * 6 + [True]
        assert b"".join(d.data for d in got) == tsdu
        await stream.aclose()
    assert live.server.stats.tsdus == 1
    assert live.server.model.mta.counters.data_units == 1


async def test_a_late_ok_response_loses_to_the_winsock_timer():
    # OK after 3 virtual s, timer after 1: the listener closes the connection before any CC.
    async with listener(scenario(timeout=1.0, ok_delay=3.0)) as live:
        got, closed = await send_raw(live.port, encode_cr(1), limit=2)
        assert (got, closed) == (b"", True)
        await assert_serving_slow(live.port)
    assert live.event_ids()[:2] == [4258, 4283]
    assert live.server.stats.closed_by_timer >= 1
    # Exactly 1 virtual second after the CR reached the model (its arrival), whatever the
    # wall clock did: the timer is the model's, counted from the arrival it recorded.
    first = live.events[0]
    arrival = next(r for r in live.records if r.kind.label == "arrival" and r.conn == 0)
    assert first.t - arrival.t == 1_000_000


async def assert_serving_slow(port: int) -> None:
    """Against a slow MTA, a new connection still gets through the CR (and is timed out)."""
    got, closed = await send_raw(port, encode_cr(2), limit=2)
    assert closed and got == b""


@pytest.mark.parametrize(("build", "expected"), [("pre-fix", [4258, 4283]), ("post-fix", [4258])])
async def test_a_peer_that_gives_up_before_the_cc(build, expected):
    async with listener(scenario(ok_delay=30.0), build) as live:
        summary = await run_peers(
            "127.0.0.1", live.port, PeerOptions(connections=3, rate=0, timeout=0.2)
        )
        assert (summary.timed_out, summary.failed) == (3, 0)
        with trio.fail_after(2):
            while len(live.events) < 3 * len(expected):
                await trio.sleep(0.01)
    assert live.event_ids() == expected * 3
    assert live.server.stats.peer_closed == 3


async def test_a_peer_that_resets_before_the_cc_is_a_close_request_too():
    async with listener(scenario(ok_delay=30.0)) as live:
        summary = await run_peers(
            "127.0.0.1", live.port, PeerOptions(connections=2, rate=0, timeout=0.2, reset=True)
        )
        assert summary.timed_out == 2
        with trio.fail_after(2):
            while len(live.events) < 4:
                await trio.sleep(0.01)
    assert live.event_ids() == [4258, 4283, 4258, 4283]
    assert live.server.stats.peer_reset == 2
    resets = [s for s in live.steps if s.kind.label == "peer_close"]
    assert all(("reset", True) in s.record.detail and s.external for s in resets)


async def test_no_free_control_block_is_a_dr_congestion():
    # 3 blocks: block 0 is the listener's, so two associations, then 9156 and a DR.
    async with listener(scenario(blocks=3)) as live:
        held = [await open_association(live.port) for _ in range(2)]
        stream = await trio.open_tcp_stream("127.0.0.1", live.port)
        await stream.send_all(encode_cr(0x0042))
        got, closed = await read_all(stream)
        assert closed
        (dr,) = Decoder().feed(got)
        assert dr == DisconnectRequest(4, 0x0042, 0, DR_CONGESTION)
        assert got == bytes.fromhex("0300000B06800042000001")
        await stream.aclose()
        for s, _, _ in held:
            await s.aclose()
        with trio.fail_after(2):
            while live.server.model.held:
                await trio.sleep(0.01)
        await assert_serving(live.port)
    assert live.event_ids()[:3] == [9156, 4258, 4258]
    assert live.server.stats.refused_dr == 1


async def test_more_connections_than_the_backlog_and_the_pool_are_refused_cleanly():
    # Backlog 3, a listener that needs 1 virtual s per accept, 4 control blocks, 20 CRs in
    # half a second: the backlog overflow is reset and the pool overflow gets a DR.
    # (The OS listen backlog is set larger than the model's, so that the model refuses.)
    sc = scenario(backlog=3, blocks=4, threads=1, ok_delay=0.5, accept=1.0)
    async with listener(sc, time_scale=0.05, backlog=128) as live:
        summary = await run_peers(
            "127.0.0.1",
            live.port,
            PeerOptions(connections=20, rate=40, timeout=5, hold=0.3, data=0),
        )
        stats = live.server.stats
        assert summary.connections == 20
        assert summary.connected + summary.refused == 20
        assert (summary.failed, summary.timed_out, summary.closed) == (0, 0, 0)
        assert stats.refused_reset > 0 and stats.refused_dr > 0
        assert stats.confirmed + stats.refused_reset + stats.refused_dr == 20
        assert summary.refused == stats.refused_reset + stats.refused_dr
        await assert_serving(live.port)
    model = live.server.model.mta.summary()
    assert model.refused_backlog == stats.refused_reset
    assert model.refused_no_cb == stats.refused_dr == model.count(9156)


async def test_the_connection_cap_resets_the_excess_and_recovers():
    async with listener(max_connections=5) as live:
        silent = []
        for _ in range(8):
            # (A reset can come before connect() even returns: that one was over the cap.)
            with contextlib.suppress(OSError):
                silent.append(await trio.open_tcp_stream("127.0.0.1", live.port))
            await trio.sleep(0.02)
        with trio.fail_after(2):
            while live.server.stats.over_cap < 3:
                await trio.sleep(0.01)
        assert live.server.connections == 5
        assert any("the cap" in line for line in live.logs)
        for s in silent:
            await s.aclose()
        with trio.fail_after(2):
            while live.server.connections:
                await trio.sleep(0.01)
        await assert_serving(live.port)
    assert live.server.stats.over_cap == 3


async def test_a_thousand_connections_in_a_burst():
    sc = scenario(blocks=1250, threads=16, ok_delay=0.02)
    async with listener(sc, max_connections=2000, read_timeout=10.0) as live:
        summary = await run_peers(
            "127.0.0.1",
            live.port,
            PeerOptions(connections=1000, rate=0, timeout=20, data=16, hold=0.0),
        )
        assert summary.connected + summary.refused == 1000, summary.line()
        assert (summary.failed, summary.timed_out, summary.closed) == (0, 0, 0)
        assert summary.connected >= 900
        await assert_serving(live.port)
    assert live.server.stats.protocol_errors == 0
    assert live.server.stats.peak_connections <= 2000


# -- robustness: one bad connection, one log line with the offset, the rest keeps going -------
BAD = [
    ("bad-version", b"\x04\x00\x00\x07\x02\xf0\x80", "bad TPKT version 4", 0),
    ("length-below-minimum", b"\x03\x00\x00\x05\x01\xf0", "below the minimum", 2),
    ("length-above-limit", b"\x03\x00\xff\xff" + b"\x00" * 16, "above the limit", 2),
    ("li-inconsistent", b"\x03\x00\x00\x0b\x20\xe0\x00\x00\x00\x01\x00", "inconsistent", 4),
    ("unknown-code", b"\x03\x00\x00\x07\x02\x30\x80", "unknown TPDU code 0x30", 5),
    ("dt-first", encode_dt(b"hello"), "expected a CR, got a DT", 4),
]


@pytest.mark.parametrize(("name", "data", "message", "offset"), BAD, ids=[b[0] for b in BAD])
async def test_a_malformed_frame_is_logged_closed_and_harmless(name, data, message, offset):
    async with listener() as live:
        got, closed = await send_raw(live.port, data)
        assert closed and got == b""
        await assert_serving(live.port)
    (line,) = live.logs
    assert message in line and f"at byte offset {offset}; closed" in line
    assert line.startswith("connection 0 from 127.0.0.1:")
    assert live.server.stats.protocol_errors == 1
    assert live.event_ids() == [4258]  # only the well-behaved association's close


async def test_dt_before_the_cc_is_a_protocol_error_and_a_close_request():
    async with listener(scenario(ok_delay=30.0)) as live:
        cr = encode_cr(1, b"EAGER")
        got, closed = await send_raw(live.port, cr + encode_dt(b"too soon"))
        assert closed and got == b""
        with trio.fail_after(2):
            while len(live.events) < 2:
                await trio.sleep(0.01)
    (line,) = live.logs
    assert "DT before the CC" in line and f"at byte offset {len(cr) + 4}" in line
    assert "(model connection 0)" in line
    # The NSI got its Close Request while the OK response was pending: 4258 + 4283 (pre-fix).
    assert live.event_ids() == [4258, 4283]
    close = next(r for r in live.records if r.kind.label == "peer_close")
    assert ("cause", "protocol error") in close.detail


async def test_a_second_cr_is_a_protocol_error():
    async with listener() as live:
        stream, _, _ = await open_association(live.port)
        first = len(encode_cr(1, b"TEST", b"MTA", 1024))
        await stream.send_all(encode_cr(2))
        got, closed = await read_all(stream)
        assert closed and got == b""
        await stream.aclose()
        await assert_serving(live.port)
    assert "a second CR" in live.logs[0] and f"at byte offset {first + 4}" in live.logs[0]


@pytest.mark.parametrize("seed", range(4))
async def test_random_bytes(seed):
    junk = random.Random(seed).randbytes(300)
    async with listener() as live:
        _, closed = await send_raw(live.port, junk)
        assert closed
        await assert_serving(live.port)
    assert len(live.logs) == 1 and "; closed" in live.logs[0]


async def test_a_frame_delivered_one_byte_at_a_time():
    async with listener() as live:
        stream = await trio.open_tcp_stream("127.0.0.1", live.port)
        stream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        for byte in encode_cr(9, b"SLOW", b"MTA", 256):
            await stream.send_all(bytes((byte,)))
            await trio.sleep(0.002)
        decoder = Decoder()
        with trio.fail_after(3):
            tpdus = []
            while not tpdus:
                tpdus = decoder.feed(await stream.receive_some(1024))
        assert isinstance(tpdus[0], ConnectionConfirm) and tpdus[0].tpdu_size == 256
        for byte in encode_dt(b"abc"):
            await stream.send_all(bytes((byte,)))
            await trio.sleep(0.002)
        with trio.fail_after(3):
            got = []
            while not got:
                got = decoder.feed(await stream.receive_some(1024))
        assert got[0].data == b"abc"
        await stream.aclose()
    assert live.logs == []


async def test_a_partial_header_then_silence_is_closed_after_the_read_timeout():
    async with listener(read_timeout=1.0) as live:
        began = trio.current_time()
        got, closed = await send_raw(live.port, b"\x03\x00", limit=5)
        waited = trio.current_time() - began
        assert closed and got == b""
        assert waited >= 1.0
        # A silent peer that sends nothing at all, and an incomplete frame after the CC.
        got, closed = await send_raw(live.port, b"", limit=5)
        assert closed
        stream, _, _ = await open_association(live.port)
        await stream.send_all(encode_dt(b"cut")[:5])
        got, closed = await read_all(stream)
        assert closed
        await stream.aclose()
        await assert_serving(live.port)
    assert "read timeout: no complete CR after 1 s (2 octets" in live.logs[0]
    assert "at byte offset 2; closed" in live.logs[0]
    assert "read timeout: no complete CR" in live.logs[1]
    assert "an incomplete TPKT" in live.logs[2]
    assert live.server.stats.read_timeouts == 3


async def test_a_peer_that_sends_but_never_reads_is_bounded_and_closed():
    # The echo queue stops the reader at OUTBOX_LIMIT; a send blocked for the read timeout
    # closes the connection. Memory stays bounded whatever the peer sends.
    async with listener(read_timeout=1.0, max_tpdu=8192) as live:
        stream, cc, _ = await open_association(live.port, encode_cr(1, tpdu_size=8192))
        assert cc.tpdu_size == 8192
        frame = encode_dt(b"x" * 8000)

        async def flood():
            with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                while True:
                    await stream.send_all(frame)

        with trio.fail_after(10):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(flood)
                while not live.logs:
                    await trio.sleep(0.02)
                    for link in live.server._links.values():
                        # OUTBOX_LIMIT, plus the echo of what one read completed (one TSDU at
                        # most, with its DT headers).
                        assert link.outbox_size <= 65536 + 65536 + 8192
                        assert link.wire.buffered <= 8196
                nursery.cancel_scope.cancel()
        await stream.aclose()
        await assert_serving(live.port)
    assert "read nothing for 1 s" in live.logs[0]


async def test_the_listener_listens_on_loopback_unless_told_otherwise():
    assert ListenerOptions().host == "127.0.0.1"
    async with listener() as live:
        assert live.server.port == live.port


async def test_stopping_closes_open_associations_and_finishes_the_model():
    async with listener() as live:
        stream, _, _ = await open_association(live.port)
        live.server.stop()
        _, closed = await read_all(stream)
        assert closed
        await stream.aclose()
    assert live.server.model.finished and live.server.model.mta.quiet
    # The shutdown is a Close Request for the open association: one normal 4258.
    assert live.event_ids() == [4258]
    last = [r for r in live.records if r.kind.label == "peer_close"][-1]
    assert ("cause", "shutdown") in last.detail


def test_tpkt_helper_is_used_by_the_tests():
    assert tpkt(b"\x02\xf0\x80") == encode_dt(b"")


async def test_a_scenario_s_syn_flood_is_played_in_the_model_and_resets_a_real_peer():
    # The flood exists only in the model (docs/live.md): 100 SYNs at 0 hold the half-open
    # table for 189 virtual seconds, so a real peer's connection is reset by the listener.
    flood = '\n[[peers]]\nname = "flood"\nkind = "syn-flood"\ncount = 100\n'
    sc = sim.parse_scenario("[winsock]\nmax_half_open = 100\nsyn_ack_retransmissions = 5\n" + flood)
    async with listener(sc) as live:
        summary = await run_peers(
            "127.0.0.1", live.port, PeerOptions(connections=1, rate=10, timeout=5, data=0)
        )
        assert (summary.connections, summary.refused, summary.connected) == (1, 1, 0)
        assert live.server.stats.refused_reset == 1
    model = live.server.model.mta.summary()
    assert (model.refused_half_open, model.flood_syns, model.events) == (1, 100, 0)
