"""A deterministic dispatcher for model tasks on trio's MockClock.

Rules of this module:

* trio's scheduler is deliberately not deterministic (it reverses runnable batches at random,
  and tasks woken at one deadline run in no defined order). So model tasks never sleep on
  trio's clock and never wake each other directly. Every happening is an ``Occurrence`` in one
  heap, ordered ``(t, kind, seq)``; the dispatcher pops the first, jumps the MockClock to its
  time, and hands it to the one task that owns it (its :class:`Mailbox`).
* One model step is in flight at a time: the dispatcher parks until the task that got the
  occurrence asks for its next one. Which trio task runs when therefore cannot change the
  order of steps, and the run is a pure function of its inputs.
* A mailbox whose task has not started yet keeps the occurrence until the task's first
  :meth:`Mailbox.get`; a closed mailbox makes ``get`` return ``None`` and the task ends.
* Hand-offs use ``trio.lowlevel`` park/reschedule: two context switches per step, no timeouts
  registered with trio, no cancel scopes.
* Cancellation (a failing task cancels the nursery; Ctrl-C is delivered to the run's main
  task, which is the coordinator) follows trio's abort protocol: a parked task is woken by
  exactly one party. Each park records who may wake it (``_waiting``, ``_parked``); its abort
  callback clears that record before answering ``Abort.SUCCEEDED``, so nobody reschedules a
  task that trio has already woken with ``Cancelled`` or ``KeyboardInterrupt``. A step still in
  flight when the coordinator is aborted finishes and finds no coordinator to wake. The
  bookkeeping around each park is KI-protected (trio defers a Ctrl-C to the next park), so an
  interrupt never lands between a park's record and the park itself; the steps (the core and
  the sinks) are not protected and may be interrupted anywhere.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable
from typing import Any

import trio
from outcome import Value

from ..core import Occurrence


class Mailbox:
    """Where one model task receives its occurrences."""

    __slots__ = ("_busy", "_closed", "_dispatcher", "_pending", "_task", "_waiting", "name")

    def __init__(self, dispatcher: Dispatcher, name: Hashable) -> None:
        self._dispatcher = dispatcher
        self.name = name
        self._task: trio.lowlevel.Task | None = None
        self._waiting = False
        self._pending: Occurrence | None = None
        self._busy = False
        self._closed = False

    @trio.lowlevel.enable_ki_protection
    async def get(self) -> Occurrence | None:
        """Finish the current step (if any) and wait for the next occurrence.

        Returns ``None`` once the mailbox is closed: the task should return.
        """
        if self._busy:
            self._busy = False
            self._dispatcher._step_done(self)
        pending = self._pending
        if pending is not None:
            self._pending = None
            self._busy = True
            return pending
        if self._closed:
            return None
        self._task = trio.lowlevel.current_task()
        self._waiting = True
        occ: Occurrence | None = await trio.lowlevel.wait_task_rescheduled(self._abort)
        if occ is not None:
            self._busy = True
        return occ

    def _abort(self, _: Any) -> trio.lowlevel.Abort:
        # Cancelled while parked: nobody may reschedule this task any more (``_deliver`` keeps
        # an occurrence as pending, ``close`` does nothing).
        self._waiting = False
        return trio.lowlevel.Abort.SUCCEEDED

    @trio.lowlevel.enable_ki_protection
    def _deliver(self, occ: Occurrence) -> None:
        if self._closed:
            raise RuntimeError(f"occurrence {occ} for closed mailbox {self.name!r}")
        if self._waiting:
            self._waiting = False
            assert self._task is not None
            trio.lowlevel.reschedule(self._task, Value(occ))
        else:
            self._pending = occ

    @trio.lowlevel.enable_ki_protection
    def close(self) -> None:
        """No more occurrences: a waiting task is woken with ``None``."""
        if self._closed:
            return
        self._closed = True
        if self._waiting and self._pending is None:
            self._waiting = False
            assert self._task is not None
            trio.lowlevel.reschedule(self._task, Value(None))


class Dispatcher:
    """Owns the occurrence heap and the virtual clock of one run."""

    def __init__(self, clock: trio.testing.MockClock) -> None:
        self.clock = clock
        self._base = trio.current_time()
        self._heap: list[Occurrence] = []
        self._cancelled: set[int] = set()
        self._active: Mailbox | None = None
        self._coordinator: trio.lowlevel.Task | None = None
        self._parked = False  # the coordinator waits for the active step to finish
        self.steps = 0

    def push(self, occ: Occurrence) -> None:
        heapq.heappush(self._heap, occ)

    def cancel(self, seq: int) -> None:
        self._cancelled.add(seq)

    def seconds(self, t: int) -> float:
        """trio time of model time ``t`` (µs)."""
        return self._base + t / 1_000_000

    @trio.lowlevel.enable_ki_protection
    async def run(self, route: Any, feed: Callable[[int | None], None] | None = None) -> None:
        """Dispatch until the heap is empty. ``route(occ)`` names the owner's mailbox.

        ``feed(t)``, if given, is called before each pop with the time of the heap's first
        entry (``None`` when the heap is empty) and may push occurrences (external inputs)."""
        self._coordinator = trio.lowlevel.current_task()
        heap = self._heap
        cancelled = self._cancelled
        clock = self.clock
        while True:
            if feed is not None:
                feed(heap[0].t if heap else None)
            if not heap:
                return
            occ = heapq.heappop(heap)
            if occ.seq in cancelled:
                cancelled.discard(occ.seq)
                continue
            target = self.seconds(occ.t)
            now = trio.current_time()
            if target > now:
                clock.jump(target - now)
            mailbox: Mailbox = route(occ)
            self._active = mailbox
            mailbox._deliver(occ)
            self.steps += 1
            self._parked = True
            await trio.lowlevel.wait_task_rescheduled(self._abort)

    def _abort(self, _: Any) -> trio.lowlevel.Abort:
        # Cancelled (or interrupted) while a step is in flight: the step may still finish, and
        # must then not reschedule the coordinator, which trio wakes with the cancellation.
        self._parked = False
        return trio.lowlevel.Abort.SUCCEEDED

    def _step_done(self, mailbox: Mailbox) -> None:
        if self._active is not mailbox:
            raise RuntimeError(f"mailbox {mailbox.name!r} finished a step it was not given")
        self._active = None
        if self._parked:
            self._parked = False
            assert self._coordinator is not None
            trio.lowlevel.reschedule(self._coordinator)
