"""The batch driver: the sans-IO core run from a plain event heap, for large sweeps.

Rules of this module:

* Same inputs, same outputs as the trio driver (``_trio.run_trio``): one heap of occurrences,
  popped in ``(t, kind, seq)`` order, each handed to ``Mta.handle`` before the next is popped;
  cancellation is lazy through a set of ``seq`` numbers, exactly as in
  :class:`~sim.drivers._dispatch.Dispatcher`. Records and events go to the sinks in the order
  the core returns them. ``tests/test_batch_driver.py`` proves that the two drivers give
  identical event and record lists on generated scenarios (DESIGN.md: a batch driver is only
  allowed with that proof).
* No trio, no clock, no tasks: nothing here can reorder steps, so the order of the heap is the
  whole order of the run.
* The heap holds the occurrences themselves: an ``Occurrence`` is a named tuple
  ``(t, kind, seq, conn, worker)``, compared in C, and ``seq`` is unique, so the comparison is
  decided by ``(t, kind, seq)``.
* Without a record sink the core keeps no input records at all (``Mta(records=False)``): a
  sweep pays only for the counters.
* Memory follows what is in flight: the arrivals iterator is consumed lazily by the core (one
  arrival ahead), the driver keeps no per-connection state, and every cancelled ``seq`` leaves
  the set when its occurrence is popped.
* This is the hot loop of sweeps: names are bound to locals once, and a step allocates nothing
  beyond the heap entries for the occurrences the core schedules.
* External inputs (a live session's real peers, replayed from its trace) are pushed lazily, in
  their order: each one enters the heap (``Mta.inject``) just before the first pop of an
  occurrence at or after its time, so everything before it has run (``docs/live.md``).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from ..core import (
    Build,
    ConnSpec,
    EventSink,
    External,
    ModelConfig,
    Mta,
    Occurrence,
    RecordSink,
)


def run_batch(
    config: ModelConfig,
    build: Build,
    arrivals: Iterable[ConnSpec],
    on_event: EventSink | None = None,
    on_record: RecordSink | None = None,
    *,
    externals: Iterable[External] | None = None,
) -> Mta:
    """Run the model to the end from a plain event heap; same results as :func:`run_trio`.

    Returns the finished core, for its counters (``mta.summary()``)."""
    mta = Mta(config, build, arrivals, records=on_record is not None, events=on_event is not None)
    heap: list[Occurrence] = []
    cancelled: set[int] = set()
    heappush = heapq.heappush
    heappop = heapq.heappop
    handle = mta.handle
    cancel = cancelled.update
    uncancel = cancelled.remove
    ext_iter = iter(() if externals is None else externals)
    ext = next(ext_iter, None)

    step = mta.start()
    while True:
        if step.cancel:
            cancel(step.cancel)
        for occ in step.schedule:
            heappush(heap, occ)
        if on_record is not None:
            for record in step.records:
                on_record(record)
        if on_event is not None:
            for event in step.events:
                on_event(event)
        # Pop the next live occurrence; cancelled ones leave the set as they leave the heap.
        # Before each pop, the external inputs due by then enter the heap.
        while True:
            while ext is not None and (not heap or ext.t <= heap[0][0]):
                heappush(heap, mta.inject(ext))
                ext = next(ext_iter, None)
            if not heap:
                return mta
            occ = heappop(heap)
            if occ.seq not in cancelled:
                break
            uncancel(occ.seq)
        step = handle(occ)
