"""What the MTA is given: the knobs of one run (:class:`ModelConfig`), the port it talks to its
peers through (:class:`PeerSide`), and who watches it (:data:`StepSink`).

The MTA itself (transport, listener, kernel) is ``_mta.py``; this module holds only the values
and interfaces it is built from, so that the MTA's module holds the machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ._catalog import POP4_UP, TaskHeader
from ._halfopen import HalfOpenConfig
from ._logging import LoggingLevel
from ._lpi import POP4_COMPONENT
from ._steps import Step
from ._time import Micros

StepSink = Callable[[Step], None]
#: What a trace's accept record says of an accept that failed (rule ``accept-error``).
ACCEPT_FAILED = "WSAECONNRESET"


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """The knobs of one run, in model units."""

    epoch: datetime
    #: The MTA's own response timer (``None``: none; the peers' give-up closes connections).
    response_timeout: Micros | None
    backlog: int = 200
    control_blocks: int = 20
    open_associations: int = 0
    threads: int = 4
    accept_time: Micros = 0
    logging: LoggingLevel = LoggingLevel.MAXIMUM
    until: Micros | None = None
    #: POP4's task header (``(POP4 POP4 UP(7) Proc 228)``) and the LPI's middle number
    #: (rule ``lpi``): the KB case's unless a scenario says otherwise.
    pop4_task: TaskHeader = POP4_UP
    lpi_component: int = POP4_COMPONENT
    half_open: HalfOpenConfig | None = None  # SYN floods' half-open table (_halfopen.py)


class PeerSide(Protocol):
    """Whoever produces a connection's peer inputs."""

    #: Its inputs come from outside the model (real or recorded peers).
    external: bool

    def cc_sent(self, conn: int, t: Micros) -> None:
        """The MTA sent the CC for ``conn`` at ``t``."""

    def finished(self, conn: int) -> None:
        """The MTA is done with ``conn``: no input for it will be consumed again."""
