"""The options that choose one connection of a run (``--lpi``, ``--conn``) and the choice
itself, shared by the picture commands (``timeline``, ``report``, ``animate``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..core import Lpi
from ._common import UsageError

if TYPE_CHECKING:
    from ..report import RunLog


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "--lpi",
        default=None,
        metavar="N-N-N",
        help="the connection with this LPI, e.g. 1-15-12 (the first that used it; default: "
        "the first connection that logged a 4283, else the first connection)",
    )
    choice.add_argument(
        "--conn",
        type=int,
        default=None,
        metavar="N",
        help="the connection with this number (0 is the first to arrive)",
    )


def pick_connection(log: RunLog, lpi_text: str | None, conn: int | None) -> int:
    """The connection chosen by --lpi/--conn, or the default one."""
    from ..report import conn_for_lpi, connections, default_conn, lpis

    if lpi_text is not None:
        try:
            lpi = Lpi.parse(lpi_text)
        except ValueError as exc:
            raise UsageError(f"--lpi: {exc}") from None
        found = conn_for_lpi(log, lpi)
        if found is None:
            seen = ", ".join(str(x) for x in lpis(log)[:12]) or "none"
            raise UsageError(
                f"--lpi {lpi}: no connection used it on {log.build.alias} (LPIs: {seen})"
            )
        return found
    if conn is not None:
        if conn not in set(connections(log)):
            count = len(connections(log))
            raise UsageError(f"--conn {conn}: the run has connections 0 to {count - 1}")
        return conn
    chosen = default_conn(log)
    if chosen is None:
        raise UsageError(f"scenario {log.name} has no connection")
    return chosen
