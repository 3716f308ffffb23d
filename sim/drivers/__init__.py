"""Drivers: clocks over the core's one scheduler; they differ only in how time passes.

``run_virtual`` (``--driver batch``): no time passes between steps; ``run_trio``/``run_async``:
the reference async model, the MTA's actors as trio tasks under a ``MockClock``;
``RealTime``: the wall clock, for live mode (``sim.live``).
"""

from ._realtime import HORIZON_MARGIN, RealTime
from ._trio import run_async, run_trio, sole_exception
from ._virtual import run_virtual

__all__ = ["HORIZON_MARGIN", "RealTime", "run_async", "run_trio", "run_virtual", "sole_exception"]
