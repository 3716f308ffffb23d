"""``mtasim serve`` and ``mtasim peer``: live mode on real TCP (``docs/live.md``).

``serve`` runs the NSI listener on a real socket, speaking RFC 1006 / ISO 8073 class 0, with
the MTA modelled by the same sans-IO core as ``mtasim run``; events are printed as they are
logged; ``--record`` keeps the session as a trace that ``mtasim replay`` reproduces. Ctrl-C
(or SIGTERM, or ``--duration``) stops it cleanly: exit 0, the trace finished.

``peer`` is an RFC 1006 client with its own connect timeout; it prints one summary line
(exit 1 if a connection failed: the listener broke the protocol, or a socket error).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import trio

from .._atomic import atomic_text
from .._trace import TraceWriter
from ..core import Build, Step, resolve_build, to_seconds
from ..live import (
    DEFAULT_PORT,
    ListenerOptions,
    LiveServer,
    PeerOptions,
    PeerSummary,
    parse_target,
    play_scenario,
    run_peers,
)
from ..render import EventWriter
from ..scenario import Scenario, load_scenario
from ._common import (
    UsageError,
    add_build_argument,
    add_format_arguments,
    add_scenario_arguments,
    check_writable,
    load,
    output,
)


def register(commands: Any) -> None:
    _register_serve(commands)
    _register_peer(commands)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected 0 or a positive number, got {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text!r}")
    return value


TIME_SCALE_HELP = (
    "real seconds per virtual second (default 1): 0.1 makes the scenario's 21 s Winsock timer "
    "last 2.1 s of wall time; traces and events keep virtual times"
)


# -- serve --------------------------------------------------------------------------------------
def _register_serve(commands: Any) -> None:
    parser = commands.add_parser(
        "serve",
        help="run the NSI listener on real TCP (RFC 1006 / ISO 8073 class 0)",
        description="Listen for real RFC 1006 peers. The scenario's MTA (kernel threads, OK "
        "response delay, control blocks, Winsock timer, build) answers them: a CC when the "
        "OK response is ready, a DR (congestion) when no control block is free, a closed "
        "connection when the Winsock timer fires first; the events the MTA logs are printed "
        "as they happen. Ctrl-C stops. See docs/live.md.",
    )
    add_scenario_arguments(parser)
    add_build_argument(parser, "the scenario's")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"TCP port (default {DEFAULT_PORT}; RFC 1006's own is 102; 0 picks a free one)",
    )
    parser.add_argument(
        "--time-scale", type=_positive, default=1.0, metavar="X", help=TIME_SCALE_HELP
    )
    add_format_arguments(parser)
    parser.add_argument(
        "--record",
        metavar="FILE",
        default=None,
        help="write the session as a trace that 'mtasim replay' reproduces (written when "
        "the listener stops)",
    )
    parser.add_argument(
        "--duration",
        type=_positive,
        default=None,
        metavar="S",
        help="stop after S real seconds (default: at Ctrl-C)",
    )
    parser.add_argument(
        "--read-timeout",
        type=_positive,
        default=10.0,
        metavar="S",
        help="close a peer that sends no CR, or leaves a frame incomplete, for S real seconds "
        "(default 10)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=1024,
        metavar="N",
        help="TCP connections served at once; more are reset and counted (default 1024)",
    )
    parser.add_argument(
        "--max-tpdu",
        type=int,
        default=2048,
        metavar="OCTETS",
        help="largest TPDU size the CC accepts (128..8192, default 2048 as in KB Q151626's CC)",
    )
    parser.add_argument("--no-echo", action="store_true", help="do not echo the peers' data back")
    parser.add_argument(
        "--summary", action="store_true", help="print every counter of the session to stderr"
    )
    parser.set_defaults(handler=serve_main)


def serve_main(args: argparse.Namespace) -> int:
    scenario = load(args)
    build = resolve_build(args.build if args.build is not None else scenario.build)
    scenario = scenario.with_build(build)
    options = ListenerOptions(
        host=args.host,
        port=args.port,
        time_scale=args.time_scale,
        read_timeout=args.read_timeout,
        max_connections=args.max_connections,
        max_tpdu=args.max_tpdu,
        echo=not args.no_echo,
        duration=args.duration,
    )
    try:
        options.check()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    check_writable(args.output, "--output")
    check_writable(args.record, "--record")
    with _late_signals_ignored(), output(args.output) as out:

        def write(text: str) -> None:
            out.write(text)
            out.flush()

        writer = EventWriter(args.format, write, scenario.mta.computer)

        def print_events(step: Step) -> None:
            for event in step.events:
                writer(event)

        if args.record is None:
            server = _serve(scenario, build, options, print_events)
        else:
            with atomic_text(args.record) as handle:
                trace = TraceWriter(handle, scenario, build)

                def on_step(step: Step) -> None:
                    trace.step(step)
                    print_events(step)

                server = _serve(scenario, build, options, on_step)
                trace.close()
    _print_serve_summary(server, args.summary)
    if args.record is not None:
        print(f"mtasim serve: trace written to {args.record}", file=sys.stderr)
    return 0


@contextlib.contextmanager
def _late_signals_ignored() -> Iterator[None]:
    """While serving, a SIGINT or SIGTERM that comes after the first one (a second Ctrl-C, or
    a signal sent to the process and to its group, as GNU timeout does) must not abort the
    shutdown and lose the trace: the session's own receiver handles the first; any other is
    ignored until the command is done (stopping takes milliseconds)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.getsignal(sig) for sig in signals}
    for sig in signals:
        signal.signal(sig, _ignore_signal)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _ignore_signal(signum: int, frame: Any) -> None:
    del signum, frame


def _serve(
    scenario: Scenario,
    build: Build,
    options: ListenerOptions,
    on_step: Callable[[Step], None],
) -> LiveServer:
    def log(line: str) -> None:
        print(f"mtasim serve: {line}", file=sys.stderr, flush=True)

    server = LiveServer(scenario, build, options, on_step=on_step, log=log)
    try:
        trio.run(_serve_until_stopped, server)
    except BaseExceptionGroup as group:
        # One failure inside a task (cannot listen, a broken stdout pipe...): raise it as a
        # plain call would, for the command's usual handling.
        leaf = _leaf(group)
        if leaf is None:
            raise
        raise leaf from None
    return server


async def _serve_until_stopped(server: LiveServer) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with trio.open_nursery() as nursery:

            async def run_server(task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
                await server.serve(task_status=task_status)
                nursery.cancel_scope.cancel()

            await nursery.start(run_server)
            _announce(server)
            async for _ in signals:
                print("mtasim serve: stopping", file=sys.stderr, flush=True)
                server.stop()
                break


def _announce(server: LiveServer) -> None:
    opts = server.options
    where = f"[{opts.host}]:{server.port}" if ":" in opts.host else f"{opts.host}:{server.port}"
    scale = opts.time_scale
    timer = server.scenario.winsock.response_timeout
    print(
        f"mtasim serve: listening on {where} (RFC 1006 / ISO 8073 class 0), "
        f"build {server.build.label}, time scale {scale:g} (the {timer:g} s Winsock timer "
        f"lasts {timer * scale:g} s); Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )


def _print_serve_summary(server: LiveServer, full: bool) -> None:
    s = server.stats
    model = server.model.mta.summary().as_dict()
    ended = server.model.ended_at
    elapsed = to_seconds(ended if ended is not None else server.model.last_time)
    real = elapsed * server.options.time_scale
    print(
        f"mtasim serve: {s.tcp_accepted} TCP connections, {s.connect_requests} CR: "
        f"{s.confirmed} CC, {s.refused_dr} DR (no free control block), {s.refused_reset} reset "
        f"(backlog full), {s.closed_by_timer} closed by the Winsock timer, "
        f"{s.peer_closed + s.peer_reset} closed by the peer; {s.protocol_errors} protocol "
        f"errors, {s.read_timeouts} read timeouts, {s.over_cap} over the cap; "
        f"4258 x{model['logged_4258']}, 4283 x{model['logged_4283']}, "
        f"9156 x{model['logged_9156']}; session {elapsed:.3f} s virtual, {real:.3f} s real",
        file=sys.stderr,
    )
    if full:
        for section, counters in server.summary().items():
            print(f"  {section}", file=sys.stderr)
            for key, value in counters.items():
                if key != "events":
                    print(f"    {key:<22} {value}", file=sys.stderr)


def _leaf(exc: BaseException) -> BaseException | None:
    inner: BaseException = exc
    while isinstance(inner, BaseExceptionGroup):
        if len(inner.exceptions) != 1:
            return None
        inner = inner.exceptions[0]
    return inner


# -- peer ---------------------------------------------------------------------------------------
def _register_peer(commands: Any) -> None:
    parser = commands.add_parser(
        "peer",
        help="an RFC 1006 client: open connections against a listener and count the answers",
        description="Open RFC 1006 connections (class 0 CR) against HOST:PORT, each with its "
        "own connect timeout: no CC in time, it closes. After a CC it sends its data and "
        "closes. Prints: connected, refused (DR or reset), timed out, closed by the listener "
        "before a CC, failed. Works against 'mtasim serve' and any RFC 1006 listener. "
        "Exit 1 if a connection failed.",
    )
    parser.add_argument("target", metavar="HOST:PORT", help="the listener (port 102 when omitted)")
    parser.add_argument(
        "--connections", type=_count, default=None, metavar="N", help="connections (default 1)"
    )
    parser.add_argument(
        "--rate",
        type=_non_negative,
        default=None,
        metavar="R",
        help="connections started per second (default 10; 0: all at once)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive,
        default=None,
        metavar="S",
        help="the peer's own connect timeout in seconds, from the TCP connect (default 5)",
    )
    parser.add_argument(
        "--tsap",
        default="MTASIMPEER",
        metavar="TSAP",
        help="calling TSAP (text, or 0x-prefixed hex; '' for none; default MTASIMPEER)",
    )
    parser.add_argument(
        "--called-tsap",
        default="EXCHANGETSAP1",
        metavar="TSAP",
        help="called TSAP (text, or 0x-prefixed hex; '' for none; default EXCHANGETSAP1)",
    )
    parser.add_argument(
        "--tpdu-size",
        type=int,
        default=2048,
        metavar="OCTETS",
        help="TPDU size proposed in the CR (128..8192, default 2048)",
    )
    parser.add_argument(
        "--data",
        type=_count,
        default=64,
        metavar="OCTETS",
        help="octets of the TSDU sent after the CC (default 64; 0: none)",
    )
    parser.add_argument(
        "--hold",
        type=_non_negative,
        default=0.1,
        metavar="S",
        help="seconds the association is kept after the data, reading the answer (default 0.1)",
    )
    parser.add_argument("--reset", action="store_true", help="close with a TCP reset")
    parser.add_argument(
        "--scenario",
        default=None,
        metavar="SCENARIO",
        help="play this scenario's peer groups instead (arrivals, give-up, data, hold, "
        "reset), time-scaled by --time-scale; excludes --connections/--rate/--timeout",
    )
    parser.add_argument(
        "--time-scale", type=_positive, default=1.0, metavar="X", help=TIME_SCALE_HELP
    )
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="one line per connection on stderr"
    )
    parser.set_defaults(handler=peer_main)


def _tsap(text: str, option: str) -> bytes | None:
    if text == "":
        return None
    if text.lower().startswith("0x"):
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            raise UsageError(f"{option}: bad hex TSAP {text!r}") from None
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        raise UsageError(f"{option}: use ASCII text or 0x-prefixed hex, got {text!r}") from None


def peer_main(args: argparse.Namespace) -> int:
    try:
        host, port = parse_target(args.target)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    options = PeerOptions(
        connections=1 if args.connections is None else args.connections,
        rate=10.0 if args.rate is None else args.rate,
        timeout=5.0 if args.timeout is None else args.timeout,
        calling_tsap=_tsap(args.tsap, "--tsap"),
        called_tsap=_tsap(args.called_tsap, "--called-tsap"),
        tpdu_size=args.tpdu_size,
        data=args.data,
        hold=args.hold,
        reset=args.reset,
    )
    try:
        options.check()
    except ValueError as exc:
        raise UsageError(str(exc)) from None

    def log(line: str) -> None:
        if args.verbose or ": failed" in line:
            print(line, file=sys.stderr, flush=True)

    summary: PeerSummary
    if args.scenario is not None:
        given = [
            name for name in ("connections", "rate", "timeout") if getattr(args, name) is not None
        ]
        if given:
            raise UsageError(f"--scenario excludes --{given[0]}: the scenario's peers decide")
        scenario = load_scenario(args.scenario)
        summary = trio.run(_play, host, port, scenario, args.time_scale, log)
    else:
        summary = trio.run(_peers, host, port, options, log)
    print(summary.line())
    return 1 if summary.failed else 0


async def _peers(host: str, port: int, options: PeerOptions, log: Any) -> PeerSummary:
    return await run_peers(host, port, options, log=log)


async def _play(host: str, port: int, scenario: Scenario, scale: float, log: Any) -> PeerSummary:
    return await play_scenario(host, port, scenario, time_scale=scale, log=log)
