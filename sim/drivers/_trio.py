"""The async model on trio: Winsock transport, NSI listener, MTA kernel threads and remote
peers as trio tasks, under a virtual clock.

Rules of this module:

* The tasks are the model's actors. Each owns some kinds of occurrence and performs their
  steps on the sans-IO core (``sim.core.Mta``):

  ============================  ========================================================
  task                          steps
  ============================  ========================================================
  ``peer`` (one per connection)  connects (ARRIVAL), sends data (PEER_DATA), closes or gives
                                up (PEER_CLOSE); started when its arrival is scheduled, ends
                                when the core is done with its connection
  ``winsock``                   the response timer of every connection (RESPONSE_TIMEOUT)
  ``listener``                  the NSI listener accepting from the backlog (ACCEPT)
  ``kernel-N``                  MTA kernel worker thread N producing OK responses (OK_READY)
  ============================  ========================================================

* The :class:`~sim.drivers._dispatch.Dispatcher` hands each occurrence to its task in
  ``(t, kind, seq)`` order and waits for the step to finish, so the output never depends on
  trio's scheduling order (see ``docs/determinism.md``).
* Events and trace records go to the sinks as they happen (streaming); :func:`run_async`
  keeps no per-connection state once a connection is done.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable

import trio
import trio.testing

from ..core import Build, ConnSpec, Event, Kind, ModelConfig, Mta, Occurrence, Record, Step
from ._dispatch import Dispatcher, Mailbox

EventSink = Callable[[Event], None]
RecordSink = Callable[[Record], None]


class TrioModel:
    """One run of the model on trio. Use :func:`run_async` or ``sim.run``."""

    def __init__(
        self,
        config: ModelConfig,
        build: Build,
        arrivals: Iterable[ConnSpec],
        on_event: EventSink | None = None,
        on_record: RecordSink | None = None,
    ) -> None:
        self.mta = Mta(config, build, arrivals)
        self._on_event = on_event
        self._on_record = on_record
        self._peers: dict[int, Mailbox] = {}
        self._nursery: trio.Nursery | None = None
        self._dispatcher: Dispatcher | None = None

    async def run(self) -> Mta:
        clock = trio.lowlevel.current_clock()
        if not isinstance(clock, trio.testing.MockClock):
            raise RuntimeError(
                "the trio model needs trio.testing.MockClock as the run's clock "
                "(trio.run(..., clock=MockClock()))"
            )
        if clock.rate != 0 or not math.isinf(clock.autojump_threshold):
            raise RuntimeError(
                "the trio model drives the MockClock itself: use rate=0 and no autojump"
            )
        dispatcher = self._dispatcher = Dispatcher(clock)
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            winsock = self._spawn("winsock")
            listener = self._spawn("listener")
            kernel = [self._spawn(("kernel", n)) for n in range(self.mta.config.threads)]
            fixed: dict[Kind, Mailbox] = {Kind.RESPONSE_TIMEOUT: winsock, Kind.ACCEPT: listener}
            peers = self._peers

            def route(occ: Occurrence) -> Mailbox:
                kind = occ.kind
                if kind is Kind.OK_READY:
                    return kernel[occ.worker]
                box = fixed.get(kind)
                return box if box is not None else peers[occ.conn]

            self._apply(self.mta.start())
            await dispatcher.run(route)
            for box in (winsock, listener, *kernel, *peers.values()):
                box.close()
            peers.clear()
        return self.mta

    # -- tasks -------------------------------------------------------------------------
    def _spawn(self, name: Hashable) -> Mailbox:
        assert self._nursery is not None and self._dispatcher is not None
        box = Mailbox(self._dispatcher, name)
        self._nursery.start_soon(self._actor, box, name=f"mtasim:{name}")
        return box

    async def _actor(self, box: Mailbox) -> None:
        """The loop every model task runs: take an occurrence, perform its step."""
        mta = self.mta
        while True:
            occ = await box.get()
            if occ is None:
                return
            self._apply(mta.handle(occ))

    def _apply(self, step: Step) -> None:
        assert self._dispatcher is not None
        dispatcher = self._dispatcher
        for seq in step.cancel:
            dispatcher.cancel(seq)
        for occ in step.schedule:
            if occ.kind is Kind.ARRIVAL:
                self._peers[occ.conn] = self._spawn(("peer", occ.conn))
            dispatcher.push(occ)
        if self._on_record is not None:
            for record in step.records:
                self._on_record(record)
        if self._on_event is not None:
            for event in step.events:
                self._on_event(event)
        for conn in step.finished:
            box = self._peers.pop(conn, None)
            if box is not None:
                box.close()


async def run_async(
    config: ModelConfig,
    build: Build,
    arrivals: Iterable[ConnSpec],
    on_event: EventSink | None = None,
    on_record: RecordSink | None = None,
) -> Mta:
    """Run the model inside the current trio run (whose clock must be a ``MockClock`` with
    ``rate=0`` and no autojump). Returns the finished core, for its counters."""
    return await TrioModel(config, build, arrivals, on_event, on_record).run()


def run_trio(
    config: ModelConfig,
    build: Build,
    arrivals: Iterable[ConnSpec],
    on_event: EventSink | None = None,
    on_record: RecordSink | None = None,
) -> Mta:
    """Run the model in a fresh ``trio.run`` on a fresh ``MockClock``."""
    clock = trio.testing.MockClock(rate=0)
    try:
        return trio.run(run_async, config, build, arrivals, on_event, on_record, clock=clock)
    except BaseExceptionGroup as group:
        # A model step or a sink raised inside a task: re-raise that one exception, as a plain
        # function call would (a group only when several tasks failed at once).
        leaf = _sole_leaf(group)
        if leaf is None:
            raise
        raise leaf from None


def _sole_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    inner: BaseException = group
    while isinstance(inner, BaseExceptionGroup):
        if len(inner.exceptions) != 1:
            return None
        inner = inner.exceptions[0]
    return inner
