"""What an RFC 1006 peer connection is told and what a batch of them reports.

Rules of this module:

* :class:`PeerOptions` are the plain mode's (``mtasim peer --connections``): durations in real
  seconds; :meth:`PeerOptions.check` names the first bad one as the command line spells it;
  :meth:`PeerOptions.spec` states a plain-mode connection's behaviour as the simulated peers'
  :class:`~sim.core.ConnSpec`, so that both modes are played by the same code
  (``_playback``).
* Each connection ends in exactly one of :data:`OUTCOMES`; :class:`PeerSummary` counts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..core import ConnSpec, to_micros
from ..text._plural import plural

OUTCOMES = ("connected", "refused", "timed out", "closed", "no listener", "failed")


@dataclass(frozen=True, slots=True)
class PeerOptions:
    """What each peer connection does in the plain mode (a scenario's peers take their TPDU
    size and called TSAP from here too). Durations in real seconds."""

    connections: int = 1
    #: connections started per second (0: all at once)
    rate: float = 10.0
    #: the peer's own connect timeout: no CC this long after the TCP connect started, it closes
    timeout: float = 5.0
    calling_tsap: bytes | None = b"MTASIMPEER"
    called_tsap: bytes | None = b"EXCHANGETSAP1"
    tpdu_size: int | None = 2048
    #: octets of the one TSDU sent after the CC (0: no data)
    data: int = 64
    #: seconds the association is kept after the data, reading what comes back
    hold: float = 0.1
    #: close with a TCP reset instead of a FIN
    reset: bool = False

    def check(self) -> None:
        """Raise ``ValueError`` naming the first bad option."""
        if self.connections < 1:
            raise ValueError(f"--connections must be at least 1, got {self.connections}")
        if not (self.rate >= 0 and math.isfinite(self.rate)):
            raise ValueError(f"--rate must be 0 or a positive number, got {self.rate}")
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            raise ValueError(f"--timeout must be a positive number, got {self.timeout}")
        if not (self.hold >= 0 and math.isfinite(self.hold)):
            raise ValueError(f"--hold must be 0 or a positive number, got {self.hold}")
        if self.data < 0:
            raise ValueError(f"--data must be 0 or more octets, got {self.data}")
        if self.tpdu_size is not None and self.tpdu_size not in {1 << n for n in range(7, 14)}:
            raise ValueError(f"--tpdu-size must be a power of two 128..8192, got {self.tpdu_size}")
        for name, tsap in (("--tsap", self.calling_tsap), ("--called-tsap", self.called_tsap)):
            if tsap is not None and len(tsap) > 100:
                raise ValueError(f"{name} is {plural(len(tsap), 'octet')} long (100 at most here)")

    def spec(self, index: int) -> ConnSpec:
        """What plain-mode connection ``index`` does, as a :class:`ConnSpec`: it starts at
        instant 0 (its TCP connect), gives up ``timeout`` later, has no link delay, sends one
        TSDU of ``data`` octets (none if 0), holds ``hold``, closes or resets."""
        return ConnSpec(
            index,
            0,
            0,
            hold=to_micros(self.hold),
            give_up=to_micros(self.timeout),
            data_units=1 if self.data else 0,
            reset=self.reset,
        )


@dataclass(slots=True)
class PeerSummary:
    """What a batch of peer connections saw."""

    target: str
    connections: int = 0
    connected: int = 0
    refused: int = 0
    timed_out: int = 0
    closed: int = 0
    no_listener: int = 0
    failed: int = 0
    sent_octets: int = 0
    echoed_octets: int = 0
    elapsed: float = 0.0
    outcomes: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        self.outcomes.append(outcome)
        attr = outcome.replace(" ", "_")
        setattr(self, attr, getattr(self, attr) + 1)

    @property
    def nobody_listened(self) -> bool:
        """Every connection's TCP connect was refused: nothing listens at the target."""
        return self.connections > 0 and self.no_listener == self.connections

    def line(self) -> str:
        """The summary line; ``no listener N`` only when some TCP connects were refused."""
        nobody = f", no listener {self.no_listener}" if self.no_listener else ""
        return (
            f"peer: {plural(self.connections, 'connection')} to {self.target} in "
            f"{self.elapsed:.2f} s: connected {self.connected}, refused {self.refused}, "
            f"timed out {self.timed_out}, closed by the listener {self.closed}, failed "
            f"{self.failed}{nobody}"
        )


def parse_target(text: str, default_port: int = 102) -> tuple[str, int]:
    """``HOST:PORT``, ``[v6]:PORT`` or ``HOST`` (RFC 1006's port 102). Raises ``ValueError``."""
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"bad address {text!r}: no closing ']'")
        host, rest = text[1:end], text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ValueError(f"bad address {text!r}: expected ':PORT' after ']'")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not host:
        raise ValueError(f"bad address {text!r}: no host")
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) <= 0xFFFF:
        raise ValueError(f"bad address {text!r}: the port must be 1..65535")
    return host, int(port_text)
