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
* Steps (the core and the sinks) may be interrupted anywhere, and a sink may raise: the run
  then ends with that one exception (a ``KeyboardInterrupt`` first), never an exception group
  or a ``TrioInternalError``; the hand-offs and task creation are KI-protected (trio defers a
  Ctrl-C in them to the next park), see ``_dispatch.py``.
* External inputs (a live session's real peers, replayed from its trace) are pushed lazily, in
  order, just before the first occurrence at or after their time is dispatched; the peer task
  of an external arrival starts then. Each goes to its connection's ``peer`` task, or to an
  ``external`` task when the model is already done with that connection (``docs/live.md``).
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Iterator

import trio
import trio.testing

from ..core import (
    Build,
    ConnSpec,
    EventSink,
    External,
    Kind,
    ModelConfig,
    Mta,
    Occurrence,
    RecordSink,
    Step,
)
from ._dispatch import Dispatcher, Mailbox


class TrioModel:
    """One run of the model on trio. Use :func:`run_async` or ``sim.run``."""

    def __init__(
        self,
        config: ModelConfig,
        build: Build,
        arrivals: Iterable[ConnSpec],
        on_event: EventSink | None = None,
        on_record: RecordSink | None = None,
        *,
        externals: Iterable[External] | None = None,
    ) -> None:
        self.mta = Mta(config, build, arrivals)
        self._externals: Iterator[External] | None = None if externals is None else iter(externals)
        self._on_event = on_event
        self._on_record = on_record
        self._peers: dict[int, Mailbox] = {}
        self._nursery: trio.Nursery | None = None
        self._dispatcher: Dispatcher | None = None
        self._pending_external: External | None = None

    async def run(self) -> Mta:
        clock = trio.lowlevel.current_clock()
        if not isinstance(clock, trio.testing.MockClock):
            raise RuntimeError(
                "the trio model needs trio.testing.MockClock as the run's clock "
                "(trio.run(..., clock=MockClock()))"
            )
        if clock.rate != 0:
            # The model's tasks never sleep on trio's clock, so autojump never fires for them;
            # a running clock would move time under the dispatcher's feet.
            raise RuntimeError("the trio model drives the MockClock itself: use rate=0")
        dispatcher = self._dispatcher = Dispatcher(clock)
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            winsock = self._spawn("winsock")
            listener = self._spawn("listener")
            kernel = [self._spawn(("kernel", n)) for n in range(self.mta.config.threads)]
            fixed: dict[Kind, Mailbox] = {Kind.RESPONSE_TIMEOUT: winsock, Kind.ACCEPT: listener}
            peers = self._peers
            stray = self._spawn("external") if self._externals is not None else None

            def route(occ: Occurrence) -> Mailbox:
                kind = occ.kind
                if kind is Kind.OK_READY:
                    return kernel[occ.worker]
                box = fixed.get(kind)
                if box is not None:
                    return box
                if stray is not None:
                    return peers.get(occ.conn, stray)
                return peers[occ.conn]

            self._apply(self.mta.start())
            await dispatcher.run(route, None if self._externals is None else self._feed)
            for box in (winsock, listener, *kernel, *peers.values()):
                box.close()
            if stray is not None:
                stray.close()
            peers.clear()
        return self.mta

    def _feed(self, top: int | None) -> None:
        """Push the external inputs due before the heap's first entry (at ``top``)."""
        assert self._externals is not None and self._dispatcher is not None
        pending = self._pending_external
        if pending is None:
            pending = next(self._externals, None)
        while pending is not None and (top is None or pending.t <= top):
            occ = self.mta.inject(pending)
            if occ.kind is Kind.ARRIVAL:
                self._peers[occ.conn] = self._spawn(("peer", occ.conn))
            self._dispatcher.push(occ)
            top = occ.t
            pending = next(self._externals, None)
        self._pending_external = pending

    # -- tasks -------------------------------------------------------------------------
    @trio.lowlevel.enable_ki_protection
    def _spawn(self, name: Hashable) -> Mailbox:
        # KI-protected: a Ctrl-C inside trio's start_soon would leave the nursery half-told.
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
    *,
    externals: Iterable[External] | None = None,
) -> Mta:
    """Run the model inside the current trio run (whose clock must be a ``MockClock`` with
    ``rate=0`` and no autojump). Returns the finished core, for its counters."""
    return await TrioModel(config, build, arrivals, on_event, on_record, externals=externals).run()


def run_trio(
    config: ModelConfig,
    build: Build,
    arrivals: Iterable[ConnSpec],
    on_event: EventSink | None = None,
    on_record: RecordSink | None = None,
    *,
    externals: Iterable[External] | None = None,
) -> Mta:
    """Run the model in a fresh ``trio.run`` on a fresh ``MockClock``."""
    clock = trio.testing.MockClock(rate=0)
    try:
        main = functools.partial(run_async, externals=externals)
        return trio.run(main, config, build, arrivals, on_event, on_record, clock=clock)
    except BaseExceptionGroup as group:
        # A model step or a sink raised inside a task: re-raise that one exception, as a plain
        # function call would.
        raise sole_exception(group) from None


def sole_exception(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """What a failed ``trio.run`` means, as one exception: the first ``KeyboardInterrupt`` in
    the group (an interrupt wins: a second Ctrl-C, or one that lands while another task is
    failing, is still an interrupt), else the group's only leaf, else the group itself."""
    interrupt, _ = group.split(KeyboardInterrupt)
    if interrupt is not None:
        return _leaves(interrupt)[0]
    leaves = _leaves(group)
    return leaves[0] if len(leaves) == 1 else group


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]
