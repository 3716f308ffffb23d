"""One axis of a sweep: ``--vary KEY=START:STOP:STEPS`` parsed and checked against the schema
(``sim.app._sweep`` has the grid and its rules)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core import MtasimError
from ..scenario import KeyPath, KeyPathError


class SweepError(MtasimError):
    """A bad --vary, --seeds or --jobs, or a point that is not a valid scenario."""


@dataclass(frozen=True, slots=True)
class Axis:
    """One swept key and its values."""

    key: str
    values: tuple[float | int, ...]

    @classmethod
    def parse(cls, spec: str) -> Axis:
        """``winsock.response_timeout=1:30:30`` -> 30 values from 1 to 30."""
        key, sep, rng = spec.partition("=")
        key = key.strip()
        parts = rng.split(":")
        if not sep or len(parts) != 3:
            raise SweepError(f"--vary {spec!r}: expected KEY=START:STOP:STEPS")
        f = _field(key).field
        try:
            start, stop = float(parts[0]), float(parts[1])
            steps = int(parts[2])
        except ValueError:
            raise SweepError(
                f"--vary {spec!r}: START and STOP must be numbers, STEPS a whole number"
            ) from None
        if steps < 1 or steps > 10_000:
            raise SweepError(f"--vary {spec!r}: STEPS must be between 1 and 10000")
        if not (math.isfinite(start) and math.isfinite(stop)):
            raise SweepError(f"--vary {spec!r}: START and STOP must be finite")
        if steps == 1:
            raw = [start]
        else:
            raw = [start + (stop - start) * i / (steps - 1) for i in range(steps)]
        if f.type.integral:
            if any(abs(v - round(v)) > 1e-9 for v in raw):
                raise SweepError(
                    f"--vary {spec!r}: {key} is an integer, but the grid has fractional values"
                )
            values: tuple[float | int, ...] = tuple(round(v) for v in raw)
        else:
            values = tuple(round(v, 6) for v in raw)
        return cls(key, values)


def _field(key: str) -> KeyPath:
    """The path of a swept key; a :class:`SweepError` if it names no numeric field."""
    try:
        path = KeyPath.parse(key)
    except KeyPathError as exc:
        if exc.malformed:
            raise SweepError(f"--vary: unknown key {key!r}") from None
        path = None
    if path is None or not path.field.type.numeric:
        raise SweepError(f"--vary: {key!r} is not a numeric scenario key")
    return path
