"""The types of scenario fields: one object per type, holding all that differs between types.

Rules of this module:

* A field's :attr:`~sim.scenario.Field.type` is one of the objects of :data:`TYPES`. What a
  type does differently is a method or an attribute of its object, and nowhere else (no other
  module asks which type a field has):

  ``check``       a value from TOML, JSON or Python -> the value a scenario holds, or
                  ``ValueError`` saying ``found KIND VALUE; expected WHAT``; files, ``--set``,
                  ``--seed``, trace headers and scenarios built in Python all go through it,
                  so they get the same rules and the same messages;
  ``read``        the text of a ``--set KEY=VALUE`` -> the value TOML would have given;
  ``toml``        a value -> its TOML text (``to_toml``, and the defaults of the docs' tables);
  ``json``        a value -> its JSON form (``Scenario.to_dict``), ``from_json`` back;
  ``expected``    what the field accepts, in words (messages and the docs' tables);
  ``is_default``  whether a value equals the field's default (``to_toml(minimal=True)``);
  ``numeric``     whether ``sweep --vary`` can vary it; ``integral``: whole numbers only;
  ``name``, ``unit`` the docs' columns.
* Ranges are compared exactly: an integer is never converted to a float first (which made
  seeds from 2**63 - 512 upwards compare as 2**63), and a huge integer is out of range, never
  an ``OverflowError``.
* Writing is by the value, not by the field: a value of another type (a scenario built in
  Python and not checked) is written as what it is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..core import BuildError, LoggingLevel, resolve_build
from ..text._input import quote
from ._check import SHOWN, describe
from ._text import MAX_DIGITS

if TYPE_CHECKING:
    from ._field import Field

#: The example of a date-time in messages and the docs.
DATETIME_EXAMPLE = "2002-02-26T14:43:29"


class Type:
    """The behaviour of one type of scenario field (see the module's rules)."""

    __slots__ = ()
    #: The type's name in the docs' tables (``integer``, ``seconds or inf``).
    name = ""
    #: The unit of its values in the docs' tables (a field may name its own).
    unit = ""
    #: ``sweep --vary`` can vary it.
    numeric = False
    #: Its values are whole numbers (a sweep's grid must not have fractional values).
    integral = False

    def check(self, f: Field, value: Any) -> Any:
        """The value as the field holds it, or ``ValueError`` saying found/expected."""
        raise NotImplementedError

    def expected(self, f: Field) -> str:
        """What the field accepts, for messages and the docs."""
        raise NotImplementedError

    def read(self, f: Field, raw: str, key: str) -> Any:
        """The value of ``--set KEY=RAW`` as TOML would give it; ``ValueError`` naming
        ``key`` if the text is not one."""
        return raw

    def toml(self, value: Any) -> str:
        """The value as TOML text."""
        return toml_value(value)

    def json(self, value: Any) -> Any:
        """The value's JSON form (``inf`` as ``"inf"``, a logging level by its label)."""
        if isinstance(value, float) and math.isinf(value):
            return "inf"
        if isinstance(value, LoggingLevel):
            return value.label
        if isinstance(value, datetime):
            return value.isoformat()
        return value

    def from_json(self, value: Any) -> Any:
        """A value of :meth:`json`'s form back as TOML would give it (then :meth:`check`)."""
        return value

    def is_default(self, f: Field, value: Any) -> bool:
        default = f.default
        if isinstance(value, float) and isinstance(default, float):
            return value == default or (math.isinf(value) and math.isinf(default))
        return bool(value == default)

    def __repr__(self) -> str:
        return f"<scenario type {self.name}>"


def toml_value(value: Any) -> str:
    """Any value a scenario holds as TOML text; ``TypeError`` for one TOML cannot hold."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, LoggingLevel):
        return json.dumps(value.label)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {quote(value, 40)} as TOML")


def _refuse(f: Field, value: Any, expected: str | None = None) -> ValueError:
    return ValueError(f"found {describe(value)}; expected {expected or f.expected()}")


class _String(Type):
    __slots__ = ()
    name = "string"

    def check(self, f: Field, value: Any) -> Any:
        if not isinstance(value, str) or (f.maximum is not None and len(value) > f.maximum):
            raise _refuse(f, value)
        return value

    def expected(self, f: Field) -> str:
        if f.maximum is None:
            return "a string"
        return f"a string of at most {_number(f.maximum)} characters"


class _Choice(Type):
    __slots__ = ()
    name = "one of"

    def check(self, f: Field, value: Any) -> Any:
        if not isinstance(value, str) or value not in f.choices:
            raise _refuse(f, value)
        return value

    def expected(self, f: Field) -> str:
        return "one of " + ", ".join(repr(c) for c in f.choices)


class _Build(Type):
    __slots__ = ()
    name = "build name"

    def check(self, f: Field, value: Any) -> Any:
        if not isinstance(value, str) or len(value) > SHOWN:
            raise _refuse(f, value)
        try:
            return resolve_build(value).version
        except BuildError as exc:
            raise ValueError(str(exc)) from None

    def expected(self, f: Field) -> str:
        return "a build version or alias (e.g. 'pre-fix', '5.5.2656.20')"


class _Logging(Type):
    __slots__ = ()
    name = "logging level"

    def check(self, f: Field, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise _refuse(f, value)
        try:
            return LoggingLevel.parse(value)
        except ValueError:
            raise _refuse(f, value) from None

    def expected(self, f: Field) -> str:
        return "'none', 'minimum', 'medium', 'maximum' or 0, 1, 3, 5"

    def read(self, f: Field, raw: str, key: str) -> Any:
        # The registry numbers as integers, as TOML would give them; names stay text.
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else raw

    def is_default(self, f: Field, value: Any) -> bool:
        default: LoggingLevel = f.default
        if isinstance(value, LoggingLevel):
            return value == default
        return bool(value == default.label)


class _DateTime(Type):
    __slots__ = ()
    name = "date-time"

    def check(self, f: Field, value: Any) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                raise _refuse(
                    f, value, "a local date-time without a UTC offset (the MTA prints local time)"
                )
            return value
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                raise _refuse(f, value) from None
            if parsed.tzinfo is not None:
                raise _refuse(f, value, "a local date-time without a UTC offset")
            return parsed
        if isinstance(value, (date, time)):
            raise _refuse(f, value, f"{f.expected()} (a date and a time)")
        raise _refuse(f, value)

    def expected(self, f: Field) -> str:
        return f"a TOML date-time like {DATETIME_EXAMPLE}"

    def read(self, f: Field, raw: str, key: str) -> Any:
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(
                f"{key}: {quote(raw, SHOWN)} is not a date-time like {DATETIME_EXAMPLE}"
            ) from None


class _Number(Type):
    """Integers and durations: a range, exactly compared."""

    __slots__ = ()
    numeric = True
    #: The words of :meth:`expected` before its bounds.
    what = ""

    def expected(self, f: Field) -> str:
        low = ""
        if f.minimum is not None:
            low = f"{'>' if f.exclusive_minimum else '>='} {_number(f.minimum)}"
        high = "" if f.maximum is None else f"<= {_number(f.maximum)}"
        bounds = " and ".join(b for b in (low, high) if b)
        return f"{self.what} {bounds}".strip()

    def _in_range(self, f: Field, number: int | float) -> bool:
        # int against float compares exactly in Python: no conversion, no overflow.
        if f.minimum is not None and (
            number < f.minimum or (f.exclusive_minimum and number == f.minimum)
        ):
            return False
        return f.maximum is None or number <= f.maximum


class _Integer(_Number):
    __slots__ = ()
    name = "integer"
    what = "an integer"
    integral = True

    def check(self, f: Field, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not self._in_range(f, value):
            raise _refuse(f, value)
        return int(value)

    def read(self, f: Field, raw: str, key: str) -> Any:
        digits = raw.lstrip("+-").replace("_", "")
        if len(digits) > MAX_DIGITS and digits.isdigit():
            raise ValueError(
                f"{key}: an integer of {len(digits):,} digits; expected {f.expected()}"
            )
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{key}: {quote(raw, SHOWN)} is not an integer") from None


class _Seconds(_Number):
    __slots__ = ()
    name = "seconds"
    what = "a number of seconds"
    unit = "seconds"
    #: ``inf`` (never) is a value of the type.
    inf = False

    def check(self, f: Field, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _refuse(f, value)
        if isinstance(value, float) and math.isnan(value):
            raise _refuse(f, value)
        if isinstance(value, float) and math.isinf(value):
            if self.inf and value > 0:
                return value
            raise _refuse(f, value)
        if not self._in_range(f, value):
            raise _refuse(f, value)
        return float(value)

    def read(self, f: Field, raw: str, key: str) -> Any:
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{key}: {quote(raw, SHOWN)} is not a number of seconds") from None

    def from_json(self, value: Any) -> Any:
        return math.inf if self.inf and value == "inf" else value


class _SecondsOrInf(_Seconds):
    __slots__ = ()
    name = "seconds or inf"
    what = "a number of seconds or inf"
    inf = True


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


STRING: Type = _String()
CHOICE: Type = _Choice()
BUILD: Type = _Build()
LOGGING: Type = _Logging()
DATETIME: Type = _DateTime()
INT: Type = _Integer()
SECONDS: Type = _Seconds()
SECONDS_OR_INF: Type = _SecondsOrInf()

#: Every type of field, by its name in the docs.
TYPES: Mapping[str, Type] = MappingProxyType(
    {t.name: t for t in (INT, SECONDS, SECONDS_OR_INF, STRING, DATETIME, CHOICE, BUILD, LOGGING)}
)
