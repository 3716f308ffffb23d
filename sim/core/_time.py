"""Virtual time: integer microseconds.

Rules of this module:

* Every instant and duration inside the model is an ``int`` number of microseconds
  (``Micros``). Float seconds exist only at the edges (scenario files, trio's clock,
  JSON output), and are converted exactly once, by :func:`to_micros`.
* Integer time makes the tie rule exact: an OK response "ready exactly at the Winsock
  deadline" is a comparison of two integers, never of two float sums that differ in the
  last bit.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TypeAlias

#: Microseconds: an ``int`` by another name, so signatures say the unit.
Micros: TypeAlias = int

MICROS_PER_SECOND = 1_000_000


def to_micros(seconds: float) -> Micros:
    """Convert seconds to whole microseconds (round half to even).

    Raises ``ValueError`` for NaN, infinities and negative values: durations and instants
    in the model are finite and non-negative.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"expected a number of seconds, got {type(seconds).__name__}")
    if math.isnan(seconds) or math.isinf(seconds):
        raise ValueError(f"expected a finite number of seconds, got {seconds!r}")
    if seconds < 0:
        raise ValueError(f"expected a non-negative number of seconds, got {seconds!r}")
    return Micros(round(seconds * MICROS_PER_SECOND))


def to_seconds(t: int) -> float:
    """Convert microseconds to float seconds (exact for any value below 2**53 µs)."""
    return t / MICROS_PER_SECOND


def at(epoch: datetime, t: int) -> datetime:
    """The wall-clock instant ``t`` microseconds after ``epoch``."""
    return epoch + timedelta(microseconds=t)


def latest_micros(epoch: datetime) -> Micros:
    """The last virtual time whose instant (``epoch`` + t) a ``datetime`` can hold, i.e. that
    an event can carry: ``at(epoch, latest_micros(epoch))`` is 9999-12-31 23:59:59.999999."""
    return Micros((datetime.max - epoch.replace(tzinfo=None)) // timedelta(microseconds=1))


# -- the one formatter of times for people ----------------------------------------------------
def exact_seconds(us: int) -> str:
    """Microseconds as exact seconds, no trailing zeros: ``21``, ``21.000001``, ``-0.5``."""
    sign = "-" if us < 0 else ""
    whole, frac = divmod(abs(us), MICROS_PER_SECOND)
    return sign + f"{whole}.{frac:06d}".rstrip("0").rstrip(".")


def fixed_seconds(us: int) -> str:
    """Microseconds as seconds with all six decimals, for aligned columns: ``21.000000``."""
    sign = "-" if us < 0 else ""
    whole, frac = divmod(abs(us), MICROS_PER_SECOND)
    return f"{sign}{whole}.{frac:06d}"


def seconds_text(t: int | None) -> str:
    """An instant in exact seconds: ``21 s``, ``21.000001 s``; ``-`` for none."""
    return "-" if t is None else f"{exact_seconds(t)} s"


def duration_text(us: int) -> str:
    """A duration for labels: ``21 s``, ``0.5 s``; under a millisecond in µs (``1 µs``)."""
    if us and abs(us) < 1000:
        return f"{us} µs"
    return f"{exact_seconds(us)} s"


def clock12(when: datetime, *, event_viewer: bool = False) -> str:
    """The 12-hour clock the MTA prints: ``02:43:50pm`` (EV0.LOG: two-digit hour, lower-case
    am/pm, KB Q319936), or as Event Viewer shows it: ``2:43:50 PM``."""
    hour = when.hour % 12 or 12
    if event_viewer:
        return f"{hour}:{when:%M:%S} {'AM' if when.hour < 12 else 'PM'}"
    return f"{hour:02d}:{when:%M:%S}{'am' if when.hour < 12 else 'pm'}"
