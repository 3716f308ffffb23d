"""The operating systems a scenario can model, and the Winsock limits each one has.

Rules of this module:

* :data:`OPERATING_SYSTEMS` holds one :class:`OperatingSystem` per value of the scenario key
  ``winsock.os``: its name as a scenario writes it, its title, and the listen backlog it
  accepts at most (``listen()``'s backlog parameter). A scenario takes its backlog from its OS
  when it does not name one, and a backlog above its OS's limit is refused
  (``sim.scenario``).
* Sources: KB Q127144 for Windows NT 4.0 ("The maximum backlog parameter is 5 on Windows NT 4.0
  Workstation, and 200 on Windows NT 4.0 Server."). For Windows 2000 Server no KB copy gives
  the limit: 200 **[inferred]** (a third-party page says so; see rule ``os-limits``).
* :data:`DEFAULT_OS` is NT 4.0 Server **[inferred]**: KB Q319936 names no operating system;
  Exchange 5.5 SP4 ran on NT 4.0 Server, and its backlog of 200 is the one the KB case has
  always had, so the KB case's output does not change.
* Each OS also gives the defaults of its half-open table (``winsock.max_half_open``, the
  registry's ``TcpMaxHalfOpen``: 100 on a server, 500 on a workstation, from the Windows 2000
  registry reference, taken for NT 4.0 too **[inferred]**) and of its SYN-ACK retransmissions
  (``winsock.syn_ack_retransmissions``, ``TcpMaxConnectResponseRetransmissions``: 2; rules
  ``half-open-full``, ``syn-ack-schedule``).

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``os-limits``, ``default-os``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class OperatingSystem:
    """One operating system the MTA may run on, and what its Winsock allows."""

    #: The value of ``winsock.os`` (``nt4-server``).
    name: str
    #: How the sources name it (``Windows NT 4.0 Server``).
    title: str
    #: The largest listen backlog its ``listen()`` accepts, which is also the backlog a
    #: scenario on this OS has unless it names a smaller one.
    max_backlog: int
    #: Where the limit comes from (``KB Q127144``, or ``[inferred]``).
    source: str
    #: ``TcpMaxHalfOpen``'s default (rule ``half-open-full``): 100 on a server, 500 on a
    #: workstation (Windows 2000 registry reference).
    max_half_open: int = 100
    #: ``TcpMaxConnectResponseRetransmissions``'s default (rule ``syn-ack-schedule``): 2.
    syn_ack_retransmissions: int = 2


OPERATING_SYSTEMS: Mapping[str, OperatingSystem] = MappingProxyType(
    {
        os.name: os
        for os in (
            OperatingSystem("nt4-server", "Windows NT 4.0 Server", 200, "KB Q127144"),
            OperatingSystem("nt4-workstation", "Windows NT 4.0 Workstation", 5, "KB Q127144", 500),
            OperatingSystem("w2k-server", "Windows 2000 Server", 200, "[inferred]"),
        )
    }
)

#: The OS of a scenario that names none [inferred]: the article names no OS.
DEFAULT_OS = "nt4-server"


def operating_system(name: str) -> OperatingSystem:
    """The OS called ``name``; ``KeyError`` if the model has none of that name."""
    return OPERATING_SYSTEMS[name]
