"""``mtasim serve`` and ``mtasim peer``: live mode on real TCP (``docs/live.md``).

``serve`` runs the NSI listener on a real socket, speaking RFC 1006 / ISO 8073 class 0, with
the MTA modelled by the same sans-IO core as ``mtasim run``; events are printed as they are
logged; ``--record`` keeps the session as a trace that ``mtasim replay`` reproduces. Ctrl-C
(or SIGTERM, or ``--duration``) stops it cleanly: exit 0, the trace finished.

``peer`` (``_peer_cmd``) is an RFC 1006 client with its own connect timeout.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import trio

from .._atomic import atomic_text
from .._plural import plural
from .._trace import TraceWriter
from ..core import Build, Step, resolve_build, to_seconds
from ..live import (
    DEFAULT_PORT,
    ListenerOptions,
    LiveServer,
)
from ..render import EventWriter
from ..scenario import Scenario
from . import _peer_cmd
from ._argtypes import TIME_SCALE_HELP, positive
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
    _peer_cmd.register(commands)


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
        "--time-scale", type=positive, default=1.0, metavar="X", help=TIME_SCALE_HELP
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
        type=positive,
        default=None,
        metavar="S",
        help="stop after S real seconds (default: at Ctrl-C)",
    )
    parser.add_argument(
        "--read-timeout",
        type=positive,
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
        f"mtasim serve: {plural(s.tcp_accepted, 'TCP connection')}, {s.connect_requests} CR: "
        f"{s.confirmed} CC, {s.refused_dr} DR (no free control block), {s.refused_reset} reset "
        f"(backlog full), {s.closed_by_timer} closed by the Winsock timer, "
        f"{s.peer_closed + s.peer_reset} closed by the peer; "
        f"{plural(s.protocol_errors, 'protocol error')}, "
        f"{plural(s.read_timeouts, 'read timeout')}, {s.over_cap} over the cap; "
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
