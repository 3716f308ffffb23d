"""Drivers: clocks over the core's one scheduler; they differ only in how time passes.

``run_virtual`` (``--driver batch``): no time passes between steps; ``run_trio``/``run_async``:
the reference async model, the MTA's actors as trio tasks under a ``MockClock``;
``RealTime``: the wall clock, for live mode (``sim.live``).
"""

from ._realtime import RealTime
from ._trio import run_async, run_trio
from ._virtual import run_virtual

__all__ = ["RealTime", "run_async", "run_trio", "run_virtual"]
