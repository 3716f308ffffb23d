"""``mtasim validate`` and ``mtasim scenarios``."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from ..app._limits import ANNOUNCE_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, expected_connections
from ..scenario import Problem, ScenarioError, bundled_names, bundled_text, load_scenario
from ..text._plural import plural
from ._common import add_scenario_arguments
from ._exit import EXIT_USAGE


def register(commands: Any) -> None:
    validate = commands.add_parser(
        "validate",
        description="Check scenario files against the schema without running them. Every "
        "problem is one line (file, line, key, what was found, what was expected); exit 2 if "
        "any file has one.",
    )
    add_scenario_arguments(validate, many=True)
    validate.set_defaults(handler=validate_main)

    listing = commands.add_parser(
        "scenarios",
        description="List the scenarios shipped with mtasim; name one without a path, e.g. "
        "'mtasim run heavy-load'.",
    )
    listing.set_defaults(handler=scenarios_main)

    show = commands.add_parser(
        "show",
        description="Print the TOML text of a bundled scenario, e.g. 'mtasim show heavy-load > "
        "mine.toml'.",
    )
    show.add_argument("name", metavar="NAME", help="a bundled scenario name")
    show.set_defaults(handler=show_main)


def validate_main(args: argparse.Namespace) -> int:
    failed = False
    for spec in args.scenarios:
        try:
            scenario = load_scenario(spec, tuple(args.overrides))
        except ScenarioError as exc:
            failed = True
            for problem in exc.problems:
                print(f"mtasim validate: {problem}", file=sys.stderr)
            continue
        connections = expected_connections(scenario)
        print(
            f"{spec}: ok ({scenario.name}: {plural(len(scenario.peers), 'peer group')}, "
            f"{plural(connections, 'connection')}, build {scenario.resolved_build.label})"
        )
        if connections > DEFAULT_MAX_CONNECTIONS:
            print(
                f"mtasim validate: {spec}: {plural(connections, 'connection', digits=',')}: "
                f"more than the {DEFAULT_MAX_CONNECTIONS:,} a run may have; mtasim run "
                f"refuses it without --max-connections {connections}",
                file=sys.stderr,
            )
        elif connections >= ANNOUNCE_CONNECTIONS:
            print(
                f"mtasim validate: {spec}: {plural(connections, 'connection', digits=',')}: "
                "a long run",
                file=sys.stderr,
            )
    return EXIT_USAGE if failed else 0


def scenarios_main(args: argparse.Namespace) -> int:
    names = bundled_names()
    width = max(len(n) for n in names) + 2
    for name in names:
        lines = textwrap.wrap(load_scenario(name).description, 98 - width) or [""]
        print(f"{name:<{width}}{lines[0]}")
        for line in lines[1:]:
            print(" " * width + line)
    print("\nRun one with 'mtasim run NAME'; print its file with 'mtasim show NAME'.")
    return 0


def show_main(args: argparse.Namespace) -> int:
    name = args.name[: -len(".toml")] if args.name.endswith(".toml") else args.name
    if name not in bundled_names():
        known = ", ".join(bundled_names())
        raise ScenarioError([Problem(args.name, "", f"no bundled scenario of that name ({known})")])
    sys.stdout.write(bundled_text(name))
    return 0
