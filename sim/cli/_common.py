"""Options and helpers shared by the commands that take a scenario."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO

from .._atomic import atomic_text
from ..core import BUILDS
from ..scenario import DEFAULT_SCENARIO, Scenario, load_scenario


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario",
        nargs="?",
        default=None,
        metavar="SCENARIO",
        help=f"scenario file or bundled scenario name (default: {DEFAULT_SCENARIO}, the KB case; "
        "'mtasim scenarios' lists the bundled ones)",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. --set winsock.response_timeout=30 "
        "(repeatable; typed as the schema says)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="N",
        help="seed of the random draws (default: the scenario's)",
    )


def add_build_argument(parser: argparse.ArgumentParser) -> None:
    names = ", ".join(f"{b.version} ({'/'.join(b.aliases)})" for b in BUILDS)
    parser.add_argument(
        "--build",
        default=None,
        metavar="NAME",
        help=f"MTA build, by version or alias (default: the scenario's): {names}",
    )


def load(args: argparse.Namespace) -> Scenario:
    scenario = load_scenario(args.scenario, tuple(args.overrides))
    if args.seed is not None:
        if args.seed < 0:
            from ._app import UsageError

            raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
        scenario = scenario.with_seed(args.seed)
    return scenario


@contextlib.contextmanager
def output(path: str | None) -> Iterator[TextIO]:
    """stdout, or an atomically written file."""
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        with atomic_text(path) as handle:
            yield handle
    except OSError as exc:
        from ._app import UsageError

        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
