"""A scenario's peers, played by ``mtasim peer --scenario`` against a hand-written RFC 1006
listener, do what their ``ConnSpec`` says, as the simulated peers do (``sim.core._connspec``):
the peer's timer fires at ``last_cc()``, its close reaches the listener at ``give_up_at()``
unless the listener refuses or closes the connection first; after a CC in time, its data at
``data_at()`` and its close at ``close_after()``.

The time scale is 1, so the scenario's seconds are real ones; every instant the listener acts
at is a second or more from the peer's instants that decide the outcome (``last_cc`` at 1 s,
``give_up_at`` at 3 s), and times are only checked as lower bounds, which a slow machine
cannot break.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import struct
from dataclasses import dataclass

import trio

import sim
from sim.live import play_scenario
from sim.scenario import arrivals
from sim.wire import ConnectionRequest, Data, Decoder, encode_cc, encode_dr

# Every group's peer is 1 s away each way and gives up after 3 s: its timer fires when a CC
# leaving the MTA at 1 s would still reach it (last_cc), its close reaches the MTA at 3 s; the
# listener below answers the CR as the group's name says, at 2 s (between the two) or at once.
# "hopeless" gives up after 1 s, shorter than its 4 s round trip: its timer has run out before
# its CR is even sent, which goes out all the same (it reaches the MTA in the model too).
PEERS = """
name = "playback"
[[peers]]
name = "cc-late"
latency = 1.0
give_up = 3.0
[[peers]]
name = "closes"
latency = 1.0
give_up = 3.0
[[peers]]
name = "refuses"
latency = 1.0
give_up = 3.0
[[peers]]
name = "resets"
latency = 1.0
give_up = 3.0
[[peers]]
name = "cc-in-time"
latency = 1.0
give_up = 3.0
hold = 1.0
[[peers]]
name = "hopeless"
latency = 2.0
give_up = 1.0
"""

EXPECTED = {
    # a CC after last_cc is too late: the peer's close reaches the listener at give_up_at
    "cc-late": "timed out",
    # the listener's answer during the peer's last round trip is the outcome
    "closes": "closed",
    "refuses": "refused",
    "resets": "refused",
    "cc-in-time": "connected",
    "hopeless": "timed out",
}


@dataclass
class Seen:
    """What the listener saw of one connection (trio times)."""

    cr: float | None = None
    answered: float | None = None  # just before the answer went out
    data: float | None = None
    eof: float | None = None


async def answer(start: float, seen: dict[str, Seen], stream: trio.SocketStream) -> None:
    decoder = Decoder()
    cr: ConnectionRequest | None = None
    while cr is None:
        data = await stream.receive_some(4096)
        if not data:
            return
        for tpdu in decoder.feed(data):
            assert isinstance(tpdu, ConnectionRequest)
            cr = tpdu
    assert cr.calling_tsap is not None
    me = seen[cr.calling_tsap.decode()] = Seen(cr=trio.current_time())
    name = cr.calling_tsap.decode()
    if name != "cc-in-time":
        await trio.sleep_until(start + 2.0)
    # Before the CC is sent: the peer cannot read it earlier.
    me.answered = trio.current_time()
    if name in ("cc-late", "cc-in-time"):
        await stream.send_all(encode_cc(cr.src_ref, 7, tpdu_size=2048))
    elif name == "closes":
        await stream.aclose()
        return
    elif name == "refuses":
        await stream.send_all(encode_dr(cr.src_ref, 0, 1))
    elif name == "resets":
        stream.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        stream.socket.close()
        return
    with contextlib.suppress(trio.BrokenResourceError):
        while True:
            data = await stream.receive_some(4096)
            if not data:
                break
            if me.data is None and any(isinstance(t, Data) for t in decoder.feed(data)):
                me.data = trio.current_time()
    me.eof = trio.current_time()
    await stream.aclose()


async def test_a_scenarios_peers_keep_their_connspec_timing_against_any_listener():
    scenario = sim.parse_scenario(PEERS)
    groups = [spec.peer for spec in arrivals(scenario)]
    seen: dict[str, Seen] = {}
    lines: list[str] = []
    with trio.fail_after(30):
        async with trio.open_nursery() as nursery:
            start = trio.current_time()
            handler = functools.partial(answer, start, seen)
            serve = functools.partial(trio.serve_tcp, handler, 0, host="127.0.0.1")
            (server,) = await nursery.start(serve)
            port = server.socket.getsockname()[1]
            summary = await play_scenario(
                "127.0.0.1", port, scenario, time_scale=1.0, log=lines.append
            )
            nursery.cancel_scope.cancel()

    outcomes = {}
    for line in lines:
        conn, _, rest = line.removeprefix("peer: connection ").partition(": ")
        outcomes[groups[int(conn)]] = rest.split(": ")[0]
    assert outcomes == EXPECTED
    assert (summary.connected, summary.timed_out, summary.closed, summary.refused) == (1, 2, 1, 2)

    late = seen["cc-late"]
    assert late.data is None  # a CC too late: no data
    assert late.eof is not None and late.eof - start >= 3.0  # the close at give_up_at
    hopeless = seen["hopeless"]
    assert hopeless.cr is not None  # the CR went out although the timer had run out
    assert hopeless.eof is not None and hopeless.eof - start >= 1.0
    in_time = seen["cc-in-time"]
    assert in_time.answered is not None and in_time.data is not None and in_time.eof is not None
    assert in_time.data - in_time.answered >= 2.0  # data_at: one round trip after the CC
    assert in_time.eof - in_time.answered >= 3.0  # close_after: the 1 s hold after that
