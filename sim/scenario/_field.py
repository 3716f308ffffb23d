"""One key of a scenario table, as data: :class:`Field` (its type object, default, meaning and
range). The tables of keys are ``sim.scenario._schema``'s; what differs between types of values
is the type object's (``sim.scenario._types``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._types import Type


class _Same:
    """:attr:`Field.python_default` of a field whose Python default is its default."""

    def __repr__(self) -> str:
        return "SAME"


_SAME: Any = _Same()


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a table: its type (one object of :data:`~sim.scenario._types.TYPES`, which
    checks, reads and writes its values), its default, its meaning and its range."""

    key: str
    type: Type
    #: The value of a scenario without this key, as the scenario holds it (a duration as a
    #: float, a logging level as a :class:`~sim.core.LoggingLevel`, the build as written).
    default: Any
    doc: str
    minimum: float | None = None
    #: For a string, its longest length in characters.
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    #: The unit the docs show, when it is not the type's (``None``: the type's).
    unit: str | None = None
    #: What a value built in Python without this key holds, when it is not :attr:`default`.
    python_default: Any = _SAME

    def expected(self) -> str:
        """Human text of what the field accepts, for error messages and docs."""
        return self.type.expected(self)

    def check(self, value: Any) -> Any:
        """The value as the scenario holds it, or ``ValueError`` saying found/expected."""
        return self.type.check(self, value)

    def read(self, raw: str, key: str) -> Any:
        """The value of ``--set KEY=RAW``, typed as TOML would have given it."""
        return self.type.read(self, raw, key)

    @property
    def shown_unit(self) -> str:
        return self.type.unit if self.unit is None else self.unit

    @property
    def built_default(self) -> Any:
        """The default of the dataclass attribute (a group built alone in Python is the
        first, ``peer-1``; a file's unnamed group is named by its position)."""
        return self.default if self.python_default is _SAME else self.python_default
