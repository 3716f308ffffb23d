"""Reading untrusted input: bounded quoting, bounded lines, bounded JSON.

Rules of this module (the one home of each; every reader of a user's file uses them):

* An error message quotes at most :data:`QUOTE_LIMIT` characters of the input it refuses:
  :func:`quote` for values (``repr``-like, a huge integer by its number of digits), :func:`clip`
  for names. A 100 MB line costs a 200-character message.
* Text is read line by line with a length cap (:func:`read_lines`): ``/dev/zero`` or a line
  without an end costs at most the cap, then one error naming the line.
* JSON is parsed by :func:`load_json`: the nesting is measured before :mod:`json` recurses;
  integers of more than :data:`MAX_JSON_DIGITS` digits (which Python refuses to convert),
  numbers too large for a float and ``NaN`` / ``Infinity`` (not JSON) are refused with the
  path of the field that holds them. Any other value's range is its reader's to check.
* Errors are :class:`InputError` (a ``ValueError``) without a file name: the caller knows
  the file and the line and turns it into its own error class.

This module imports nothing from the package: every layer above the core may use it.
"""

from __future__ import annotations

import json
import math
import re
import reprlib
from collections.abc import Iterator
from typing import Any, TextIO

#: The most characters of offending input an error message quotes.
QUOTE_LIMIT = 200
#: The deepest nesting of arrays and objects (or TOML arrays and inline tables) accepted.
MAX_DEPTH = 32
#: Integers in JSON input have at most this many digits: Python's own limit on converting
#: digits to an int. (Every field has a far smaller range of its own, checked by its reader.)
MAX_JSON_DIGITS = 4300

_LOG10_2 = math.log10(2)


class InputError(ValueError):
    """Input refused before it reaches a parser's recursion or a conversion's limits."""


# -- quoting ---------------------------------------------------------------------------------
def digits(value: int) -> int:
    """The number of decimal digits of ``value``, without converting it to a string (which
    Python refuses beyond 4,300 digits)."""
    n = abs(value)
    if n < 10**18:
        return len(str(n))
    estimate = int((n.bit_length() - 1) * _LOG10_2) + 1
    return estimate + int(n >= 10**estimate)


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` as it is, or its first ``limit`` characters and how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


class _Bounded(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        count = digits(x)
        return repr(x) if count <= self.maxlong else f"<an integer of {count:,} digits>"


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A short, ``repr``-like text of ``value`` for an error message (at most about ``limit``
    characters): a string in quotes, a huge integer as "an integer of N digits", a container
    shortened."""
    if isinstance(value, str):
        shown = repr(value[: limit + 1])
        if len(value) <= limit and len(shown) <= limit + 2:
            return shown
        return f"{shown[:limit]}... ({len(value):,} characters)"
    bounded = _Bounded()
    bounded.maxstring = bounded.maxother = bounded.maxlong = limit
    bounded.maxlevel = 3
    return clip(bounded.repr(value), limit)


# -- lines -----------------------------------------------------------------------------------
def read_lines(handle: TextIO, limit: int) -> Iterator[str]:
    """The lines of ``handle`` (each with its line end), refusing a line of more than
    ``limit`` characters after reading at most ``limit + 1`` of it."""
    number = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and line[-1] not in "\r\n":
            raise InputError(f"line {number}: longer than {limit:,} characters")
        yield line


# -- JSON ------------------------------------------------------------------------------------
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


class _Refused:
    """What :func:`load_json` puts where a number it refuses was (to find its path)."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what


def check_depth(text: str, tokens: re.Pattern[str], limit: int = MAX_DEPTH) -> int | None:
    """The 0-based offset of the first bracket nested deeper than ``limit`` (``tokens``
    matches the strings to skip and the brackets ``[ ] { }``), or ``None``."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    for match in tokens.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


class _Refuse(Exception):
    """A number the fast path of :func:`load_json` does not take."""


def _finite(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _Refuse
    return value


def _constant(token: str) -> float:
    raise _Refuse


# Integers are converted by json's C scanner (Python's digit limit raises ValueError past
# MAX_JSON_DIGITS); floats that overflow and NaN / Infinity raise _Refuse.
_FAST = json.JSONDecoder(parse_float=_finite, parse_constant=_constant)


def load_json(text: str) -> Any:
    """``json.loads`` for untrusted text; :class:`InputError` names what is wrong and where."""
    if check_depth(text, _JSON_TOKENS) is not None:
        raise InputError(f"nested more than {MAX_DEPTH} levels deep")
    try:
        return _FAST.decode(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except (_Refuse, ValueError):
        pass  # a number to refuse: decode again, slowly, to find which field holds it
    except RecursionError:  # pragma: no cover - check_depth comes first
        raise InputError(f"nested more than {MAX_DEPTH} levels deep") from None
    refused: list[_Refused] = []

    def parse_int(token: str) -> int | _Refused:
        digits = len(token.lstrip("-"))
        if digits > MAX_JSON_DIGITS:
            mark = _Refused(f"an integer of {digits:,} digits (more than any field holds)")
            refused.append(mark)
            return mark
        return int(token)

    def parse_float(token: str) -> float | _Refused:
        value = float(token)
        if math.isinf(value):
            mark = _Refused(f"the number {clip(token, 40)} is too large for a float")
            refused.append(mark)
            return mark
        return value

    def parse_constant(token: str) -> _Refused:
        mark = _Refused(f"{token} is not a JSON number")
        refused.append(mark)
        return mark

    obj = json.loads(
        text, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant
    )
    path = _path_to(obj, refused[0])
    raise InputError(f"field {quote(path, 100)}: {refused[0].what}" if path else refused[0].what)


def _path_to(obj: Any, mark: _Refused, path: str = "") -> str | None:
    """The dotted path of ``mark`` in ``obj`` (``scenario.peers[0].count``)."""
    if obj is mark:
        return path
    items: Any = ()
    if isinstance(obj, dict):
        items = ((f"{path}.{key}" if path else str(key), value) for key, value in obj.items())
    elif isinstance(obj, list):
        items = ((f"{path}[{i}]", value) for i, value in enumerate(obj))
    for where, value in items:
        found = _path_to(value, mark, where)
        if found is not None:
            return found
    return None
