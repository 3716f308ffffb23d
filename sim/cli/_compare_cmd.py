"""``mtasim compare``: one scenario, identical inputs, several builds, side by side."""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import Any

from ..app._run import run
from ..core import resolve_build
from ..render._summary import compare_rows, event_oneline, why_counts_differ
from ..text._plural import plural
from ._common import UsageError, add_driver_argument, add_scenario_arguments
from ._console import add_color_argument, make_console
from ._limits import add_max_connections_argument, load_bounded

#: Styles of the event difference's lines: only on the first build, only on the other.
DIFF_STYLES = {"-": "red", "+": "green"}


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "compare",
        description="Run a scenario on two or more builds with identical inputs (the same "
        "arrivals and drawn delays) and print a side-by-side summary and the event-level "
        "difference.",
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--builds",
        default="pre-fix,post-fix",
        metavar="A,B[,C...]",
        help="builds to compare, by version or alias (default: pre-fix,post-fix)",
    )
    add_driver_argument(parser)
    parser.add_argument(
        "--limit",
        type=int,
        default=40,
        metavar="N",
        help="show at most N lines of the event difference (default 40; 0: all)",
    )
    add_max_connections_argument(parser)
    add_color_argument(parser)
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from rich import box
    from rich.table import Table

    names = [n.strip() for n in args.builds.split(",") if n.strip()]
    builds = [resolve_build(n) for n in names]
    if len(builds) < 2:
        raise UsageError(f"--builds needs at least two builds, got {args.builds!r}")
    if len({b.version for b in builds}) != len(builds):
        raise UsageError(f"--builds names the same build twice: {args.builds!r}")
    if args.limit < 0:
        raise UsageError(f"--limit must be 0 or more, got {args.limit}")
    scenario = load_bounded(args)
    results = [run(scenario, b, driver=args.driver) for b in builds]

    console = make_console(sys.stdout, args.color, width=100, soft_wrap=True)
    console.print(
        f"scenario {scenario.name or scenario.origin} (seed {scenario.seed}), identical inputs "
        f"on {plural(len(builds), 'build')}"
    )
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("")
    for b in builds:
        table.add_column(f"{b.alias}\n{b.version}", justify="right")
    for label, values in compare_rows([r.summary for r in results]):
        table.add_row(label, *(str(v) for v in values))
    console.print(table)

    base = results[0]
    for other in results[1:]:
        why = why_counts_differ(base.build, base.summary, other.build, other.summary)
        if why is not None:
            console.print(why, markup=False)
    base_lines = [event_oneline(e) for e in base.events]
    for other in results[1:]:
        other_lines = [event_oneline(e) for e in other.events]
        diff = list(
            difflib.unified_diff(
                base_lines, other_lines, base.build.alias, other.build.alias, n=0, lineterm=""
            )
        )
        body = [line for line in diff if not line.startswith("@@")]
        if not body:
            console.print(
                f"events: {base.build.alias} and {other.build.alias} log the same "
                f"{plural(len(base_lines), 'event')}"
            )
            continue
        removed = sum(1 for line in body[2:] if line.startswith("-"))
        added = sum(1 for line in body[2:] if line.startswith("+"))
        console.print(
            f"events: {removed} only on {base.build.alias}, {added} only on "
            f"{other.build.alias} (- {base.build.alias}, + {other.build.alias})"
        )
        shown = body[2:] if args.limit == 0 else body[2 : 2 + args.limit]
        for line in shown:
            # Coloured like a diff where colour is wanted (see _console).
            console.print(line, markup=False, style=DIFF_STYLES.get(line[:1]))
        hidden = len(body) - 2 - len(shown)
        if hidden > 0:
            console.print(f"... {plural(hidden, 'more line')} (--limit 0 shows all)")
    return 0
