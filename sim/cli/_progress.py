"""Progress bars on stderr: shown only when stderr is a terminal, never on a pipe.

The one progress helper of the commands (``run``, ``sweep``, ``phase-map``, ``hunt``): a rich
bar on the Console of ``_console`` (so ``NO_COLOR`` holds), with optional text columns filled
from named fields (the hunt's best scenario so far and its time left).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ._console import make_console

if TYPE_CHECKING:
    from rich.progress import ProgressColumn


class Advance(Protocol):
    def __call__(self, done: int, /, description: str | None = None, **fields: Any) -> None: ...


@contextlib.contextmanager
def progress(
    description: str,
    total: int | None,
    *,
    columns: Sequence[str] = (),
    estimate: bool = True,
) -> Iterator[Advance]:
    """Yields ``advance(done, description=None, **fields)``; draws a bar on a terminal, does
    nothing otherwise. ``columns``: text templates of the fields, e.g. ``"best: {best}"``;
    ``estimate``: show rich's estimate of the time remaining."""

    def nothing(done: int, /, description: str | None = None, **fields: Any) -> None:
        return None

    if not sys.stderr.isatty() or not total:
        yield nothing
        return
    from rich.progress import (  # only for a terminal: on a pipe, rich is not imported
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    parts: list[ProgressColumn | str] = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
    ]
    names: list[str] = []
    for template in columns:
        names.extend(_field_names(template))
        parts.append(TextColumn(_task_fields(template)))
    if estimate:
        parts.append(TimeRemainingColumn())
    bar = Progress(*parts, console=make_console(sys.stderr), transient=True)
    with bar:
        blank: dict[str, Any] = dict.fromkeys(names, "")
        task = bar.add_task(description, total=total, **blank)

        def advance(done: int, /, description: str | None = None, **fields: Any) -> None:
            bar.update(task, completed=done, description=description, **fields)

        yield advance


def _field_names(template: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _task_fields(template: str) -> str:
    """``"best: {best}"`` -> ``"best: {task.fields[best]}"`` (rich's TextColumn form)."""
    out = template
    for name in _field_names(template):
        out = out.replace("{" + name + "}", "{task.fields[" + name + "]}")
    return out
