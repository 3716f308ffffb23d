"""Dotted keys: ``seed``, ``mta.threads``, ``peers.2.count`` (one group), ``peers.count``
(every group).

Rules of this module:

* :class:`KeyPath` is the one parser of dotted scenario keys: ``--set KEY=VALUE``, ``sweep
  --vary KEY=...``, the pytest plugin's ``set={KEY: value}`` and anything else that names a
  key parse it with :meth:`KeyPath.parse`.
* The forms: ``KEY`` (top level), ``TABLE.KEY``, ``ARRAY.N.KEY`` (``N`` in ASCII digits, at
  most 9 of them: the group at that position, from 0) and ``ARRAY.KEY`` (every group).
* A key that names no field is one line naming it (quoted, at most
  :data:`~sim.scenario._check.SHOWN` characters) with a "did you mean" from the schema.
* A path names places in parsed scenario data (``tomllib``'s tables and arrays, or
  ``Scenario.to_dict()``): :meth:`KeyPath.targets` lists them, :meth:`KeyPath.apply` sets a
  value there. Neither checks the value: validation does, as for a file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from ..text._input import quote
from ._check import SHOWN
from ._field import Field
from ._schema import ARRAY_TABLES, all_keys, field_for

#: A place in scenario data: (table, position of the group or None, key). ``("", None,
#: "seed")``, ``("mta", None, "threads")``, ``("peers", 2, "count")``.
Target = tuple[str, int | None, str]


class KeyPathError(ValueError):
    """A dotted key that names no field, or a place the data does not have.

    ``malformed``: the key has none of the forms of a key (``mta.a.b``); ``groups``: for a
    group position past the last, the number of groups."""

    def __init__(
        self, message: str, key: str, *, malformed: bool = False, groups: int | None = None
    ) -> None:
        super().__init__(message)
        self.key = key
        self.malformed = malformed
        self.groups = groups


@dataclass(frozen=True, slots=True)
class KeyPath:
    """A parsed dotted key: its text, table, group position and schema field."""

    #: The key as written (without surrounding blanks).
    text: str
    #: ``""`` for the top level.
    table: str
    #: The position of the group (``peers.2.count``), ``None`` for every group or a table.
    index: int | None
    field: Field

    @property
    def name(self) -> str:
        """The key within its table (``count``)."""
        return self.field.key

    @classmethod
    def parse(cls, text: str) -> KeyPath:
        """``mta.threads`` -> its path; :class:`KeyPathError` naming the key if it names none."""
        key = text.strip()
        parts = key.split(".")
        index: int | None = None
        if (
            len(parts) == 3
            and parts[0] in ARRAY_TABLES
            and parts[1].isascii()
            and parts[1].isdigit()
            and len(parts[1]) <= 9
        ):
            table, index, name = parts[0], int(parts[1]), parts[2]
        elif len(parts) == 2:
            table, name = parts
        elif len(parts) == 1:
            table, name = "", parts[0]
        else:
            raise KeyPathError(f"unknown key {quote(key, SHOWN)}", key, malformed=True)
        f = field_for(table, name)
        if f is None:
            close = (
                difflib.get_close_matches(key, all_keys(), n=1, cutoff=0.6)
                if len(key) <= 64
                else []
            )
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise KeyPathError(f"unknown key {quote(key, SHOWN)}{hint}", key)
        return cls(key, table, index, f)

    def read(self, raw: str) -> Any:
        """The value of ``KEY=RAW`` typed by the field, as TOML would give it."""
        return self.field.read(raw.strip(), self.text)

    def targets(self, data: dict[str, Any]) -> list[Target]:
        """The places of ``data`` this key names (every group of ``peers.count``: none if
        there is none). :class:`KeyPathError` if the data has no such place."""
        name = self.name
        if self.table in ARRAY_TABLES:
            groups = data.get(self.table, [])
            if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
                message = f"{self.text}: {self.table} is not an array of tables"
                raise KeyPathError(message, self.text)
            if self.index is None:
                return [(self.table, i, name) for i in range(len(groups))]
            if self.index >= len(groups):
                raise KeyPathError(
                    f"{self.text}: the scenario has {len(groups)} [[{self.table}]] tables",
                    self.text,
                    groups=len(groups),
                )
            return [(self.table, self.index, name)]
        if self.table and not isinstance(data.get(self.table, {}), dict):
            raise KeyPathError(f"{self.text}: {self.table} is not a table", self.text)
        return [(self.table, None, name)]

    def apply(self, data: dict[str, Any], value: Any) -> list[Target]:
        """Set ``value`` at every place of :meth:`targets` (a missing table is created);
        returns them."""
        places = self.targets(data)
        for table, index, name in places:
            _holder(data, table, index)[name] = value
        return places

    def values(self, data: dict[str, Any]) -> list[Any]:
        """The values at the places of :meth:`targets` that the data sets (in
        ``Scenario.to_dict()`` every key is set: one value, or one per group)."""
        found = []
        for table, index, name in self.targets(data):
            holder: Any = data if not table else data.get(table, {})
            if index is not None:
                holder = holder[index]
            if name in holder:
                found.append(holder[name])
        return found

    def __str__(self) -> str:
        return self.text


def _holder(data: dict[str, Any], table: str, index: int | None) -> dict[str, Any]:
    """The table (or group) that holds a place's key, created if it is a missing table."""
    if not table:
        return data
    if index is not None:
        group: dict[str, Any] = data[table][index]
        return group
    section: dict[str, Any] = data.setdefault(table, {})
    return section
