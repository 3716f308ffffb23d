"""The live NSI listener: RFC 1006 on real TCP, feeding the sans-IO core.

Rules of this module:

* Every decision the MTA makes is the core's (``sim.core.Mta``, on the real-time clock
  :class:`~sim.drivers.RealTime`): when the CC goes out, which connection is refused with a DR
  for want of a control block (9156), which one the Winsock timer closes, what is logged; this
  module reads them from each step's actions and hands them to the connection they name
  (``_connection.Connection``). It only accepts connections and reports what the real peers
  did, as external inputs: the CR's arrival, each batch of TSDUs after the CC, the close or
  reset.
* A CR's kernel service time is drawn as the plan draws it (``sim.scenario.ServiceTimes``),
  from the stream of the peer group its calling TSAP names.
* At most ``max_connections`` TCP connections are served at once; more are reset on accept
  and counted (``over_cap``), with one log line each time the cap is reached.
"""

from __future__ import annotations

import errno
import math
import sys
from collections.abc import Callable
from typing import Any

import trio

from ..core import Build, CloseOnTimeout, Refuse, SendCC, Step, StepSink
from ..drivers import RealTime
from ..scenario import Scenario, ServiceTimes, model_config
from ..text._plural import plural
from ..wire import ConnectRequested
from ._connection import Connection, reset
from ._listener_options import ListenerOptions, ListenError, ListenerStats, host_port

Log = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def tsap_text(tsap: bytes | None) -> str:
    """A TSAP as a peer name: printable ASCII as is, anything else in hex; none: ``live``."""
    if not tsap:
        return "live"
    if len(tsap) <= 64 and all(0x20 < b < 0x7F for b in tsap):
        return tsap.decode("ascii")
    return "0x" + tsap[:64].hex()


class LiveServer:
    """An RFC 1006 listener whose MTA is the sans-IO core on real time.

    ``await nursery.start(server.serve)`` returns the port it listens on; :meth:`stop` ends
    the session cleanly (the trace is finished by :meth:`RealTime.finish`).
    """

    def __init__(
        self,
        scenario: Scenario,
        build: Build,
        options: ListenerOptions | None = None,
        *,
        on_step: StepSink | None = None,
        log: Log | None = None,
    ) -> None:
        self.options = options if options is not None else ListenerOptions()
        self.options.check()
        self.scenario = scenario
        self.build = build
        self._on_step = on_step
        self.model = RealTime(
            model_config(scenario),
            build,
            time_scale=self.options.time_scale,
            on_step=self._step,
        )
        self.stats = ListenerStats()
        self.port: int | None = None
        self._log = log if log is not None else _stderr
        self._service = ServiceTimes(scenario)
        self._links: dict[int, Connection] = {}
        self._by_conn: dict[int, Connection] = {}
        self._accepted = 0
        self._cap_logged = False
        self._scope: trio.CancelScope | None = None
        self._stop_requested = False

    # -- life cycle ----------------------------------------------------------------------
    async def serve(self, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        """Listen and serve until :meth:`stop` (or ``duration``, or the scenario's ``until``)."""
        opts = self.options
        backlog = opts.backlog if opts.backlog is not None else self.scenario.winsock.backlog
        try:
            listeners = await trio.open_tcp_listeners(opts.port, host=opts.host, backlog=backlog)
        except OSError as exc:
            raise ListenError(
                f"cannot listen on {host_port(opts.host, opts.port)}: {exc.strerror or exc}"
            ) from None
        for extra in listeners[1:]:
            await extra.aclose()
        listener = listeners[0]
        self.port = int(listener.socket.getsockname()[1])
        self.model.start()
        try:
            async with trio.open_nursery() as nursery:
                self._scope = nursery.cancel_scope
                if self._stop_requested:
                    nursery.cancel_scope.cancel()
                nursery.start_soon(self.model.run)
                nursery.start_soon(self._accept_loop, listener, nursery)
                stop_after = self._stop_after()
                if stop_after is not None:
                    nursery.cancel_scope.deadline = trio.current_time() + stop_after
                task_status.started(self.port)
        finally:
            listener.socket.close()
            self.model.finish()

    def stop(self) -> None:
        """End the session: stop accepting, close every connection, finish the model."""
        self._stop_requested = True
        if self._scope is not None:
            self._scope.cancel()

    def _stop_after(self) -> float | None:
        limits = []
        if self.options.duration is not None:
            limits.append(self.options.duration)
        if not math.isinf(self.scenario.until):
            limits.append(self.scenario.until * self.options.time_scale)
        return min(limits) if limits else None

    @property
    def connections(self) -> int:
        """TCP connections being served now."""
        return len(self._links)

    def summary(self) -> dict[str, Any]:
        """The listener's counters and the model's (``Mta.summary``)."""
        return {"listener": self.stats.as_dict(), "model": self.model.mta.summary().as_dict()}

    def log(self, line: str) -> None:
        """One line on the session's log (stderr unless the listener was given another)."""
        self._log(line)

    # -- accepting -----------------------------------------------------------------------
    async def _accept_loop(self, listener: trio.SocketListener, nursery: trio.Nursery) -> None:
        opts = self.options
        while True:
            try:
                stream = await listener.accept()
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    self._log(f"listener: accept failed ({exc.strerror}); retrying in 0.1 s")
                    await trio.sleep(0.1)
                    continue
                raise
            number = self._accepted
            self._accepted += 1
            self.stats.tcp_accepted += 1
            if len(self._links) >= opts.max_connections:
                self.stats.over_cap += 1
                if not self._cap_logged:
                    self._cap_logged = True
                    self._log(
                        f"listener: {plural(opts.max_connections, 'connection')} at once "
                        "(the cap); resetting new ones until one ends (counted as over_cap)"
                    )
                reset(stream)
                continue
            self._cap_logged = False
            connection = Connection(number, stream, self)
            self._links[number] = connection
            self.stats.peak_connections = max(self.stats.peak_connections, len(self._links))
            nursery.start_soon(self._handle, connection)

    async def _handle(self, connection: Connection) -> None:
        try:
            await connection.serve()
        finally:
            del self._links[connection.number]
            if connection.conn is not None:
                self._by_conn.pop(connection.conn, None)

    def connect_request(self, connection: Connection, request: ConnectRequested) -> int:
        """A connection's CR arrived: an external arrival for the model, with the service time
        of the peer group its calling TSAP names. Returns the model's connection number."""
        self.stats.connect_requests += 1
        peer = tsap_text(request.cr.calling_tsap)
        conn = self.model.arrival(self._service.draw(peer), peer)
        self._by_conn[conn] = connection
        return conn

    # -- the model's decisions: the actions of each step --------------------------------------
    def _step(self, step: Step) -> None:
        if self._on_step is not None:
            self._on_step(step)
        for action in step.actions:
            if isinstance(action, SendCC):
                connection = self._by_conn.get(action.conn)
                if connection is not None:
                    connection.confirm()
            elif isinstance(action, (Refuse, CloseOnTimeout)):
                connection = self._by_conn.pop(action.conn, None)
                if connection is not None:
                    connection.disconnect(action.reason if isinstance(action, Refuse) else None)
