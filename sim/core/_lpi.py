"""Control blocks and LPIs.

The pool of TCP/IP control blocks (one per association, one for the listener), the index an
association takes, and the LPI printed from it.

Rules of the model carried out here (``sim.core.RULES``, listed with their sources and what is
inferred in docs/model.md): ``pool``, ``block-index``, ``lpi``.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass

#: Network type 1 is TCP/IP (RFC 1006), KB Q168815.
NETWORK_TCPIP = 1
#: The middle number of the KB case's LPI (``1-15-12``; rule ``lpi``), the default of
#: ``mta.lpi_component``.
POP4_COMPONENT = 15
#: Default "TCP/IP control blocks" (rule ``pool``).
DEFAULT_CONTROL_BLOCKS = 20
#: The pool's upper bound (rule ``pool``).
MAX_CONTROL_BLOCKS = 1250
#: The control block the listener holds. [inferred]
LISTENER_CB = 0

_LPI_RE = re.compile(r"^(\d+)-(\d+)-(\d+)$")


@dataclass(frozen=True, slots=True, order=True)
class Lpi:
    """An internal connection handle, printed ``1-15-12``."""

    network: int
    component: int
    cb: int

    @classmethod
    def for_cb(cls, cb: int, component: int = POP4_COMPONENT) -> Lpi:
        """The LPI of a TCP/IP association on control block ``cb`` (``component``: the middle
        number, a scenario's ``mta.lpi_component``; rule ``lpi``)."""
        return cls(NETWORK_TCPIP, component, cb)

    @classmethod
    def parse(cls, text: str) -> Lpi:
        """Parse ``"1-15-12"``; raise ``ValueError`` naming the text otherwise."""
        match = _LPI_RE.match(text.strip())
        if match is None:
            shown = repr(text) if len(text) <= 60 else repr(text[:57]) + "..."
            raise ValueError(f"not an LPI (expected N-N-N, like 1-15-12): {shown}")
        network, component, cb = (int(group) for group in match.groups())
        return cls(network, component, cb)

    def __str__(self) -> str:
        return f"{self.network}-{self.component}-{self.cb}"


class PoolExhausted(Exception):
    """No free control block (the MTA logs event 9156)."""


class ControlBlockPool:
    """The TCP/IP control blocks: allocation of the lowest free index, release, leak.

    >>> pool = ControlBlockPool(20)
    >>> pool.allocate(), pool.allocate()
    (1, 2)
    >>> pool.release(1); pool.allocate()
    1
    """

    __slots__ = ("_free", "_in_use", "_leaked", "_size")

    def __init__(self, size: int = DEFAULT_CONTROL_BLOCKS) -> None:
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"control block count must be an int, got {type(size).__name__}")
        if not 2 <= size <= MAX_CONTROL_BLOCKS:
            raise ValueError(
                f"control block count must be between 2 and {MAX_CONTROL_BLOCKS}, got {size}"
            )
        self._size = size
        # Index 0 belongs to the listener from the start. [inferred]
        self._free: list[int] = list(range(1, size))
        heapq.heapify(self._free)
        self._in_use: set[int] = {LISTENER_CB}
        self._leaked: set[int] = set()

    @property
    def size(self) -> int:
        """The configured count, listener included."""
        return self._size

    @property
    def in_use(self) -> int:
        """Control blocks allocated now: listener, associations and leaked ones."""
        return len(self._in_use)

    @property
    def leaked(self) -> int:
        """Control blocks that were never returned (post-SP3 4283 path)."""
        return len(self._leaked)

    @property
    def free(self) -> int:
        return len(self._free)

    def allocate(self) -> int:
        """Take the lowest free index; raise :class:`PoolExhausted` when none is free."""
        cb = self.try_allocate()
        if cb is None:
            raise PoolExhausted(f"no free control blocks (configured count {self._size})")
        return cb

    def try_allocate(self) -> int | None:
        """Take the lowest free index; ``None`` when none is free (no exception: a full pool
        is an ordinary moment of a busy MTA)."""
        if not self._free:
            return None
        cb = heapq.heappop(self._free)
        self._in_use.add(cb)
        return cb

    def release(self, cb: int) -> None:
        """Return an allocated association control block to the pool."""
        self._check_held(cb)
        self._in_use.remove(cb)
        heapq.heappush(self._free, cb)

    def leak(self, cb: int) -> None:
        """Forget an allocated control block without returning it (it stays in use)."""
        self._check_held(cb)
        if cb in self._leaked:
            raise ValueError(f"control block {cb} is already leaked")
        self._leaked.add(cb)

    def _check_held(self, cb: int) -> None:
        if cb == LISTENER_CB:
            raise ValueError("control block 0 is the listener's and is never released")
        if cb not in self._in_use or cb in self._leaked:
            raise ValueError(f"control block {cb} is not allocated to an association")
