"""POP4 on its own, for tests: ``sim.core.Pop4`` with stub ports that record what it asks
of the kernel and the transport, and a tape that keeps what each input did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sim.core import ControlBlockPool, Counters, Event, Fired, LoggingLevel, Pop4, Tape

EPOCH = datetime(2002, 2, 26, 14, 43, 29)


@dataclass
class Did:
    """What one input did."""

    fired: list[Fired]
    events: list[Event]
    calls: list[tuple[str, int]]

    @property
    def effects(self):
        return tuple(e for f in self.fired for e in f.effects)

    @property
    def refused(self) -> bool:
        return any(name == "refuse" for name, _ in self.calls)

    @property
    def ids(self) -> list[int]:
        return [int(e.event_id) for e in self.events]


@dataclass
class Harness:
    build: object
    size: int = 20
    level: LoggingLevel = LoggingLevel.MAXIMUM
    calls: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tape = Tape()
        self.counters = Counters()
        self.pop4 = Pop4(
            self.build,
            ControlBlockPool(self.size),
            self.level,
            EPOCH,
            counters=self.counters,
            kernel=self,
            transport=self,
            tape=self.tape,
        )

    # the ports
    def request_ok(self, conn, t):
        self.calls.append(("request_ok", conn))

    def withdraw_ok(self, conn):
        self.calls.append(("withdraw_ok", conn))

    def send_cc(self, conn, t):
        self.calls.append(("send_cc", conn))

    def refuse(self, conn, reason):
        self.calls.append(("refuse", conn))

    def _did(self, call) -> Did:
        self.calls.clear()
        self.tape.fired.clear()
        self.tape.events.clear()
        call()
        return Did(list(self.tape.fired), list(self.tape.events), list(self.calls))

    def open(self, conn, t=0) -> Did:
        return self._did(lambda: self.pop4.connect_indication(conn, t))

    def ok(self, conn, t=0) -> Did:
        return self._did(lambda: self.pop4.ok_response(conn, t))

    def close(self, conn, t=0) -> Did:
        return self._did(lambda: self.pop4.close_request(conn, t))

    def data(self, conn, t=0) -> Did:
        return self._did(lambda: self.pop4.data(conn, t))

    @property
    def pool(self) -> ControlBlockPool:
        return self.pop4.pool

    def state(self, conn):
        return self.pop4.state(conn)
