"""Writing a scenario back as TOML (for ``mtasim hunt`` and ``mtasim show``-style output).

Rules of this module:

* The output is TOML that :func:`~sim.scenario.parse_scenario` reads back to an equal
  scenario (``to_dict()`` equal); a test checks the round trip on generated scenarios.
* ``minimal=True`` leaves out every key equal to its schema default, so a file shows only the
  knobs that matter; ``name``, ``description``, ``seed``, ``epoch`` and ``build`` are always
  written.
"""

from __future__ import annotations

from typing import Any

from ._scenario import Scenario
from ._schema import ARRAY_TABLES, SCHEMA

_ALWAYS = frozenset({"name", "description", "seed", "epoch", "build"})


def _lines(obj: Any, table: str, minimal: bool) -> list[str]:
    """``key = value`` of each field (by its type), the defaults left out if ``minimal``."""
    lines = []
    for f in SCHEMA[table]:
        value = getattr(obj, f.key)
        if not minimal or (not table and f.key in _ALWAYS) or not f.type.is_default(f, value):
            lines.append(f"{f.key} = {f.type.toml(value)}")
    return lines


def to_toml(scenario: Scenario, *, minimal: bool = True, comment: str = "") -> str:
    """The scenario as TOML text."""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines += _lines(scenario, "", minimal)
    for table in SCHEMA:
        if table in ARRAY_TABLES:
            for item in getattr(scenario, table):
                lines += ["", f"[[{table}]]", *_lines(item, table, minimal)]
        elif table:
            body = _lines(getattr(scenario, table), table, minimal)
            if body:
                lines += ["", f"[{table}]", *body]
    return "\n".join(lines) + "\n"
