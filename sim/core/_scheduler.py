"""The one scheduler of the model: occurrences in ``(t, kind, seq)`` order.

Rules of this module (every driver runs the model through it; they differ only in how time
passes, ``sim.drivers``):

* Time is integer microseconds of virtual time (``Micros``). An :class:`Occurrence` is one
  thing that will happen at an instant: a connection arriving, the listener accepting, the
  kernel's OK response becoming ready, the Winsock response timer firing, a peer's data or
  close reaching the MTA.
* **The tie rule.** Occurrences are handled in ``(t, kind, seq)`` order. At one instant they run
  in :class:`Kind` order: ``OK_READY`` first — an OK response ready exactly at the Winsock
  deadline is in time, because KB Q319936 describes the bug as the connection timing out
  "before the Exchange Server 5.5 message transfer agent (MTA) receives the OK response" (a
  strict inequality) —, then peer closes, response timeouts, data, arrivals, and accepts last
  (so that every connection arriving at an instant is in the backlog before the listener
  looks). Same instant and kind: first scheduled, first run (``seq`` is handed out in the
  order :meth:`Scheduler.at` is called, and is unique, so it decides every remaining tie).
* Cancellation is lazy: :meth:`Scheduler.cancel` marks a ``seq``; the entry stays in the heap
  and is skipped when it comes up. Whoever schedules keeps the ``seq`` until the occurrence
  fires or is cancelled, never both, so the set of marks stays as small as what is pending.
* ``until``: nothing is scheduled after it (:meth:`Scheduler.at` returns :data:`NOT_SCHEDULED`).
* Dispatch is by kind, through the mapping given to :meth:`Scheduler.bind`: each occurrence
  goes to the one handler of its kind. An occurrence injected from outside the model
  (:class:`External`, a real or recorded peer) goes to the handler bound with
  ``external=True``, with its :class:`External` value.
* **The input source.** Inputs from outside the model are merged here, once for every driver:
  a recorded source (a replayed live session, :meth:`Scheduler.feed`) is pushed lazily, each
  input just before the first pop of an entry at or after its time, so everything before it
  has run; a live source injects each input as it happens (:meth:`Scheduler.inject`), with a
  time after everything already handled.

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``tie-rule``.
"""

from __future__ import annotations

import enum
import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from ._time import Micros

#: What :meth:`Scheduler.at` returns for an occurrence after ``until`` (it is not scheduled).
NOT_SCHEDULED = -1


class Kind(enum.IntEnum):
    """What happens at an instant. The value is the priority among equal instants."""

    OK_READY = 0
    PEER_CLOSE = 1
    RESPONSE_TIMEOUT = 2
    PEER_DATA = 3
    ARRIVAL = 4
    ACCEPT = 5

    # Hash as the int it is, in C (Enum's own __hash__ is Python code).
    __hash__ = int.__hash__

    @property
    def label(self) -> str:
        return self.name.lower()


class Occurrence(NamedTuple):
    """One scheduled happening. Ordered by ``(t, kind, seq)``: a tuple whose first three
    fields decide every comparison, because ``seq`` is unique (so the heap compares
    occurrences in C). ``worker`` names the kernel thread of an ``OK_READY``."""

    t: Micros
    kind: Kind
    seq: int
    conn: int
    worker: int = -1


class External(NamedTuple):
    """An input from outside the model: a real peer (live mode) or a recorded one (a replayed
    live session).

    ``spec`` is the connection's :class:`~sim.core.ConnSpec` for an ``ARRIVAL`` (``spec.arrival
    == t``); ``detail`` holds what the peer's input says besides its kind (``("units", n)`` for
    ``PEER_DATA``; ``("reset", True)``, ``("cause", ...)`` for ``PEER_CLOSE``), in order."""

    t: Micros
    kind: Kind
    conn: int
    spec: Any = None
    detail: tuple[tuple[str, Any], ...] = ()


Handler = Callable[[Occurrence], None]
ExternalHandler = Callable[[Occurrence, External], None]

_new_occurrence: Any = tuple.__new__  # tuple.__new__ skips the named tuple's Python __new__


class Scheduler:
    """The heap of one run, its lazy cancellation, its dispatch, and its input source."""

    __slots__ = (
        "_cancelled",
        "_external",
        "_external_handlers",
        "_feed",
        "_handlers",
        "_heap",
        "_next_external",
        "_seq",
        "last_external",
        "now",
        "steps",
        "until",
    )

    def __init__(self, until: Micros | None = None) -> None:
        self._heap: list[Occurrence] = []
        self._seq = 0
        self._cancelled: set[int] = set()
        self._handlers: list[Handler | None] = [None] * len(Kind)
        self._external_handlers: list[ExternalHandler | None] = [None] * len(Kind)
        self._external: dict[int, External] = {}  # seq -> external input awaiting its turn
        self._feed: Iterator[External] | None = None
        self._next_external: External | None = None
        self.until = until
        #: Virtual time of the occurrence being handled (or last handled).
        self.now: Micros = 0
        #: Time of the last external input injected or fed (-1: none yet).
        self.last_external: Micros = -1
        #: Occurrences handled.
        self.steps = 0

    # -- wiring ------------------------------------------------------------------------------
    def bind(
        self,
        handlers: Mapping[Kind, Handler],
        external: Mapping[Kind, ExternalHandler] | None = None,
    ) -> None:
        """Who handles each kind: ``handlers`` for the model's own occurrences, ``external``
        for inputs from outside it."""
        for kind, handler in handlers.items():
            self._handlers[kind] = handler
        for kind, ext_handler in (external or {}).items():
            self._external_handlers[kind] = ext_handler

    # -- scheduling --------------------------------------------------------------------------
    def at(self, t: Micros, kind: Kind, conn: int, worker: int = -1) -> int:
        """Schedule an occurrence; its ``seq``, or :data:`NOT_SCHEDULED` after ``until``."""
        until = self.until
        if until is not None and t > until:
            return NOT_SCHEDULED
        seq = self._seq
        self._seq = seq + 1
        heapq.heappush(self._heap, _new_occurrence(Occurrence, (t, kind, seq, conn, worker)))
        return seq

    def cancel(self, seq: int) -> None:
        """Drop a scheduled occurrence (lazily). ``NOT_SCHEDULED`` is ignored."""
        if seq != NOT_SCHEDULED:
            self._cancelled.add(seq)

    def inject(self, ext: External) -> Occurrence:
        """Schedule an input from outside the model now (live mode): it gets the next ``seq``.
        Its time must not be before the occurrence being handled."""
        if ext.t < self.now:
            raise ValueError(f"an external input cannot go back in time: {ext}")
        seq = self._seq
        self._seq = seq + 1
        self._external[seq] = ext
        self.last_external = max(self.last_external, ext.t)
        occ: Occurrence = _new_occurrence(Occurrence, (ext.t, ext.kind, seq, ext.conn, -1))
        heapq.heappush(self._heap, occ)
        return occ

    def feed(self, externals: Iterable[External]) -> None:
        """Merge a recorded input source (in time order): each input is injected just before
        the first pop of an entry at or after its time."""
        self._feed = iter(externals)
        self._next_external = next(self._feed, None)

    # -- running -----------------------------------------------------------------------------
    def _merge(self) -> None:
        heap = self._heap
        ext = self._next_external
        assert self._feed is not None
        while ext is not None and (not heap or ext.t <= heap[0][0]):
            self.inject(ext)
            ext = next(self._feed, None)
        self._next_external = ext
        if ext is None:
            self._feed = None

    def next_time(self) -> Micros | None:
        """The time of the next live occurrence (``None``: nothing left); cancelled entries
        at the top are dropped on the way."""
        heap = self._heap
        cancelled = self._cancelled
        while True:
            if self._feed is not None:
                self._merge()
            if not heap:
                return None
            top = heap[0]
            if top[2] not in cancelled:
                return top[0]
            heapq.heappop(heap)
            cancelled.remove(top[2])

    def pop(self) -> Occurrence | None:
        """The next live occurrence, removed from the heap (``None``: nothing left)."""
        if self.next_time() is None:
            return None
        return heapq.heappop(self._heap)

    def dispatch(self, occ: Occurrence) -> None:
        """Hand a popped occurrence to the handler of its kind."""
        self.now = occ[0]
        self.steps += 1
        ext = self._external.pop(occ[2], None) if self._external else None
        if ext is None:
            handler = self._handlers[occ[1]]
            assert handler is not None, f"no handler for {occ[1].name}"
            handler(occ)
        else:
            ext_handler = self._external_handlers[occ[1]]
            assert ext_handler is not None, f"no external handler for {occ[1].name}"
            ext_handler(occ, ext)

    def run(self) -> None:
        """Handle every occurrence in order until none is left (the virtual clock: no time
        passes between them). The hot loop of batch runs and sweeps."""
        heap = self._heap
        cancelled = self._cancelled
        handlers = self._handlers
        heappop = heapq.heappop
        while True:
            if self._feed is not None:
                self._merge()
            if not heap:
                return
            occ = heappop(heap)
            seq = occ[2]
            if cancelled and seq in cancelled:
                cancelled.remove(seq)
                continue
            if self._external:
                self.dispatch(occ)
                continue
            self.now = occ[0]
            self.steps += 1
            handlers[occ[1]](occ)  # type: ignore[misc]

    @property
    def pending(self) -> int:
        """Entries in the heap (cancelled ones included)."""
        return len(self._heap)
