"""``mtasim peer``: an RFC 1006 client with its own connect timeout (``docs/live.md``).

It opens connections against any RFC 1006 listener (``mtasim serve`` or a real MTA) and prints
one summary line. Exit 1 if a connection failed (the listener broke the protocol, or a socket
error) or found no listener; when no connection found one (every TCP connect refused), a
single line on stderr says so instead of counting refusals that would look like the MTA's.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ..app._limits import check_connections, expected_connections
from ..scenario import load_scenario
from ._argtypes import TIME_SCALE_HELP, count, non_negative, positive
from ._common import UsageError
from ._exit import EXIT_CHECK_FAILED, EXIT_OK
from ._limits import add_max_connections_argument, max_connections

if TYPE_CHECKING:
    from ..live import PeerOptions, PeerSummary
    from ..scenario import Scenario


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "peer",
        description="Open RFC 1006 connections (class 0 CR) against HOST:PORT, each with its "
        "own connect timeout: no CC in time, it closes. After a CC it sends its data and "
        "closes. Prints: connected, refused (DR or reset), timed out, closed by the listener "
        "before a CC, failed, and no listener (the TCP connect refused). Works against "
        "'mtasim serve' and any RFC 1006 listener. Exit 1 if a connection failed or found no "
        "listener; with no listener at all, one line says so.",
    )
    parser.add_argument("target", metavar="HOST:PORT", help="the listener (port 102 when omitted)")
    parser.add_argument(
        "--connections", type=count, default=None, metavar="N", help="connections (default 1)"
    )
    parser.add_argument(
        "--rate",
        type=non_negative,
        default=None,
        metavar="R",
        help="connections started per second (default 10; 0: all at once)",
    )
    parser.add_argument(
        "--timeout",
        type=positive,
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
        type=count,
        default=64,
        metavar="OCTETS",
        help="octets of the TSDU sent after the CC (default 64; 0: none)",
    )
    parser.add_argument(
        "--hold",
        type=non_negative,
        default=0.1,
        metavar="S",
        help="seconds the association is kept after the data, reading the answer (default 0.1)",
    )
    parser.add_argument("--reset", action="store_true", help="close with a TCP reset")
    parser.add_argument(
        "--scenario",
        default=None,
        metavar="SCENARIO",
        help="play this scenario's peers instead, as the simulation plays them (arrivals, "
        "give-up, latency, data, hold, reset), time-scaled by --time-scale; excludes "
        "--connections/--rate/--timeout",
    )
    parser.add_argument(
        "--time-scale", type=positive, default=1.0, metavar="X", help=TIME_SCALE_HELP
    )
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="one line per connection on stderr"
    )
    add_max_connections_argument(parser)
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
    import trio  # the client's sockets: imported when the command runs

    from ..live import PeerOptions, parse_target

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
        limit = max_connections(args)
        scenario = load_scenario(args.scenario)
        check_connections(expected_connections(scenario), limit, f"the scenario {args.scenario}")
        summary = trio.run(_play, host, port, scenario, args.time_scale, log)
    else:
        summary = trio.run(_peers, host, port, options, log)
    if summary.nobody_listened:
        # Not an answer of the MTA: no connection reached a listener at all.
        print(
            f"mtasim peer: no listener at {summary.target} (every TCP connect was refused)",
            file=sys.stderr,
        )
        return EXIT_CHECK_FAILED
    print(summary.line())
    return EXIT_CHECK_FAILED if summary.failed or summary.no_listener else EXIT_OK


async def _peers(host: str, port: int, options: PeerOptions, log: Any) -> PeerSummary:
    from ..live import run_peers

    return await run_peers(host, port, options, log=log)


async def _play(host: str, port: int, scenario: Scenario, scale: float, log: Any) -> PeerSummary:
    from ..live import play_scenario

    return await play_scenario(host, port, scenario, time_scale=scale, log=log)
