"""The trio clock: the model as trio tasks under a virtual clock (the reference driver).

Rules of this module:

* The model's actors are trio tasks, each owning some kinds of occurrence:

  ============================  ========================================================
  task                          occurrences it handles
  ============================  ========================================================
  ``peer-N`` (one per           its connection's arrival (``ARRIVAL``), data (``PEER_DATA``)
  connection)                   and close or give-up (``PEER_CLOSE``); started with its
                                arrival, ended when the MTA is done with its connection
  ``winsock``                   the response timer of every connection (``RESPONSE_TIMEOUT``)
  ``listener``                  the NSI listener accepting from the backlog (``ACCEPT``)
  ``kernel-N``                  MTA kernel worker thread N producing OK responses (``OK_READY``)
  ``outside``                   an outside input for a connection the MTA is done with
  ============================  ========================================================

* trio's scheduler is deliberately not deterministic, so the tasks never sleep on trio's clock
  and never wake each other. The coordinator pops the next occurrence from the model's one
  scheduler (``sim.core.Scheduler``, which holds the order and the tie rule), jumps the
  ``MockClock`` to its time, hands it to the task that owns it, and waits until that task has
  dispatched it. One step is in flight at a time, so which trio task runs when cannot change
  the result (``docs/determinism.md``).
* Hand-offs use ``trio.lowlevel`` park/reschedule and follow trio's cancellation protocol (a
  failing task cancels the nursery; Ctrl-C is delivered to the run's main task, which is the
  coordinator): a parked task is woken by exactly one party. Each park records who may wake
  it; its abort callback clears that record before answering ``Abort.SUCCEEDED``, so nobody
  reschedules a task that trio has already woken with ``Cancelled`` or ``KeyboardInterrupt``.
  A step still in flight when the coordinator is aborted finishes and finds no coordinator to
  wake. The bookkeeping around each park, and task creation, are KI-protected (trio defers a
  Ctrl-C to the next park), so an interrupt never lands between a park's record and the park
  itself; the steps (the core and the sinks) are not protected and may be interrupted
  anywhere. An interrupted or failed run ends with that one exception (a
  ``KeyboardInterrupt`` first), never an exception group or a ``TrioInternalError``.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable
from typing import Any

import trio
import trio.testing
from outcome import Value

from ..core import Build, ConnSpec, External, Kind, Model, ModelConfig, Mta, Occurrence, StepSink


class _Box:
    """Where one model task receives its occurrences."""

    __slots__ = ("_busy", "_clock", "_closed", "_pending", "_task", "_waiting", "name")

    def __init__(self, clock: _Coordinator, name: Hashable) -> None:
        self._clock = clock
        self.name = name
        self._task: trio.lowlevel.Task | None = None
        self._waiting = False
        self._pending: Occurrence | None = None
        self._busy = False
        self._closed = False

    @trio.lowlevel.enable_ki_protection
    async def next(self) -> Occurrence | None:
        """Finish the current step (if any) and wait for the next occurrence; ``None`` once
        the box is closed (the task should return)."""
        if self._busy:
            self._busy = False
            self._clock.step_done(self)
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
        # Cancelled while parked: nobody may reschedule this task any more.
        self._waiting = False
        self._task = None
        return trio.lowlevel.Abort.SUCCEEDED

    @trio.lowlevel.enable_ki_protection
    def deliver(self, occ: Occurrence) -> None:
        if self._closed:
            raise RuntimeError(f"occurrence {occ} for the ended task {self.name!r}")
        if self._waiting:
            self._waiting = False
            assert self._task is not None
            trio.lowlevel.reschedule(self._task, Value(occ))
        else:
            self._pending = occ

    @trio.lowlevel.enable_ki_protection
    def close(self) -> None:
        """No more occurrences: a parked task is woken with ``None``."""
        if self._closed:
            return
        self._closed = True
        if self._waiting and self._pending is None:
            self._waiting = False
            assert self._task is not None
            trio.lowlevel.reschedule(self._task, Value(None))


class _Coordinator:
    """Pops the scheduler, moves the MockClock, hands each occurrence to its task."""

    def __init__(self, model: Model, clock: trio.testing.MockClock, nursery: trio.Nursery):
        self.model = model
        self.clock = clock
        self.nursery = nursery
        self.base = trio.current_time()
        self._active: _Box | None = None
        self._task: trio.lowlevel.Task | None = None
        self._waiting = False
        self._peers: dict[int, _Box] = {}
        self._fixed = {
            Kind.RESPONSE_TIMEOUT: self._spawn("winsock"),
            Kind.ACCEPT: self._spawn("listener"),
        }
        self._kernel = [self._spawn(("kernel", n)) for n in range(model.mta.config.threads)]
        self._outside: _Box | None = None
        model.mta.on_finished = self._finished

    @trio.lowlevel.enable_ki_protection
    def _spawn(self, name: Hashable) -> _Box:
        # KI-protected: a Ctrl-C inside trio's start_soon would leave the nursery half-told.
        box = _Box(self, name)
        self.nursery.start_soon(self._actor, box, name=f"mtasim:{name}")
        return box

    async def _actor(self, box: _Box) -> None:
        """The loop every model task runs: take an occurrence, dispatch it."""
        dispatch = self.model.scheduler.dispatch
        while True:
            occ = await box.next()
            if occ is None:
                return
            dispatch(occ)

    def _route(self, occ: Occurrence) -> _Box:
        kind = occ.kind
        if kind is Kind.OK_READY:
            return self._kernel[occ.worker]
        box = self._fixed.get(kind)
        if box is not None:
            return box
        if kind is Kind.ARRIVAL:
            box = self._peers[occ.conn] = self._spawn(("peer", occ.conn))
            return box
        box = self._peers.get(occ.conn)
        if box is None:
            # An outside input for a connection the MTA is already done with.
            if self._outside is None:
                self._outside = self._spawn("outside")
            return self._outside
        return box

    def _finished(self, conn: int) -> None:
        box = self._peers.pop(conn, None)
        if box is not None:
            box.close()

    @trio.lowlevel.enable_ki_protection
    async def run(self) -> None:
        self._task = trio.lowlevel.current_task()
        scheduler = self.model.scheduler
        clock = self.clock
        base = self.base
        while True:
            occ = scheduler.pop()
            if occ is None:
                break
            target = base + occ.t / 1_000_000
            now = trio.current_time()
            if target > now:
                clock.jump(target - now)
            box = self._route(occ)
            self._active = box
            box.deliver(occ)
            self._waiting = True
            await trio.lowlevel.wait_task_rescheduled(self._abort)
        for box in (*self._fixed.values(), *self._kernel, *self._peers.values()):
            box.close()
        if self._outside is not None:
            self._outside.close()
        self._peers.clear()

    def _abort(self, _: Any) -> trio.lowlevel.Abort:
        self._waiting = False
        return trio.lowlevel.Abort.SUCCEEDED

    def step_done(self, box: _Box) -> None:
        if self._active is not box:
            raise RuntimeError(f"task {box.name!r} finished a step it was not given")
        self._active = None
        if self._waiting:  # not when the run is being cancelled
            self._waiting = False
            assert self._task is not None
            trio.lowlevel.reschedule(self._task)


async def run_async(
    config: ModelConfig,
    build: Build,
    arrivals: Iterable[ConnSpec],
    on_step: StepSink | None = None,
    *,
    externals: Iterable[External] | None = None,
) -> Mta:
    """Run the model inside the current trio run (whose clock must be a ``MockClock`` with
    ``rate=0``). Returns the finished MTA, for its summary."""
    clock = trio.lowlevel.current_clock()
    if not isinstance(clock, trio.testing.MockClock):
        raise RuntimeError(
            "the trio model needs trio.testing.MockClock as the run's clock "
            "(trio.run(..., clock=MockClock()))"
        )
    if clock.rate != 0:
        # The model's tasks never sleep on trio's clock, so autojump never fires for them;
        # a running clock would move time under the coordinator's feet.
        raise RuntimeError("the trio model drives the MockClock itself: use rate=0")
    model = Model(config, build, arrivals, on_step=on_step, externals=externals)
    async with trio.open_nursery() as nursery:
        coordinator = _Coordinator(model, clock, nursery)
        model.start()
        await coordinator.run()
    return model.mta


def run_trio(
    config: ModelConfig,
    build: Build,
    arrivals: Iterable[ConnSpec],
    on_step: StepSink | None = None,
    *,
    externals: Iterable[External] | None = None,
) -> Mta:
    """Run the model in a fresh ``trio.run`` on a fresh ``MockClock``. An exception raised by
    a step or a sink leaves as that one exception, as a plain function call's would."""
    clock = trio.testing.MockClock(rate=0)
    try:
        main = functools.partial(run_async, externals=externals)
        return trio.run(main, config, build, arrivals, on_step, clock=clock)
    except BaseExceptionGroup as group:
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
