"""The trio clock: the model as trio tasks under a virtual clock (the reference driver).

Rules of this module:

* The model's actors are trio tasks, each owning some kinds of occurrence:

  ============================  ========================================================
  task                          occurrences it handles
  ============================  ========================================================
  ``listener``                  the MTA's listening endpoint: a connection's CR arriving
                                into the Winsock backlog, or refused there (``ARRIVAL``),
                                and the NSI listener accepting from it (``ACCEPT``)
  ``winsock``                   the response timer of every connection (``RESPONSE_TIMEOUT``)
  ``kernel-N``                  MTA kernel worker thread N producing OK responses (``OK_READY``)
  ``peer-N`` (one per           the remote peer of connection N once it acts after connecting:
  connection)                   its data (``PEER_DATA``) and close or give-up (``PEER_CLOSE``);
                                ended when the MTA is done with its connection
  ``outside``                   an outside input for a connection the MTA is done with
  ============================  ========================================================

  A task is spawned with the first occurrence it owns (lazily: a connection refused at its
  arrival, more than half of a storm, never has a peer task of its own; a kernel thread that
  never works never starts).
* trio's scheduler is deliberately not deterministic, so the tasks never sleep on trio's clock
  and never wait for each other's results. They pass **the baton**: the model's one scheduler
  (``sim.core.Scheduler``, which holds the order and the tie rule) is popped only by the task
  holding it. The holder dispatches its occurrence, pops the next one, moves the
  ``MockClock`` to its time, and if it owns that one too, dispatches it as well (a run of its
  consecutive occurrences costs no task switch); otherwise it hands the occurrence, and with
  it the baton, to its owner (waking it, or spawning it) and parks. Exactly one task holds the
  baton and one step is in flight at a time, so which trio task runs when cannot change the
  result (``docs/determinism.md``): the order is the scheduler's, every time.
* The run's main task hands the first occurrence over and parks until the holder that finds
  the scheduler empty ends the run (it wakes every parked task with ``None``: they return).
  A task holding the baton for :data:`STREAK` steps in a row passes a trio checkpoint, so a
  deferred Ctrl-C or a cancellation reaches the run within two such streaks (trio may run the
  checkpointing task before the one that delivers it).
* Hand-offs use ``trio.lowlevel`` park/reschedule and follow trio's cancellation protocol (a
  failing task cancels the nursery; Ctrl-C is delivered to the run's main task when it lands
  in protected code): a parked task is woken by exactly one party. Each park records who may
  wake it; its abort callback clears that record before answering ``Abort.SUCCEEDED``, so
  nobody reschedules a task that trio has already woken with ``Cancelled`` or
  ``KeyboardInterrupt``. The main task's abort also stops the baton: a step still in flight
  finishes, and no task starts another one. The hand-offs and the run's end, and task
  creation, are KI-protected (trio defers a Ctrl-C to the next park), so an interrupt never
  lands between a park's record and the park itself; the steps (the core and the sinks) are
  not protected and may be interrupted anywhere. An interrupted or failed run ends with that
  one exception (a ``KeyboardInterrupt`` first), never an exception group or a
  ``TrioInternalError``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import trio
import trio.testing
from outcome import Value

from ..core import Build, ConnSpec, External, Kind, Model, ModelConfig, Mta, Occurrence, StepSink

#: Steps a task may run in a row with the baton before it passes a trio checkpoint.
STREAK = 64


class _Actor:
    """One model task: where it parks, and whether it may still be given occurrences."""

    __slots__ = ("closed", "name", "started", "task", "waiting")

    def __init__(self, name: str) -> None:
        self.name = name
        self.task: trio.lowlevel.Task | None = None
        self.started = False
        self.waiting = False
        self.closed = False

    def abort(self, _: Any) -> trio.lowlevel.Abort:
        # Cancelled while parked: nobody may reschedule this task any more.
        self.waiting = False
        self.task = None
        return trio.lowlevel.Abort.SUCCEEDED

    def close(self) -> None:
        """No more occurrences: a parked task is woken with ``None`` (it returns)."""
        self.closed = True
        if self.waiting:
            self.waiting = False
            assert self.task is not None
            trio.lowlevel.reschedule(self.task, Value(None))


class _Baton:
    """The actors of one run, who owns which occurrence, and the passing of the baton."""

    def __init__(self, model: Model, clock: trio.testing.MockClock, nursery: trio.Nursery):
        self.model = model
        self.clock = clock
        self.nursery = nursery
        self.base = clock.current_time()
        mta = model.mta
        self._holds = mta.holds
        self._listener = _Actor("listener")
        self._winsock = _Actor("winsock")
        self._kernel = [_Actor(f"kernel-{n}") for n in range(mta.config.threads)]
        self._peers: dict[int, _Actor] = {}
        self._outside = _Actor("outside")
        #: the owner of each kind (by its value) that one task owns for the whole run
        self._by_kind: list[_Actor | None] = [None] * len(Kind)
        self._by_kind[Kind.RESPONSE_TIMEOUT] = self._winsock
        self._by_kind[Kind.ARRIVAL] = self._by_kind[Kind.ACCEPT] = self._listener
        self._main: trio.lowlevel.Task | None = None
        self._main_waiting = False
        self._stopped = False
        mta.on_finished = self._finished

    # -- who owns an occurrence ------------------------------------------------------------
    def _owner(self, occ: Occurrence) -> _Actor:
        fixed = self._by_kind[occ[1]]
        if fixed is not None:
            return fixed
        if occ[1] is Kind.OK_READY:
            return self._kernel[occ[4]]
        conn = occ[3]  # PEER_DATA, PEER_CLOSE
        actor = self._peers.get(conn)
        if actor is None:
            if not self._holds(conn):
                return self._outside  # the MTA is already done with this connection
            actor = self._peers[conn] = _Actor(f"peer-{conn}")
        return actor

    def _finished(self, conn: int) -> None:
        actor = self._peers.pop(conn, None)
        if actor is not None:
            actor.close()

    def _move_clock(self, t: int) -> None:
        target = self.base + t / 1_000_000
        clock = self.clock
        now = clock.current_time()
        if target > now:
            clock.jump(target - now)

    # -- the baton -------------------------------------------------------------------------
    def _give(self, owner: _Actor, occ: Occurrence) -> None:
        """Hand ``occ`` and the baton to its owner: wake it, or spawn it with it."""
        if not owner.started:
            owner.started = True
            self.nursery.start_soon(self._hold, owner, occ, name=f"mtasim:{owner.name}")
        elif owner.waiting:
            owner.waiting = False
            assert owner.task is not None
            trio.lowlevel.reschedule(owner.task, Value(occ))
        else:
            raise RuntimeError(f"occurrence {occ} for the task {owner.name!r}, which is not parked")

    @trio.lowlevel.enable_ki_protection
    async def _pass(self, me: _Actor, owner: _Actor, occ: Occurrence) -> Occurrence | None:
        """Give ``occ`` to its owner and park until given the next one (``None``: return)."""
        self._give(owner, occ)
        if me.closed:
            return None
        me.task = trio.lowlevel.current_task()
        me.waiting = True
        given: Occurrence | None = await trio.lowlevel.wait_task_rescheduled(me.abort)
        return None if self._stopped else given

    def stopped(self) -> bool:
        """The run's main task was cancelled or interrupted: no step may start."""
        return self._stopped

    async def _hold(self, me: _Actor, occ: Occurrence | None) -> None:
        """The loop every model task runs: dispatch the occurrence it was given and the ones
        after it that it owns, then pass the baton on; until the run ends or its connection
        is done."""
        scheduler = self.model.scheduler
        dispatch = scheduler.dispatch
        pop = scheduler.pop
        by_kind = self._by_kind
        owner_of = self._owner
        base = self.base
        clock_now = self.clock.current_time
        jump = self.clock.jump
        streak = 0
        if self._stopped:  # cancelled before this task started
            return
        while occ is not None:
            dispatch(occ)
            if self.stopped():  # the run was cancelled or interrupted during the step
                return
            occ = pop()
            if occ is None:
                self._end()
                return
            target = base + occ[0] / 1_000_000  # as _move_clock, inline: once per step
            now = clock_now()
            if target > now:
                jump(target - now)
            owner = by_kind[occ[1]] or owner_of(occ)
            if owner is me:
                streak += 1
                if streak >= STREAK:
                    streak = 0
                    await trio.lowlevel.checkpoint()
                    if self.stopped():
                        return
                continue
            streak = 0
            occ = await self._pass(me, owner, occ)

    @trio.lowlevel.enable_ki_protection
    def _end(self) -> None:
        """The scheduler is empty: every parked task returns, the main task goes on."""
        for actor in (self._listener, self._winsock, *self._kernel, self._outside):
            actor.close()
        for actor in self._peers.values():
            actor.close()
        self._peers.clear()
        if self._main_waiting:
            self._main_waiting = False
            assert self._main is not None
            trio.lowlevel.reschedule(self._main)

    @trio.lowlevel.enable_ki_protection
    async def run(self) -> None:
        """In the run's main task: hand the first occurrence over, wait for the run's end."""
        occ = self.model.scheduler.pop()
        if occ is None:
            return
        self._move_clock(occ[0])
        self._main = trio.lowlevel.current_task()
        self._give(self._owner(occ), occ)
        self._main_waiting = True
        await trio.lowlevel.wait_task_rescheduled(self._abort)

    def _abort(self, _: Any) -> trio.lowlevel.Abort:
        # Cancelled or interrupted: the baton stops; no task starts another step.
        self._main_waiting = False
        self._stopped = True
        return trio.lowlevel.Abort.SUCCEEDED


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
        # a running clock would move time under the baton's feet.
        raise RuntimeError("the trio model drives the MockClock itself: use rate=0")
    model = Model(config, build, arrivals, on_step=on_step, externals=externals)
    async with trio.open_nursery() as nursery:
        baton = _Baton(model, clock, nursery)
        model.start()
        await baton.run()
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
