"""One run's model: the scheduler, the MTA, and its peers (simulated, and from outside).

A driver builds a :class:`Model` and passes time over its scheduler: the virtual clock runs
:meth:`Scheduler.run`; the trio and real-time clocks pop and dispatch one occurrence at a time
(``sim.drivers``).
"""

from __future__ import annotations

from collections.abc import Iterable

from ._builds import Build
from ._config import ModelConfig, StepSink
from ._connspec import ConnSpec
from ._mta import Mta
from ._peers import ExternalPeers, SimulatedPeers
from ._scheduler import External, Scheduler


class Model:
    """The MTA under one build and the peers around it, on one scheduler."""

    def __init__(
        self,
        config: ModelConfig,
        build: Build,
        arrivals: Iterable[ConnSpec] = (),
        *,
        on_step: StepSink | None = None,
        externals: Iterable[External] | None = None,
    ) -> None:
        """``arrivals``: the simulated peers' connections, in arrival order; ``externals``: a
        recorded outside source (a replayed live session), merged in time order. A live
        driver injects its peers' inputs with :meth:`ExternalPeers.inject` instead."""
        self.scheduler = Scheduler(config.until)
        self.mta = Mta(config, build, self.scheduler, on_step=on_step)
        self.peers = SimulatedPeers(self.scheduler, self.mta, arrivals)
        self.outside = ExternalPeers(self.scheduler, self.mta)
        if externals is not None:
            self.outside.feed(externals)
        self._started = False

    def start(self) -> None:
        """Open the associations that exist at time 0 and schedule the first arrival."""
        if self._started:
            raise RuntimeError("the model is already started")
        self._started = True
        self.mta.start()
        self.peers.start()
