"""The commands of ``mtasim``: their names, one-line helps and the modules that register them,
and their registration with argparse, lazily.

Rules of this module (``docs/performance.md``, "Start-up"):

* :data:`COMMANDS` is the one list of the commands, in the order of ``mtasim --help``, each
  with its one-line help (its only home: a module's ``register`` gives ``add_parser`` the
  description and the options, never the help) and the module that registers it. A module
  that registers several commands holds them next to each other in the list.
* A command's module is imported, and its options registered, only when the command may run:
  when its name is one of the words of the command line. Every other command is a stub parser
  with its name and help, which is all ``mtasim --help`` and argparse's "invalid choice"
  message show. ``mtasim --help`` therefore imports no command module, and ``mtasim CMD``
  only CMD's (and any other command's whose name is among the words, at no cost but time).
* A command module imports at its top only what registering it needs; what the command needs
  to run (trio, hypothesis, rich, matplotlib, the drivers) it imports when it runs.
  ``tests/test_startup.py`` checks both.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Collection
from typing import Any

#: ``(name, module, one-line help)`` of every command, in the order of ``mtasim --help``: run
#: and look, keep and compare, explore, draw, go live.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("run", "_run_cmd", "run a scenario and print the events the MTA logs"),
    ("replay", "_replay_cmd", "replay a recorded trace, on its build or another one"),
    ("compare", "_compare_cmd", "run one scenario on several builds and show what differs"),
    ("validate", "_scenario_cmds", "check scenario files without running them"),
    ("scenarios", "_scenario_cmds", "list the bundled scenarios"),
    (
        "show",
        "_scenario_cmds",
        "print a bundled scenario's TOML (a starting point for your own)",
    ),
    (
        "sweep",
        "_sweep_cmd",
        "run a scenario over a grid of knob values and write one CSV row per point",
    ),
    (
        "hunt",
        "_hunt_cmd",
        "find the smallest scenario that shows a behaviour (hypothesis search + shrink)",
    ),
    (
        "convert",
        "_convert_cmd",
        "convert a real log (EV0, Event Viewer, .evt) to EV0, Event Viewer or JSON Lines",
    ),
    (
        "diagnose",
        "_diagnose_cmd",
        "does a real server's log show the KB Q319936 problem? verdict, counts, next step",
    ),
    ("fit", "_fit_cmd", "a scenario that reproduces a real log's 4283 pairs, hour by hour"),
    ("timeline", "_report_cmds", "draw one connection as a sequence diagram in the terminal"),
    (
        "demo",
        "_report_cmds",
        "a guided, narrated walkthrough of the KB case, pre-fix then post-fix",
    ),
    ("report", "_report_cmds", "write a self-contained HTML report with SVG sequence diagrams"),
    (
        "phase-map",
        "_phase_cmd",
        "plot 4283s per connection over two knobs, one panel per build (PNG)",
    ),
    (
        "explore",
        "_explore_cmd",
        "write an interactive page: sliders over two knobs, the race at each point (HTML)",
    ),
    (
        "animate",
        "_animate_cmd",
        "animate the race on each build side by side (GIF, or MP4 with ffmpeg)",
    ),
    ("serve", "_serve_cmd", "run the NSI listener on real TCP (RFC 1006 / ISO 8073 class 0)"),
    (
        "peer",
        "_peer_cmd",
        "an RFC 1006 client: open connections against a listener and count the answers",
    ),
)

_HELP = {name: help_text for name, _, help_text in COMMANDS}


class _Commands:
    """The subparsers action as a command module's ``register`` sees it: ``add_parser`` gives
    each command its one-line help from :data:`COMMANDS`."""

    def __init__(self, action: Any) -> None:
        self._action = action

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self._action.add_parser(name, help=_HELP[name], **kwargs)
        return parser


def register_commands(action: Any, words: Collection[str] | None = None) -> None:
    """Add every command to the subparsers ``action``: in full (its module imported) when its
    name is one of ``words`` or ``words`` is ``None``, else as a stub with its name and help."""
    registered: set[str] = set()
    for name, module, help_text in COMMANDS:
        if module in registered:
            continue
        if words is None or any(n in words for n, m, _ in COMMANDS if m == module):
            registered.add(module)
            importlib.import_module(f"{__package__}.{module}").register(_Commands(action))
        else:
            action.add_parser(name, help=help_text)
