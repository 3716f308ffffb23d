"""What the live listener is told and what it counts: its options, its TCP-side counters, the
error of a listener that cannot listen, and how an address is written.

Rules of this module:

* Options are durations in real seconds (``time_scale`` turns the scenario's virtual seconds
  into real ones); :meth:`ListenerOptions.check` names the first bad one, as the command line
  spells it, so that ``mtasim serve`` can print it as a usage error.
* The counters are the TCP side of a session only: what the model decided is counted by the
  model (``LiveServer.summary``), never here a second time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from ..core import MtasimError
from ..wire import MAX_TPDU_SIZE, MIN_TPDU_SIZE

DEFAULT_PORT = 10102


@dataclass(frozen=True, slots=True)
class ListenerOptions:
    """How the listener runs. Durations in real seconds; ``time_scale`` is real seconds per
    virtual second (0.1: the scenario's 21 s Winsock timer lasts 2.1 s)."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    time_scale: float = 1.0
    read_timeout: float = 10.0
    max_connections: int = 1024
    max_tpdu: int = 2048
    max_tsdu: int = 65536
    echo: bool = True
    #: the OS listen backlog; ``None``: the scenario's ``winsock.backlog``
    backlog: int | None = None
    #: stop by itself after this many real seconds (``None``: when stopped)
    duration: float | None = None

    def check(self) -> None:
        """Raise ``ValueError`` naming the first bad option."""
        if not (self.time_scale > 0 and math.isfinite(self.time_scale)):
            raise ValueError(f"--time-scale must be a positive number, got {self.time_scale}")
        if not (self.read_timeout > 0 and math.isfinite(self.read_timeout)):
            raise ValueError(f"--read-timeout must be a positive number, got {self.read_timeout}")
        if not 0 <= self.port <= 0xFFFF:
            raise ValueError(f"--port must be 0..65535, got {self.port}")
        if self.max_connections < 1:
            raise ValueError(f"--max-connections must be at least 1, got {self.max_connections}")
        if self.max_tpdu not in {1 << n for n in range(7, 14)}:
            raise ValueError(
                f"--max-tpdu must be a power of two from {MIN_TPDU_SIZE} to {MAX_TPDU_SIZE}, "
                f"got {self.max_tpdu}"
            )
        if self.duration is not None and not self.duration > 0:
            raise ValueError(f"--duration must be positive, got {self.duration}")


@dataclass(slots=True)
class ListenerStats:
    """Counters of a live session (TCP side; the model's own are in ``LiveServer.summary``)."""

    tcp_accepted: int = 0
    over_cap: int = 0
    peak_connections: int = 0
    connect_requests: int = 0
    confirmed: int = 0
    refused_dr: int = 0
    refused_reset: int = 0
    closed_by_timer: int = 0
    peer_closed: int = 0
    peer_reset: int = 0
    closed_before_cr: int = 0
    protocol_errors: int = 0
    read_timeouts: int = 0
    tsdus: int = 0
    data_octets: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class ListenError(MtasimError):
    """The listening socket could not be opened (address in use, unknown host...)."""


def host_port(host: str, port: int) -> str:
    """``host:port``, an IPv6 host in brackets: ``[::1]:102``."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
