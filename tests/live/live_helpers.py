"""Helpers for the live tests: a listener on 127.0.0.1 (ephemeral port) in the test's trio run,
and raw RFC 1006 exchanges with it. Every wait is bounded."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import trio

import sim
from sim.live import ListenerOptions, LiveServer
from sim.wire import ConnectionConfirm, Data, Decoder, encode_cr, encode_dt

#: A quick MTA: the OK response 0.2 virtual seconds after the CR.
FAST = """
name = "live-fast"
seed = 1
epoch = 2002-02-26T14:00:00
[winsock]
response_timeout = {timeout}
backlog = {backlog}
[mta]
control_blocks = {blocks}
threads = {threads}
ok_delay = {ok_delay}
accept_time = {accept}
logging = "maximum"
"""


def scenario(
    *,
    timeout: float = 21.0,
    backlog: int = 200,
    blocks: int = 40,
    threads: int = 4,
    ok_delay: float = 0.2,
    accept: float = 0.0,
) -> sim.Scenario:
    return sim.parse_scenario(
        FAST.format(
            timeout=timeout,
            backlog=backlog,
            blocks=blocks,
            threads=threads,
            ok_delay=ok_delay,
            accept=accept,
        )
    )


@dataclass
class Running:
    server: LiveServer
    port: int
    events: list[Any] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    steps: list[Any] = field(default_factory=list)

    def event_ids(self) -> list[int]:
        return [int(e.event_id) for e in self.events]


@asynccontextmanager
async def listener(
    sc: sim.Scenario | None = None,
    build: str = "pre-fix",
    *,
    on_step: Callable[[Any], None] | None = None,
    **options: Any,
) -> AsyncIterator[Running]:
    """A LiveServer on 127.0.0.1, port 0; stopped (and finished) on exit. Events and records
    are kept in the ``Running`` value, and every step is also sent to ``on_step``."""
    options.setdefault("time_scale", 0.1)
    options.setdefault("read_timeout", 1.0)
    events: list[Any] = []
    records: list[Any] = []
    logs: list[str] = []
    steps: list[Any] = []

    def step_sink(step: Any) -> None:
        steps.append(step)
        records.append(step.record)
        events.extend(step.events)
        if on_step is not None:
            on_step(step)

    server = LiveServer(
        sc if sc is not None else scenario(),
        sim.resolve_build(build),
        ListenerOptions(host="127.0.0.1", port=0, **options),
        on_step=step_sink,
        log=logs.append,
    )
    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            port = await nursery.start(server.serve)
            running = Running(server, port, events, records, logs, steps)
            try:
                yield running
            finally:
                server.stop()


async def read_all(stream: trio.SocketStream, limit: float = 3.0) -> tuple[bytes, bool]:
    """Everything until EOF (or reset); (bytes, closed within ``limit`` seconds)."""
    got = b""
    with trio.move_on_after(limit):
        try:
            while True:
                data = await stream.receive_some(65536)
                if not data:
                    return got, True
                got += data
        except trio.BrokenResourceError:
            return got, True
    return got, False


async def send_raw(port: int, data: bytes, limit: float = 3.0) -> tuple[bytes, bool]:
    """Connect, send ``data``, read until the listener closes."""
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    try:
        await stream.send_all(data)
        return await read_all(stream, limit)
    finally:
        await stream.aclose()


async def open_association(
    port: int, cr: bytes | None = None, limit: float = 3.0
) -> tuple[trio.SocketStream, ConnectionConfirm, Decoder]:
    """CR, then the CC (fails the test if none comes)."""
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await stream.send_all(cr if cr is not None else encode_cr(1, b"TEST", b"MTA", 1024))
    decoder = Decoder()
    with trio.fail_after(limit):
        while True:
            data = await stream.receive_some(65536)
            assert data, "the listener closed before the CC"
            tpdus = decoder.feed(data)
            if tpdus:
                (cc,) = tpdus
                assert isinstance(cc, ConnectionConfirm), cc
                return stream, cc, decoder


async def echo(
    stream: trio.SocketStream, decoder: Decoder, tsdu: bytes, limit: float = 3.0
) -> bytes:
    """Send one TSDU; return what comes back up to its EOT."""
    for piece in [encode_dt(tsdu)]:
        await stream.send_all(piece)
    got = b""
    with trio.fail_after(limit):
        while True:
            data = await stream.receive_some(65536)
            assert data, "closed before the echo"
            for tpdu in decoder.feed(data):
                assert isinstance(tpdu, Data)
                got += tpdu.data
                if tpdu.eot:
                    return got


async def assert_serving(port: int) -> None:
    """A new, well-behaved connection still gets its CC and its echo."""
    stream, _cc, decoder = await open_association(port)
    assert await echo(stream, decoder, b"still serving") == b"still serving"
    await stream.aclose()
