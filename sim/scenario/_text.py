"""The text of a scenario file: what is refused before ``tomllib`` reads it, and where each
key is set.

Rules of this module:

* :func:`prescan` looks at the raw TOML once, skipping strings and comments: arrays and
  inline tables nested more than :data:`~sim.text._input.MAX_DEPTH` deep, and numbers of more than
  :data:`MAX_DIGITS` digits, are refused with their line before ``tomllib`` recurses or
  converts (no scenario value needs either; ``tomllib`` would raise ``RecursionError`` or hit
  Python's 4,300-digit limit).
* :class:`KeyLines` finds the line of every key in one pass over the text, so that naming
  the lines of N problems costs one pass, not N.
"""

from __future__ import annotations

import re

from ..text._input import MAX_DEPTH, check_depth

#: The most digits in one number of a scenario file (the largest value, a seed, has 19).
MAX_DIGITS = 100

# Strings and comments (skipped), brackets, digit runs and line ends, in one alternation.
_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""(?!")'
    r"|'''.*?'''(?!')"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|[\[\]{}]"
    r"|[0-9][0-9_]*",
    re.S,
)
_LONG_RUN = re.compile(f"[0-9_]{{{MAX_DIGITS + 1},}}")


def prescan(text: str) -> tuple[int, str] | None:
    """``(line, message)`` of the first thing ``tomllib`` must not be given, or ``None``."""
    deep = check_depth(text, _TOKENS)
    if deep is not None:
        return text.count("\n", 0, deep) + 1, (
            f"not valid TOML here: arrays or inline tables nested more than {MAX_DEPTH} levels deep"
        )
    if _LONG_RUN.search(text) is None:
        return None
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token[0].isdigit() and len(token.replace("_", "")) > MAX_DIGITS:
            return text.count("\n", 0, match.start()) + 1, (
                f"a number of {len(token.replace('_', '')):,} digits; no scenario value "
                f"needs more than {MAX_DIGITS}"
            )
    return None


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


class KeyLines:
    """The 1-based line where each key is first set, from one pass over the text."""

    def __init__(self, text: str) -> None:
        # (table, occurrence of the table or -1 before any header, key) -> line
        self._exact: dict[tuple[str, int, str], int] = {}
        # (table, key) -> first line in any occurrence of the table, or dotted at the top
        self._any: dict[tuple[str, str], int] = {}
        current = ""
        seen: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                current = header.group(1)
                seen[current] = seen.get(current, -1) + 1
                continue
            key = _KEY.match(line)
            if key is None:
                continue
            parts = [part.strip() for part in key.group(1).split(".")]
            if current == "":
                if len(parts) == 1:
                    self._exact.setdefault(("", -1, parts[0]), number)
                elif len(parts) == 2:
                    self._any.setdefault((parts[0], parts[1]), number)
                    self._exact.setdefault((parts[0], -2, parts[1]), number)
                continue
            if len(parts) == 2 and parts[0] == current:
                parts = parts[1:]
            if len(parts) == 1:
                self._exact.setdefault((current, seen[current], parts[0]), number)
                self._any.setdefault((current, parts[0]), number)

    def line(self, table: str, key: str, index: int | None) -> int | None:
        """Where ``key`` is set in ``table`` (its ``index``-th occurrence, for an array of
        tables), or ``None`` when the text does not set it in a form this recognises."""
        if table == "":
            return self._exact.get(("", -1, key))
        if index is None:
            return self._any.get((table, key))
        dotted = self._exact.get((table, -2, key))
        return dotted if dotted is not None else self._exact.get((table, index, key))
