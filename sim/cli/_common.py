"""Options and helpers shared by the commands."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO

from ..app._atomic import OutputError, atomic_text, probe, same_destination, shown
from ..core import BUILDS, Build, MtasimError, resolve_build
from ..scenario import DEFAULT_SCENARIO, Scenario, check_value, load_scenario
from ..text._input import clip


class UsageError(MtasimError):
    """Bad usage or bad input: printed as one line, exit code 2."""


def add_scenario_arguments(parser: argparse.ArgumentParser, *, many: bool = False) -> None:
    if many:
        parser.add_argument(
            "scenarios",
            nargs="+",
            metavar="SCENARIO",
            help="scenario files or bundled scenario names",
        )
    else:
        parser.add_argument(
            "scenario",
            nargs="?",
            default=None,
            metavar="SCENARIO",
            help=f"scenario file or bundled scenario name (default: {DEFAULT_SCENARIO}, the KB "
            "case; 'mtasim scenarios' lists the bundled ones)",
        )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. --set winsock.response_timeout=30 "
        "(repeatable; typed as the schema says; see docs/scenarios.md)",
    )
    if not many:
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            metavar="N",
            help="seed of the random draws (default: the scenario's)",
        )


def build_help() -> str:
    return ", ".join(f"{b.version} ({'/'.join((*b.spellings, *b.aliases))})" for b in BUILDS)


def add_build_argument(parser: argparse.ArgumentParser, default_text: str) -> None:
    parser.add_argument(
        "--build",
        default=None,
        metavar="NAME",
        help=f"MTA build, by version or alias (default: {default_text}): {build_help()}",
    )


def add_driver_argument(parser: argparse.ArgumentParser) -> None:
    from ..app._run import DRIVERS  # here: 'mtasim scenarios' imports neither runs nor forms

    parser.add_argument(
        "--driver",
        choices=DRIVERS,
        default="trio",
        help="trio: the async model on trio under a virtual clock (default, the "
        "reference); batch: the same core from a plain event heap (identical "
        "output, faster)",
    )


def add_format_arguments(parser: argparse.ArgumentParser) -> None:
    from ..render import FORMATS

    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="ev0",
        help="ev0: the EV0.LOG text log (default); eventviewer: Event Viewer "
        "properties; jsonl: one JSON object per event",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        default=None,
        help="write the events to FILE (atomically) instead of stdout",
    )


def load(args: argparse.Namespace, spec: str | None = None) -> Scenario:
    """The scenario of a command: its file or bundled name, its ``--set`` overrides, its
    ``--seed`` (checked by the schema's ``seed`` field, as ``--set seed=N`` would be)."""
    scenario = load_scenario(spec if spec is not None else args.scenario, tuple(args.overrides))
    seed = getattr(args, "seed", None)
    if seed is not None:
        scenario = scenario.with_seed(check_value("seed", seed, f"--seed {clip(str(seed))}"))
    return scenario


@contextlib.contextmanager
def output(path: str | None) -> Iterator[TextIO]:
    """stdout, or a file written atomically (``sim.app._atomic``: a failure is one
    ``OutputError`` line naming the file)."""
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    with atomic_text(path) as handle:
        yield handle


def check_writable(path: str | None, option: str) -> None:
    """Fail early (before a long run) when an output file cannot be created."""
    if path is None or path == "-":
        return
    try:
        probe(path)
    except OutputError as exc:
        raise UsageError(f"cannot write {shown(path)} ({option}): {exc.strerror}") from None


def add_builds_argument(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--builds",
        default=default,
        metavar="A,B[,C...]",
        help=f"builds to show, by version or alias, or 'all' (default: {default})",
    )


def parse_builds(text: str) -> list[Build]:
    if text.strip().lower() == "all":
        return list(BUILDS)
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError(f"--builds names no build: {text!r}")
    builds = [resolve_build(n) for n in names]
    if len({b.version for b in builds}) != len(builds):
        raise UsageError(f"--builds names the same build twice: {text!r}")
    return builds


def check_distinct(*outputs: tuple[str, str | None]) -> None:
    """Refuse two output options that name one file, however spelled (a relative path, a
    symlink, a hard link): the second writer would replace what the first wrote. A character
    device (``/dev/null``) keeps nothing to lose and is allowed twice."""
    named = [(option, path) for option, path in outputs if path is not None and path != "-"]
    for i, (option, path) in enumerate(named):
        for other_option, other in named[:i]:
            if same_destination(path, other):
                raise UsageError(
                    f"{other_option} {shown(other)} and {option} {shown(path)} are the same "
                    "file: one would replace the other; give them different names"
                )
