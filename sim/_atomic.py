"""Writing a file all at once: to a temporary file beside it, renamed into place on success.

An interrupted or failed write leaves no partial file and does not touch an existing one. The
file gets the permissions a plain ``open()`` would give it (``mkstemp`` alone makes it 0600).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TextIO


@contextlib.contextmanager
def _atomic(path: str | os.PathLike[str], binary: bool) -> Iterator[IO[bytes] | TextIO]:
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        handle = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        )
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_text(path: str | os.PathLike[str]) -> Iterator[TextIO]:
    """Open a temporary text file next to ``path``; rename it to ``path`` on success."""
    with _atomic(path, binary=False) as handle:
        yield handle  # type: ignore[misc]


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with _atomic(path, binary=True) as handle:
        handle.write(data)  # type: ignore[arg-type]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
