"""``mtasim peer``: an RFC 1006 client that works against the live listener and against any
RFC 1006 listener (here: tiny hand-written ones), with its own connect timeout."""

from __future__ import annotations

import functools
import socket
import struct
from collections.abc import Awaitable, Callable

import pytest
import trio
from live_helpers import listener, scenario

from sim.cli import main
from sim.live import PeerOptions, parse_target, run_peers

# KB Q151626's CC, reserved byte 0x11 and all; its DST-REF is patched to the CR's SRC-REF.
KB_CC = bytearray(
    bytes.fromhex("0311002C27D001CA002900C10D")
    + b"SWISSLIFETSAP"
    + bytes.fromhex("C20D")
    + b"EXCHANGETSAP1"
    + bytes.fromhex("C0010B")
)

Handler = Callable[[trio.SocketStream], Awaitable[None]]


async def read_cr(stream: trio.SocketStream) -> bytes:
    """One TPKT, read the way a plain RFC 1006 listener would (no sim.live code)."""
    data = b""
    while len(data) < 4 or len(data) < struct.unpack(">H", data[2:4])[0]:
        more = await stream.receive_some(4096)
        if not more:
            raise trio.BrokenResourceError
        data += more
    return data


async def kb_cc(stream: trio.SocketStream) -> None:
    cr = await read_cr(stream)
    cc = bytearray(KB_CC)
    cc[6:8] = cr[8:10]  # DST-REF := the CR's SRC-REF
    await stream.send_all(bytes(cc))
    with trio.move_on_after(1):
        while await stream.receive_some(4096):
            pass


async def dr(stream: trio.SocketStream) -> None:
    cr = await read_cr(stream)
    await stream.send_all(b"\x03\x00\x00\x0b\x06\x80" + cr[8:10] + b"\x00\x00\x03")


async def silent(stream: trio.SocketStream) -> None:
    await read_cr(stream)
    await trio.sleep(5)


async def closes(stream: trio.SocketStream) -> None:
    await read_cr(stream)


async def resets(stream: trio.SocketStream) -> None:
    await read_cr(stream)
    stream.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    stream.socket.close()


async def garbage(stream: trio.SocketStream) -> None:
    await read_cr(stream)
    await stream.send_all(b"HTTP/1.0 400 Bad Request\r\n\r\n")


async def peers_against(handler: Handler, options: PeerOptions) -> tuple[str, ...]:
    async with trio.open_nursery() as nursery:
        serve = functools.partial(trio.serve_tcp, handler, 0, host="127.0.0.1")
        (server,) = await nursery.start(serve)
        port = server.socket.getsockname()[1]
        summary = await run_peers("127.0.0.1", port, options)
        nursery.cancel_scope.cancel()
    return tuple(summary.outcomes)


@pytest.mark.parametrize(
    ("handler", "outcome"),
    [
        (kb_cc, "connected"),
        (dr, "refused"),
        (silent, "timed out"),
        (closes, "closed"),
        (resets, "refused"),
        (garbage, "failed"),
    ],
    ids=["cc", "dr", "silent", "closes", "resets", "garbage"],
)
async def test_peer_against_a_plain_rfc1006_listener(handler, outcome):
    with trio.fail_after(10):
        outcomes = await peers_against(
            handler, PeerOptions(connections=2, rate=0, timeout=1.0, hold=0.05)
        )
    assert outcomes == (outcome, outcome)


async def test_nothing_listening_is_no_listener_not_a_refusal_of_the_mta():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    summary = await run_peers("127.0.0.1", port, PeerOptions(connections=2, timeout=1, rate=0))
    assert summary.outcomes == ["no listener", "no listener"]
    assert (summary.refused, summary.no_listener, summary.nobody_listened) == (0, 2, True)


async def test_peer_against_serve_counts_and_checks_the_echo():
    async with listener(scenario(ok_delay=0.1)) as live:
        summary = await run_peers(
            "127.0.0.1",
            live.port,
            PeerOptions(connections=5, rate=100, timeout=2, data=1000, tpdu_size=128, hold=0.5),
        )
    assert (summary.connected, summary.refused, summary.timed_out, summary.failed) == (5, 0, 0, 0)
    assert summary.sent_octets == 5000
    assert summary.echoed_octets == 5000
    assert summary.line().startswith("peer: 5 connections to 127.0.0.1:")
    assert "connected 5, refused 0, timed out 0, closed by the listener 0, failed 0" in (
        summary.line()
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:10102", ("127.0.0.1", 10102)),
        ("localhost", ("localhost", 102)),
        ("[::1]:10102", ("::1", 10102)),
        ("[::1]", ("::1", 102)),
    ],
)
def test_parse_target(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", [":10102", "host:0", "host:99999", "host:x", "[::1", "[::1]x"])
def test_parse_target_refuses(text):
    with pytest.raises(ValueError, match="bad address"):
        parse_target(text)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["peer", "host:x"], "bad address"),
        (["peer", "127.0.0.1:9", "--timeout", "0"], "expected a positive number"),
        (["peer", "127.0.0.1:9", "--rate", "-1"], "expected 0 or a positive number"),
        (["peer", "127.0.0.1:9", "--tpdu-size", "100"], "power of two"),
        (["peer", "127.0.0.1:9", "--connections", "0"], "at least 1"),
        (["peer", "127.0.0.1:9", "--tsap", "0xZZ"], "bad hex TSAP"),
        (["peer", "127.0.0.1:9", "--scenario", "kb319936", "--rate", "3"], "excludes --rate"),
    ],
)
def test_peer_usage_errors_are_one_line_and_exit_2(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
