"""Counts in words: ``plural(1, "event")`` is ``1 event``, ``plural(2, "event")`` ``2 events``.

The one place every user-facing count gets its number right (commands, reports, live mode).
Imports nothing, so every layer may use it.
"""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None, *, digits: str = "") -> str:
    """``count`` and ``word``, with ``many`` (default: ``word + "s"``) unless it is exactly 1.

    ``digits`` formats the number (``","`` for ``10,000,000``)."""
    return f"{count:{digits}} {word if count == 1 else (many or word + 's')}"
