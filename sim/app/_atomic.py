"""Writing an output file all at once: the one writer every output file goes through (events,
traces, CSV, HTML, PNG, scenario files).

Rules of this module (``docs/commands.md``, "Output files"):

* A regular file, or a name that does not exist yet, is written to a temporary file beside it
  (``.NAME.XXXXXXXX.tmp``), flushed to disk and renamed into place on success: an interrupted
  or failed write leaves no partial file and does not touch an existing one. The file gets the
  permissions a plain ``open()`` would give it (the umask applies).
* A symlink stays a symlink: the file it points to gets the content, atomically, the temporary
  file beside that file (same directory, so the rename is atomic).
* A destination that exists and is not a regular file (a character device such as
  ``/dev/null``, ``/dev/full`` or a terminal, a FIFO) is opened and written directly, never
  renamed over (as root, a rename would replace the device node with a plain file). An
  interrupted write to a FIFO has sent what it sent.
* Every failure is an :class:`OutputError`, one line naming the path and the OS error (``cannot
  write ev0.log: No space left on device``), and leaves no temporary file behind.
* A temporary file is recorded before it is created and forgotten after it is renamed or
  removed, so that :func:`remove_unfinished` can take away what an interrupt left mid-cleanup
  (a second Ctrl-C while the first unwinds).
* Nothing is renamed into place (a file, or a finished ``.partial``) after an interrupt the
  work could not see: :func:`commit_guard` names a check run just before each rename, which
  the command layer makes raise ``KeyboardInterrupt`` when a Ctrl-C landed in a finalizer
  (where Python cannot raise it) while the command ran. The temporary file is then removed
  as for any interrupt, and an interrupted command leaves no output file.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from typing import IO, TextIO

from ..core import MtasimError

#: Temporary files created and not yet renamed or removed.
_unfinished: set[str] = set()
#: Run just before every rename into place (:func:`commit_guard`).
_commit_checks: list[Callable[[], None]] = []


@contextlib.contextmanager
def commit_guard(check: Callable[[], None]) -> Iterator[None]:
    """While the block runs, ``check()`` is called before any file is renamed into place; an
    exception it raises stops the rename (the temporary file is removed)."""
    _commit_checks.append(check)
    try:
        yield
    finally:
        _commit_checks.remove(check)


def _before_commit() -> None:
    for check in _commit_checks:
        check()


class OutputError(MtasimError, OSError):
    """An output file that cannot be written: ``cannot write PATH: <the OS error>``."""

    def __init__(self, path: str, cause: OSError) -> None:
        super().__init__(f"cannot write {shown(path)}: {cause.strerror or cause}")
        self.errno = cause.errno
        self.strerror = cause.strerror
        self.filename = path

    def __str__(self) -> str:
        return str(self.args[0])


@contextlib.contextmanager
def _naming(path: str) -> Iterator[None]:
    """An OS error inside the block leaves as :class:`OutputError` naming ``path``."""
    try:
        yield
    except OSError as exc:
        raise _error(path, exc) from None


class _Text(io.TextIOWrapper):
    """A UTF-8 text file whose OS errors are :class:`OutputError` naming its path."""

    def __init__(self, buffer: io.BufferedWriter, path: str) -> None:
        super().__init__(buffer, encoding="utf-8", newline="\n")
        self._path = path

    def write(self, s: str) -> int:
        with _naming(self._path):
            return super().write(s)

    def flush(self) -> None:
        with _naming(self._path):
            super().flush()

    def close(self) -> None:
        with _naming(self._path):
            super().close()


def shown(path: str, limit: int = 200) -> str:
    """``path`` as an error line quotes it: at most about ``limit`` characters, the middle
    elided."""
    if len(path) <= limit:
        return path
    keep = limit // 2
    return f"{path[:keep]}...{path[-keep:]}"


def _error(path: str, exc: OSError) -> OutputError:
    return exc if isinstance(exc, OutputError) else OutputError(path, exc)


def _destination(path: str) -> tuple[str, bool]:
    """Where the bytes for ``path`` go, and whether they are written there directly."""
    try:
        mode = os.stat(path).st_mode  # through symlinks
    except (FileNotFoundError, NotADirectoryError):
        return os.path.realpath(path), False  # a new file, or a symlink to one
    if stat.S_ISREG(mode):
        return os.path.realpath(path), False
    return path, True  # a device, a FIFO (a directory fails when opened)


def same_destination(a: str, b: str) -> bool:
    """Writing ``a`` and writing ``b`` would write one file (another spelling, a symlink, a
    hard link). A character device (``/dev/null``) keeps nothing, so it never counts."""
    try:
        if stat.S_ISCHR(os.stat(a).st_mode):
            return False
    except OSError:
        pass
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): two names, two files
        return False


def partial_path(path: str) -> str | None:
    """Where a long job keeps what it has finished until it is complete (``FILE.partial``,
    beside the file ``path`` names: a symlink's target), or ``None`` when ``path`` is not a
    regular file (a device, a FIFO): that is written as the job goes, never renamed over."""
    target, direct = _destination(path)
    return None if direct else f"{target}.partial"


def install(partial: str, path: str) -> None:
    """Put a complete ``partial`` (from :func:`partial_path`) in place of ``path``: one rename
    onto the file ``path`` names, so a symlink stays a symlink. Raises :class:`OutputError`."""
    target, direct = _destination(path)
    if direct or partial != f"{target}.partial":
        raise OutputError(path, OSError(errno.EINVAL, "not the partial file of this output"))
    _before_commit()
    try:
        os.replace(partial, target)
    except OSError as exc:
        raise _error(path, exc) from None


def probe(path: str | os.PathLike[str]) -> None:
    """Raise :class:`OutputError` now if ``path`` cannot be written (a missing directory, a
    parent that is not a directory, a read-only directory, a directory, a name too long), so
    that a long run does not end in a write error."""
    name = os.fspath(path)
    try:
        target, direct = _destination(name)
        if direct:
            if os.path.isdir(target):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            if not os.access(target, os.W_OK):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
            return
        # the directory as the user wrote it, unless a symlink leads elsewhere
        directory = os.path.dirname(name if not os.path.islink(name) else target) or "."
        try:
            os.stat(directory)
        except FileNotFoundError:
            raise FileNotFoundError(errno.ENOENT, f"no such directory {directory}") from None
        if not os.path.isdir(directory):
            raise NotADirectoryError(errno.ENOTDIR, f"{directory} is not a directory")
        if len(os.fsencode(os.path.basename(target))) > os.pathconf(directory, "PC_NAME_MAX"):
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))
        if not os.access(directory, os.W_OK):  # EROFS on a read-only mount, even for root
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as exc:
        raise _error(name, exc) from None


@contextlib.contextmanager
def _open(path: str | os.PathLike[str], binary: bool) -> Iterator[IO[bytes] | TextIO]:
    name = os.fspath(path)
    try:
        target, direct = _destination(name)
    except OSError as exc:
        raise _error(name, exc) from None
    if direct:
        try:
            raw = io.FileIO(target, "w")
        except OSError as exc:
            raise _error(name, exc) from None
        with _wrap(raw, name, binary) as handle:
            yield handle
        return
    tmp, fd = _create_temp(name, target)
    try:
        with _wrap(io.FileIO(fd, "w"), name, binary) as handle:
            yield handle
            handle.flush()
            try:
                os.fsync(handle.fileno())
            except OSError as exc:
                raise _error(name, exc) from None
        _before_commit()
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise _error(name, exc) from None
        _unfinished.discard(tmp)
    except BaseException:
        _remove(tmp)
        raise


def _wrap(raw: io.FileIO, name: str, binary: bool) -> IO[bytes] | TextIO:
    return _Binary(raw, name) if binary else _Text(io.BufferedWriter(raw), name)


class _Binary(io.BufferedWriter):
    """Bytes, with OS errors as :class:`OutputError` naming the path."""

    def __init__(self, raw: io.FileIO, path: str) -> None:
        super().__init__(raw)
        self._path = path

    def write(self, b: bytes) -> int:  # type: ignore[override]
        with _naming(self._path):
            return super().write(b)

    def flush(self) -> None:
        with _naming(self._path):
            super().flush()

    def close(self) -> None:
        with _naming(self._path):
            super().close()


def _create_temp(name: str, target: str) -> tuple[str, int]:
    """A new temporary file beside ``target``: (its path, a descriptor open for writing)."""
    directory, base = os.path.split(target)
    # At most 200 bytes of the name: the temporary name must fit where the name itself fits.
    stem = os.fsdecode(os.fsencode(base)[:200]) if len(os.fsencode(base)) > 200 else base
    while True:
        tmp = os.path.join(directory or ".", f".{stem}.{secrets.token_hex(4)}.tmp")
        _unfinished.add(tmp)  # before it exists: an interrupt right after creating it is covered
        try:
            # 0o666: the umask applies, as for a plain open()
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            _unfinished.discard(tmp)
        except OSError as exc:
            _unfinished.discard(tmp)
            raise _error(name, exc) from None


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)
    _unfinished.discard(tmp)


def remove_unfinished() -> None:
    """Remove every temporary file that was neither renamed into place nor removed (the
    command is stopping: an interrupt landed in the middle of a cleanup)."""
    for tmp in sorted(_unfinished):
        _remove(tmp)


@contextlib.contextmanager
def atomic_text(path: str | os.PathLike[str]) -> Iterator[TextIO]:
    """A text file (UTF-8, ``\\n`` newlines) that becomes ``path`` when the block succeeds."""
    with _open(path, binary=False) as handle:
        yield handle  # type: ignore[misc]


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with _open(path, binary=True) as handle:
        handle.write(data)  # type: ignore[arg-type]
