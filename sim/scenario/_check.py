"""Values in messages: how a scenario message names what it found.

Rules of this module:

* Every scenario message about a value says ``found KIND VALUE; expected WHAT``: ``KIND`` is
  the TOML name of the value's type (:func:`kind`), ``VALUE`` the value quoted by
  :func:`describe`, ``WHAT`` the field's :meth:`~sim.scenario.Field.expected`. The checks
  themselves are the field types' (``sim.scenario._types``).
* A value is quoted by :func:`describe` (at most :data:`SHOWN` characters; an integer of more
  than 40 digits by its number of digits), never whole.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from ..text._input import digits, quote

#: Characters of a value quoted in a message.
SHOWN = 40


def kind(value: Any) -> str:
    """The TOML name of a value's type."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "date-time"
    if isinstance(value, (date, time)):
        return "date" if isinstance(value, date) else "time"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


def describe(value: Any) -> str:
    """``integer 0``, ``string 'four'``, ``integer of 5,000 digits``: a value in a message."""
    if value is None:
        return "None"
    if isinstance(value, int) and not isinstance(value, bool):
        count = digits(value)
        return f"integer {value}" if count <= SHOWN else f"integer of {count:,} digits"
    if isinstance(value, str):
        if len(value) <= SHOWN:
            return f"string {value!r}"
        return f"string of {len(value):,} characters {quote(value[: SHOWN - 3], SHOWN)}..."
    plain = isinstance(value, (float, datetime, date, time))
    text = str(value) if plain else quote(value, SHOWN)
    return f"{kind(value)} {text if len(text) <= SHOWN else text[: SHOWN - 3] + '...'}"
