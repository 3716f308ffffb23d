"""Text as Windows writes it: the encoding told from the first bytes, line ends of any kind.

Rules of this module (the one home of them; ``mtasim convert``, ``diagnose`` and ``fit`` read
a user's log through it):

* A UTF-8 byte-order mark, a UTF-16 mark (Notepad's "Unicode", PowerShell's ``>``) or, without
  a mark, a NUL in the first two bytes (UTF-16 text of ASCII characters) choose the encoding;
  otherwise the text is UTF-8. The mark is not part of the text.
* Line ends are ``\\n``, ``\\r\\n`` or ``\\r``; lines come out without them.
* Text is decoded as it is read (a 100 MB log streams); bytes that are not text in the chosen
  encoding, or a NUL character (a binary file), are an :class:`~sim.text.InputError` naming
  the line.
"""

from __future__ import annotations

import codecs
import contextlib
import io
from collections.abc import Iterator

from ._input import InputError, read_lines


def sniff_encoding(head: bytes) -> str:
    """The encoding of a text whose first bytes are ``head``."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return "utf-16-le"
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return "utf-16-be"
    return "utf-8"


def text_lines(handle: io.BufferedReader, limit: int) -> Iterator[str]:
    """The lines of a binary handle decoded (:func:`sniff_encoding`), without line ends; a
    line of more than ``limit`` characters is refused after reading at most that much of it."""
    encoding = sniff_encoding(handle.peek(4)[:4])
    text = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline=None)
    number = 0
    try:
        for line in read_lines(text, limit):
            number += 1
            if "\x00" in line:
                raise InputError(f"line {number}: binary data (a NUL byte): not a text event log")
            yield line.rstrip("\n")
    except UnicodeDecodeError:
        raise InputError(
            f"line {number + 1}: bytes that are not {encoding.removesuffix('-sig').upper()} "
            "text: not a text event log"
        ) from None
    finally:
        with contextlib.suppress(ValueError):  # the file was closed first
            text.detach()
