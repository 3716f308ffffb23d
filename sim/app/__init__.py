"""The services: running a scenario, traces (recording, verifying, replaying), sweeps over a
grid, and what they share (output files, caps, worker pools).

They sit above the drivers and the scenario layer and below the commands (``sim.cli``), the
live listener and the pictures; each is usable from Python. ``docs/architecture.md`` has the
map.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._atomic import OutputError, atomic_text, write_bytes_atomic
    from ._limits import DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RUNS, LimitError, expected_connections
    from ._run import DRIVERS, RunResult, prepare, replay, run, run_in_trio
    from ._sweep import Axis, Cell, SweepError, SweepPlan, execute, plan
    from ._trace import (
        TraceComparator,
        TraceError,
        TraceInfo,
        TraceWriter,
        recorded_arrivals,
        recorded_externals,
        verify,
    )
else:
    from .._lazy import lazy_exports

    # Imported when first used (sim/_lazy.py): sim.app._atomic imports no driver.
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "._atomic": ("OutputError", "atomic_text", "write_bytes_atomic"),
            "._limits": (
                "DEFAULT_MAX_CONNECTIONS",
                "DEFAULT_MAX_RUNS",
                "LimitError",
                "expected_connections",
            ),
            "._run": ("DRIVERS", "RunResult", "prepare", "replay", "run", "run_in_trio"),
            "._sweep": ("Axis", "Cell", "SweepError", "SweepPlan", "execute", "plan"),
            "._trace": (
                "TraceComparator",
                "TraceError",
                "TraceInfo",
                "TraceWriter",
                "recorded_arrivals",
                "recorded_externals",
                "verify",
            ),
        },
    )

__all__ = [
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RUNS",
    "DRIVERS",
    "Axis",
    "Cell",
    "LimitError",
    "OutputError",
    "RunResult",
    "SweepError",
    "SweepPlan",
    "TraceComparator",
    "TraceError",
    "TraceInfo",
    "TraceWriter",
    "atomic_text",
    "execute",
    "expected_connections",
    "plan",
    "prepare",
    "recorded_arrivals",
    "recorded_externals",
    "replay",
    "run",
    "run_in_trio",
    "verify",
    "write_bytes_atomic",
]
