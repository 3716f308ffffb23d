"""The one place a command gets its rich Console: colour or not, by ``--color`` and
``NO_COLOR`` and whether the stream is a terminal.

Rules (``docs/commands.md``, "Conventions"):

* ``--color always`` colours, even on a pipe or with ``NO_COLOR`` set (a flag on the command
  line overrides the environment); ``--color never`` does not.
* ``--color auto`` (the default) colours only on a terminal, and never when ``NO_COLOR`` is
  set to anything but the empty string (https://no-color.org).
* Without colour, a terminal may still get bold and dim (``NO_COLOR`` forbids colour, not
  emphasis); a pipe gets no escape sequence at all.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

COLOR_CHOICES = ("auto", "always", "never")


def add_color_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour: auto (default: on a terminal, unless NO_COLOR is set), always, never",
    )


def wants_color(stream: TextIO, color: str = "auto") -> bool:
    """Whether output to ``stream`` is coloured under ``--color color``."""
    if color == "always":
        return True
    if color == "never" or os.environ.get("NO_COLOR", ""):
        return False
    return stream.isatty()


def make_console(
    stream: TextIO,
    color: str = "auto",
    *,
    width: int | None = None,
    soft_wrap: bool = False,
) -> Console:
    """A Console on ``stream`` that colours as :func:`wants_color` says. ``width``: fixed
    columns (default: the terminal's, 80 on a pipe)."""
    from rich.console import Console  # imported by the commands that draw, when they run

    use = wants_color(stream, color)
    return Console(
        file=stream,
        highlight=False,
        emoji=False,
        soft_wrap=soft_wrap,
        no_color=not use,
        force_terminal=True if color == "always" else None,
        width=width if width is not None else (None if stream.isatty() else 80),
    )
