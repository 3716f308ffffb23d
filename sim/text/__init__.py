"""Text helpers every layer shares, importing nothing of mtasim: untrusted input read with
bounds (line lengths, nesting depth, number sizes) and quoted short in error lines, and counts
in words (``1 event``, ``2 events``)."""

from ._input import (
    MAX_DEPTH,
    QUOTE_LIMIT,
    InputError,
    check_depth,
    clip,
    digits,
    load_json,
    quote,
    read_lines,
)
from ._plural import plural

__all__ = [
    "MAX_DEPTH",
    "QUOTE_LIMIT",
    "InputError",
    "check_depth",
    "clip",
    "digits",
    "load_json",
    "plural",
    "quote",
    "read_lines",
]
