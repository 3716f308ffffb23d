"""Writing a scenario back as TOML (for ``mtasim hunt`` and ``mtasim show``-style output).

Rules of this module:

* The output is TOML that :func:`~sim.scenario.parse_scenario` reads back to an equal
  scenario (``to_dict()`` equal); a test checks the round trip on generated scenarios.
* ``minimal=True`` leaves out every key equal to its schema default, so a file shows only the
  knobs that matter; ``name``, ``description``, ``seed``, ``epoch`` and ``build`` are always
  written.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from ..core import LoggingLevel
from ..text._input import quote
from ._scenario import Scenario
from ._schema import SCHEMA, Field

_ALWAYS = frozenset({"name", "description", "seed", "epoch", "build"})


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, LoggingLevel):
        return json.dumps(value.label)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {quote(value, 40)} as TOML")


def _is_default(f: Field, value: Any) -> bool:
    default = f.default
    if isinstance(value, LoggingLevel):
        return value.label == str(default)
    if isinstance(value, float) and isinstance(default, float):
        return value == default or (math.isinf(value) and math.isinf(default))
    return bool(value == default)


def to_toml(scenario: Scenario, *, minimal: bool = True, comment: str = "") -> str:
    """The scenario as TOML text."""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    for f in SCHEMA[""]:
        value = getattr(scenario, f.key)
        if not minimal or f.key in _ALWAYS or not _is_default(f, value):
            lines.append(f"{f.key} = {_value(value)}")
    for table, obj in (("winsock", scenario.winsock), ("mta", scenario.mta)):
        body = [
            f"{f.key} = {_value(getattr(obj, f.key))}"
            for f in SCHEMA[table]
            if not minimal or not _is_default(f, getattr(obj, f.key))
        ]
        if body:
            lines += ["", f"[{table}]", *body]
    for group in scenario.peers:
        lines += ["", "[[peers]]"]
        lines += [
            f"{f.key} = {_value(getattr(group, f.key))}"
            for f in SCHEMA["peers"]
            if not minimal or not _is_default(f, getattr(group, f.key))
        ]
    return "\n".join(lines) + "\n"
