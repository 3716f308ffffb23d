"""One value against its schema field: the found/expected rule of every scenario message.

Rules of this module:

* :func:`coerce` gives the value as the field's type or raises ``ValueError`` with
  ``found KIND VALUE; expected WHAT`` (``WHAT`` from :meth:`Field.expected`). Files, ``--set``,
  ``--seed``, trace headers and scenarios built in Python all go through it, so they get the
  same rules and the same messages.
* Ranges are compared exactly: an integer is never converted to a float first (which made
  seeds from 2**63 - 512 upwards compare as 2**63), and a huge integer is out of range, never
  an ``OverflowError``.
* A value is quoted by :func:`describe` (at most 40 characters; an integer of more than 40
  digits by its number of digits), never whole.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time
from typing import Any

from ..core import BuildError, LoggingLevel, resolve_build
from ..text._input import digits, quote
from ._schema import Field, Type

#: Characters of a value quoted in a message.
SHOWN = 40


def coerce(f: Field, value: Any) -> Any:
    """The value as the field's type, or ``ValueError`` saying found/expected."""
    found = f"found {describe(value)}"
    expected = f"expected {f.expected()}"
    if f.type is Type.STRING:
        if not isinstance(value, str) or (f.maximum is not None and len(value) > f.maximum):
            raise ValueError(f"{found}; {expected}")
        return value
    if f.type is Type.CHOICE:
        if not isinstance(value, str) or value not in f.choices:
            raise ValueError(f"{found}; {expected}")
        return value
    if f.type is Type.BUILD:
        if not isinstance(value, str):
            raise ValueError(f"{found}; {expected}")
        if len(value) > SHOWN:
            raise ValueError(f"{found}; {expected}")
        try:
            return resolve_build(value).version
        except BuildError as exc:
            raise ValueError(str(exc)) from None
    if f.type is Type.LOGGING:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValueError(f"{found}; {expected}")
        try:
            return LoggingLevel.parse(value)
        except ValueError:
            raise ValueError(f"{found}; {expected}") from None
    if f.type is Type.DATETIME:
        return _datetime(value, found, expected)
    if f.type is Type.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{found}; {expected}")
        _check_range(f, value, found, expected)
        return int(value)
    # seconds
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{found}; {expected}")
    if isinstance(value, float) and math.isnan(value):
        raise ValueError(f"{found}; {expected}")
    if isinstance(value, float) and math.isinf(value):
        if f.type is Type.SECONDS_OR_INF and value > 0:
            return value
        raise ValueError(f"{found}; {expected}")
    _check_range(f, value, found, expected)
    return float(value)


def _datetime(value: Any, found: str, expected: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError(
                f"{found}; expected a local date-time without a UTC offset "
                "(the MTA prints local time)"
            )
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{found}; {expected}") from None
        if parsed.tzinfo is not None:
            raise ValueError(f"{found}; expected a local date-time without a UTC offset")
        return parsed
    if isinstance(value, (date, time)):
        raise ValueError(f"{found}; {expected} (a date and a time)")
    raise ValueError(f"{found}; {expected}")


def _check_range(f: Field, number: int | float, found: str, expected: str) -> None:
    # int against float compares exactly in Python: no conversion, no overflow.
    if f.minimum is not None and (
        number < f.minimum or (f.exclusive_minimum and number == f.minimum)
    ):
        raise ValueError(f"{found}; {expected}")
    if f.maximum is not None and number > f.maximum:
        raise ValueError(f"{found}; {expected}")


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
