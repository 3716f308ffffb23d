"""``mtasim serve``: the NSI listener on real TCP (``docs/live.md``).

``serve`` runs the NSI listener on a real socket, speaking RFC 1006 / ISO 8073 class 0, with
the MTA modelled by the same sans-IO core as ``mtasim run``; events are printed as they are
logged; ``--record`` keeps the session as a trace that ``mtasim replay`` reproduces.

Rules of this module:

* Ctrl-C, SIGTERM or SIGHUP (or ``--duration``, or the scenario's ``until``) stops the session
  cleanly: exit 0, the trace finished. A stop signal that comes before the session is
  listening is kept and stops it as soon as it is; one that comes after the first (a second
  Ctrl-C, GNU ``timeout`` signalling the process and its group) is ignored until the command
  is done, so that the shutdown is never cut short.
* The session never dies of its output: when the reader of stdout goes away (``mtasim serve
  | head``), one line says so on stderr and the session goes on, its events still going to
  ``--record``. Any other failure to write the events (``--output`` on a full disk) stops the
  session cleanly, the trace finished, then exits 2 with the one-line error.
* A session stops by itself, with a message, when its virtual clock reaches the last instant
  an event can carry (``RealTime.horizon``: a minute before the year 10000); an epoch that
  leaves no such room is refused before listening.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import math
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..app._atomic import atomic_text
from ..app._trace import TraceWriter
from ..core import Build, Step, latest_micros, resolve_build, to_seconds
from ..live import DEFAULT_PORT
from ..render import EventWriter
from ..render._summary import logged_counts
from ..scenario import Scenario
from ..text._plural import plural
from ._argtypes import TIME_SCALE_HELP, positive
from ._common import (
    UsageError,
    add_build_argument,
    add_format_arguments,
    add_scenario_arguments,
    check_distinct,
    check_writable,
    load,
    output,
)
from ._exit import quiet_stdout

if TYPE_CHECKING:
    from ..live import ListenerOptions, LiveServer

#: The signals that stop a session (exit 0).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "serve",
        description="Listen for real RFC 1006 peers. The scenario's MTA (kernel threads, OK "
        "response delay, control blocks, Winsock timer, build) answers them: a CC when the "
        "OK response is ready, a DR (congestion) when no control block is free, a closed "
        "connection when the Winsock timer fires first; the events the MTA logs are printed "
        "as they happen. Ctrl-C (or SIGTERM, SIGHUP) stops. See docs/live.md.",
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
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from ..live import ListenerOptions

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
    _check_epoch(scenario)
    check_writable(args.output, "--output")
    check_writable(args.record, "--record")
    check_distinct(("--output", args.output), ("--record", args.record))
    with _stop_signals() as early, output(args.output) as out:
        sink = _EventOutput(out, args.output)
        writer = EventWriter(args.format, sink.write, scenario.mta.computer)

        def print_events(step: Step) -> None:
            for event in step.events:
                writer(event)

        if args.record is None:
            server = _serve(scenario, build, options, print_events, sink=sink, early=early)
        else:
            with atomic_text(args.record) as handle:
                trace = TraceWriter(handle, scenario, build)

                def on_step(step: Step) -> None:
                    trace.step(step)
                    print_events(step)

                server = _serve(scenario, build, options, on_step, sink=sink, early=early)
                trace.close()
        _print_serve_summary(server, args.summary)
        if args.record is not None:
            _log(f"trace written to {args.record}")
        if sink.failure is not None:
            raise sink.failure  # the --output file: removed, one line, exit 2
    return 0


def _check_epoch(scenario: Scenario) -> None:
    from ..drivers import HORIZON_MARGIN

    if latest_micros(scenario.epoch) <= HORIZON_MARGIN:
        raise UsageError(
            f"epoch {scenario.epoch.isoformat()}: a live session needs more than "
            f"{HORIZON_MARGIN // 1_000_000} s of virtual time before 9999-12-31 23:59:59 "
            "(the last instant an event can carry); use an earlier epoch"
        )


def _log(line: str) -> None:
    # stderr gone too: the session goes on all the same
    with contextlib.suppress(OSError, ValueError):
        print(f"mtasim serve: {line}", file=sys.stderr, flush=True)


class _EventOutput:
    """Where the events are printed (stdout or ``--output``): the session outlives it."""

    def __init__(self, out: Any, path: str | None) -> None:
        self._out = out
        self._path = path
        self._gone = False
        self.stop: Callable[[], None] | None = None
        #: a write error of the ``--output`` file, raised when the session has ended
        self.failure: OSError | None = None

    def write(self, text: str) -> None:
        if self._gone:
            return
        try:
            self._out.write(text)
            self._out.flush()
        except OSError as exc:
            self._gone = True
            if exc.errno == errno.EPIPE:
                # The reader went away (serve | head): keep serving, keep recording.
                _log("the reader of the events went away (broken pipe); the session goes on")
                quiet_stdout()
                return
            self.failure = exc
            _log("cannot write the events; stopping")
            if self.stop is not None:
                self.stop()


@contextlib.contextmanager
def _stop_signals() -> Iterator[list[int]]:
    """For the whole command, a stop signal is noted (not raised): the session, once
    listening, stops on the first one noted before it listened, then on its own receiver's
    (see ``_serve_until_stopped``); any later signal is ignored until the command is done
    (stopping takes milliseconds), so that a second Ctrl-C cannot lose the trace."""
    early: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield early
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def note(signum: int, frame: Any) -> None:
        early.append(signum)

    for sig in STOP_SIGNALS:
        signal.signal(sig, note)
    try:
        yield early
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)


def _serve(
    scenario: Scenario,
    build: Build,
    options: ListenerOptions,
    on_step: Callable[[Step], None],
    *,
    sink: _EventOutput,
    early: list[int],
) -> LiveServer:
    import trio  # the sockets and the session's tasks: imported when the command runs

    from ..drivers import sole_exception
    from ..live import LiveServer

    server = LiveServer(scenario, build, options, on_step=on_step, log=_log)
    sink.stop = server.stop
    try:
        trio.run(_serve_until_stopped, server, early)
    except BaseExceptionGroup as group:
        # One failure inside a task (cannot listen...): raise it as a plain call would, for
        # the command's usual handling.
        raise sole_exception(group) from None
    return server


async def _serve_until_stopped(server: LiveServer, early: list[int]) -> None:
    import trio

    with trio.open_signal_receiver(*STOP_SIGNALS) as signals:
        async with trio.open_nursery() as nursery:

            async def run_server(task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
                await server.serve(task_status=task_status)
                nursery.cancel_scope.cancel()

            await nursery.start(run_server)
            _announce(server)
            nursery.start_soon(_stop_at_horizon, server)
            if not early:
                async for _ in signals:
                    break
            _log("stopping")
            server.stop()


async def _stop_at_horizon(server: LiveServer) -> None:
    import trio

    model = server.model
    await trio.sleep_until(model.deadline(model.horizon))
    last = server.scenario.epoch + timedelta(microseconds=model.horizon)
    _log(
        f"the session's virtual clock reached {last.isoformat(sep=' ')}, a minute before the "
        "last instant an event can carry (year 9999 ends): stopping"
    )
    server.stop()


def _announce(server: LiveServer) -> None:
    opts = server.options
    where = f"[{opts.host}]:{server.port}" if ":" in opts.host else f"{opts.host}:{server.port}"
    scale = opts.time_scale
    timer = server.scenario.winsock.response_timeout
    clock = (
        "no response timer of its own: only the peers end a wait"
        if math.isinf(timer)
        else f"the {timer:g} s response timer lasts {timer * scale:g} s"
    )
    _log(
        f"listening on {where} (RFC 1006 / ISO 8073 class 0), "
        f"build {server.build.label}, time scale {scale:g} ({clock}); Ctrl-C stops"
    )


def _print_serve_summary(server: LiveServer, full: bool) -> None:
    s = server.stats
    model = server.model.mta.summary()
    logged = logged_counts(model)
    ended = server.model.ended_at
    elapsed = to_seconds(ended if ended is not None else server.model.last_time)
    real = elapsed * server.options.time_scale
    _log(
        f"{plural(s.tcp_accepted, 'TCP connection')}, {s.connect_requests} CR: "
        f"{s.confirmed} CC, {s.refused_dr} DR (no free control block), {s.refused_reset} reset "
        f"(backlog full), {s.closed_by_timer} closed by the Winsock timer, "
        f"{s.peer_closed + s.peer_reset} closed by the peer; "
        f"{plural(s.protocol_errors, 'protocol error')}, "
        f"{plural(s.read_timeouts, 'read timeout')}, {s.over_cap} over the cap; "
        f"{logged}; session {elapsed:.3f} s virtual, {real:.3f} s real"
    )
    if full:
        with contextlib.suppress(OSError, ValueError):
            for section, counters in server.summary().items():
                print(f"  {section}", file=sys.stderr)
                for key, value in counters.items():
                    if key != "events":
                        print(f"    {key:<22} {value}", file=sys.stderr)
