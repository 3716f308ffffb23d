"""Validating parsed scenario data against the schema.

Rules of this module:

* Every problem becomes one :class:`Problem` line: ``FILE:LINE: KEY: what was found; expected
  WHAT``. All problems are collected before :class:`ScenarioError` is raised, so a user fixes
  them in one go; the error shows the first :data:`MAX_PROBLEMS` in file order and counts the
  rest.
* A value set by ``--set`` is blamed on the ``--set`` that set it, not on a line of the file.
* Unknown keys get a "did you mean" suggestion from the schema when one is close.
* Linear in the size of the data: the lines of the keys come from one pass over the text
  (:class:`KeyLines`), and suggestions are computed only for the problems shown.
* The last check needs a whole scenario: its epoch plus the latest virtual time it can reach
  must be a date (:func:`~sim.scenario._plan.epoch_problem`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, Protocol

from ..core import operating_system
from ..text._input import clip
from ..text._plural import plural
from ._check import kind
from ._plan import epoch_problem
from ._problem import MAX_PROBLEMS, Problem, ScenarioError
from ._scenario import CLASSES, PeerGroup, Scenario
from ._schema import ARRAY_TABLES, MAX_FLOOD, MAX_GROUPS, SCHEMA, field_for
from ._text import KeyLines

#: (table, index of the [[peers]] group or None, key) -> the ``--set`` assignment that set it.
SetBy = dict[tuple[str, int | None, str], str]


class _Report(Protocol):
    def __call__(
        self,
        table: str,
        key: str,
        message: str | Callable[[], str],
        index: int | None = None,
        blame: str | None = None,
    ) -> None: ...


def validate(
    data: dict[str, Any],
    origin: str,
    text: str = "",
    default_name: str = "",
    set_by: SetBy | None = None,
) -> Scenario:
    """Check parsed TOML against the schema; build a :class:`Scenario` or raise."""
    pending: list[tuple[bool, int, int, str, str, str | Callable[[], str]]] = []
    lines = KeyLines(text) if text else None
    overridden = set_by or {}

    def problem(
        table: str,
        key: str,
        message: str | Callable[[], str],
        index: int | None = None,
        blame: str | None = None,
    ) -> None:
        """``blame``: the key whose origin the problem has (default ``key``)."""
        dotted = (
            key
            if not table
            else (f"{table}[{index}].{key}" if index is not None else f"{table}.{key}")
        )
        assignment = overridden.get((table, index, blame or key))
        if assignment is not None:
            where, line = f"--set {clip(assignment)}", None
        else:
            where, line = origin, (None if lines is None else lines.line(table, key, index))
        pending.append((line is None, line or 0, len(pending), where, dotted, message))

    top = _section(data, "", problem)
    tables = {
        table: _section(_table(data, table, problem), table, problem)
        for table in SCHEMA
        if table and table not in ARRAY_TABLES
    }
    mta = tables["mta"]
    peers: list[dict[str, Any]] = []
    raw_peers = data.get("peers", [])
    if not isinstance(raw_peers, (list, tuple)) or not all(isinstance(p, dict) for p in raw_peers):
        problem("", "peers", f"found {kind(raw_peers)}; expected an array of tables ([[peers]])")
        raw_peers = []
    if len(raw_peers) > MAX_GROUPS:
        problem(
            "",
            "peers",
            f"found {plural(len(raw_peers), 'group', digits=',')}; expected at most {MAX_GROUPS:,}",
        )
        raw_peers = raw_peers[:MAX_GROUPS]
    for index, raw in enumerate(raw_peers):
        peers.append(_section(raw, "peers", problem, index))

    for key in data:
        if key not in SCHEMA and field_for("", key) is None:
            problem("", key, _unknown(key, ""))

    # Cross-field checks.
    _os_backlog(data, tables["winsock"], problem, overridden)
    _floods(peers, problem)
    if mta["open_associations"] > mta["control_blocks"] - 1:
        # Blamed on the --set that made it so, if one did.
        blame = "open_associations"
        if ("mta", None, blame) not in overridden and ("mta", None, "control_blocks") in overridden:
            blame = "control_blocks"
        problem(
            "mta",
            "open_associations",
            f"{plural(mta['open_associations'], 'association')} "
            f"need{'s' if mta['open_associations'] == 1 else ''} more control blocks than the "
            f"{mta['control_blocks']} configured (one is the listener's); expected at most "
            f"{mta['control_blocks'] - 1}",
            blame=blame,
        )
    if not pending:
        scenario = Scenario(
            **{**top, "name": top["name"] or default_name},
            **{table: CLASSES[table](**values) for table, values in tables.items()},
            peers=tuple(
                PeerGroup(**{**p, "name": p["name"] or f"peer-{i + 1}"})
                for i, p in enumerate(peers)
            ),
            origin=origin,
        )
        reason = epoch_problem(scenario)
        if reason is None:
            return scenario
        problem("", "epoch", reason)
    # In file order; problems without a line (missing keys, --set) last, in schema order.
    pending.sort(key=lambda p: p[:3])
    shown = [
        Problem(where, dotted, message if isinstance(message, str) else message(), line or None)
        for _, line, _, where, dotted, message in pending[:MAX_PROBLEMS]
    ]
    raise ScenarioError(shown, more=len(pending) - len(shown))


def _os_backlog(
    data: dict[str, Any], winsock: dict[str, Any], problem: _Report, overridden: SetBy
) -> None:
    """The backlog follows the OS (rule ``os-limits``): its limit when the scenario names
    none, and never more than it."""
    os = operating_system(winsock["os"])
    raw = data.get("winsock", {})
    if not (isinstance(raw, dict) and "max_half_open" in raw):
        winsock["max_half_open"] = os.max_half_open
    named = isinstance(raw, dict) and "backlog" in raw
    if not named:
        winsock["backlog"] = os.max_backlog
        return
    backlog = winsock["backlog"]
    if backlog != raw["backlog"] or backlog <= os.max_backlog:
        return  # its own problem was reported, or it is within the limit
    blame = "backlog"
    if ("winsock", None, blame) not in overridden and ("winsock", None, "os") in overridden:
        blame = "os"
    source = os.source.strip("[]")
    problem(
        "winsock",
        "backlog",
        f"found {backlog}; expected at most {os.max_backlog}, the listen backlog limit of "
        f"{os.title} (winsock.os = {os.name!r}, {source})",
        blame=blame,
    )


def _floods(peers: list[dict[str, Any]], problem: _Report) -> None:
    """A SYN flood has at most :data:`MAX_FLOOD` SYNs: the model plays each one."""
    for index, group in enumerate(peers):
        if group["kind"] == "syn-flood" and group["count"] > MAX_FLOOD:
            problem(
                "peers",
                "count",
                f"found {group['count']:,} SYNs in a syn-flood group; expected at most "
                f"{MAX_FLOOD:,}",
                index,
            )


def _table(data: dict[str, Any], name: str, problem: _Report) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        problem("", name, f"expected a table [{name}], found {kind(value)}")
        return {}
    return value


def _section(
    raw: dict[str, Any], table: str, problem: _Report, index: int | None = None
) -> dict[str, Any]:
    """Validate one table's keys; return the values (defaults filled in)."""
    out: dict[str, Any] = {}
    for f in SCHEMA[table]:
        if f.key not in raw:
            out[f.key] = f.check(f.default)
            continue
        try:
            out[f.key] = f.check(raw[f.key])
        except ValueError as exc:
            problem(table, f.key, str(exc), index)
            out[f.key] = f.check(f.default)
    if table:
        for key in raw:
            if field_for(table, key) is None:
                problem(table, key, _unknown(key, table), index)
    return out


def _unknown(key: str, table: str) -> Callable[[], str]:
    """The message of an unknown key, its suggestion computed only if it is shown."""
    return lambda: "unknown key" + did_you_mean(key, table)


def did_you_mean(key: str, table: str) -> str:
    """`` (did you mean 'x'?)`` when the schema has a key close to ``key``, else ``""``."""
    if len(key) > 64:
        return ""
    candidates = [f.key for f in SCHEMA.get(table, ())]
    if not table:
        candidates += [name for name in SCHEMA if name]
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    if not close and table == "":
        # A section key written at the top level ("response_timeout = 5").
        for name, fields in SCHEMA.items():
            if name and any(f.key == key for f in fields):
                return f" (did you mean {name}.{key}?)"
    return f" (did you mean {close[0]!r}?)" if close else ""
