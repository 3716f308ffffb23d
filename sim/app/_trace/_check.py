"""Checking a trace's body: each line as it is read, and the body against its header.

Rules of this module (``docs/traces.md`` lists the checks for users):

* An input line has ``kind``, ``us``, ``t``, ``input``, ``conn`` and then the detail of its
  input (:data:`DETAIL`: each field's presence and type); an event line is read by the
  renderer's own reader (``event_from_json``). Either must then render back, through the
  writer's own functions (``_format``), to exactly its text: a line that is well formed but not what
  mtasim writes (``t`` that is not ``us`` in seconds, another key order, a number written
  another way) is refused too.
* Against the header: time never goes back; connections arrive numbered 0, 1, 2... and every
  other input names one that arrived; workers and control blocks exist in the header's MTA;
  an event's timestamp is the header's epoch plus its ``us``. A simulated trace's arrivals
  name the scenario's peer groups, with the group's hold, give-up, data units and close, a
  service time and a latency within the group's ranges, and there are as many per group as
  the scenario has connections (no more, and none after ``until``, with an ``until``). A live
  session's trace has no drawn arrivals (its inputs are marked external, or it has none: a
  session nobody connected to).
* Whatever a replay of the body can reach is a date: its latest input plus the longest a run
  of its connections can go on (``tail_bound``) stays within the header's epoch's room.
* Errors are :class:`TraceError` lines ``FILE:LINE: corrupt trace: ...`` naming the field.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeGuard

from ...core import ACCEPT_FAILED, Event, Kind, MtasimError, Record, Refusal, to_micros
from ...render._fields import ParseError, event_from_json
from ...scenario import FLOOD, PeerGroup, Scenario, room, tail_bound
from ...text._input import quote
from ._format import dumps, event_line, record_line


class TraceError(MtasimError):
    """A trace that cannot be used: unreadable, truncated, edited, or of a newer format."""


#: The longest virtual time a trace line may name (µs): past it no epoch leaves room.
MAX_US = room(datetime.min)
#: The largest count a trace line may name (data units, connection numbers).
MAX_COUNT = 2**63 - 1


def _us(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_US


def _count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _optional_us(value: Any) -> bool:
    return value is None or _us(value)


Check = tuple[str, Callable[[Any], bool]]


def _arrival_refusal(value: Any) -> bool:
    """Why an arrival was reset: the backlog, or the half-open table (model 4)."""
    return value in (Refusal.BACKLOG.value, Refusal.HALF_OPEN.value)


_US: Check = ("an integer number of microseconds", _us)
_OPTIONAL_US: Check = ("null or an integer number of microseconds", _optional_us)
_COUNT: Check = ("a non-negative integer", _count)
_TRUE: Check = ("true", lambda v: v is True)
_BOOL: Check = ("true or false", lambda v: isinstance(v, bool))
_TEXT: Check = ("a string", lambda v: isinstance(v, str))

#: The detail each input carries, in the order the writer writes it: (key, required, check).
DETAIL: dict[Kind, tuple[tuple[str, bool, Check], ...]] = {
    Kind.ARRIVAL: (
        ("peer", True, _TEXT),
        ("service", True, _US),
        ("hold", True, _OPTIONAL_US),
        ("give_up", True, _OPTIONAL_US),
        ("latency", True, _US),
        ("data_units", True, _COUNT),
        ("reset", True, _BOOL),
        ("refused", False, ("'backlog' or 'half-open table full'", _arrival_refusal)),
        ("external", False, _TRUE),
    ),
    Kind.ACCEPT: (
        ("cb", False, _COUNT),
        ("refused", False, ("'no free control block'", lambda v: v == "no free control block")),
        ("error", False, (repr(ACCEPT_FAILED), lambda v: v == ACCEPT_FAILED)),
    ),
    Kind.OK_READY: (("worker", True, _COUNT),),
    Kind.RESPONSE_TIMEOUT: (),
    Kind.PEER_CLOSE: (
        ("reset", False, _TRUE),
        ("cause", False, _TEXT),
        ("external", False, _TRUE),
    ),
    Kind.PEER_DATA: (
        ("units", True, _COUNT),
        ("external", False, _TRUE),
        ("dropped", False, _TRUE),
    ),
}
_FIXED = ("kind", "us", "t", "input", "conn")
#: What the writer adds after an input's record (``_format.record_line``).
_MARKS = ("external", "dropped")
_KINDS = {kind.label: kind for kind in Kind}


class BodyCheck:
    """Checks the body lines of one trace against its header's scenario, in file order."""

    def __init__(self, name: str, scenario: Scenario) -> None:
        self._name = name
        self._scenario = scenario
        self._epoch = scenario.epoch
        self._until = None if math.isinf(scenario.until) else to_micros(scenario.until)
        self._groups: dict[str, list[PeerGroup]] = {}
        for group in scenario.peers:
            if group.kind != FLOOD:  # a SYN flood opens no connection: no arrival names it
                self._groups.setdefault(group.name, []).append(group)
        self._service = to_micros(scenario.mta.ok_delay + scenario.mta.ok_delay_jitter)
        self._last = 0
        self._arrived = 0
        self._drawn: Counter[str] = Counter()
        self._external = False
        # The largest values a replay's bound needs (see tail_bound).
        self._max_service = 0
        timeout = scenario.winsock.response_timeout
        self._max_after = 0 if math.isinf(timeout) else to_micros(timeout)

    def _fail(self, number: int, message: str) -> TraceError:
        return TraceError(f"{self._name}:{number}: corrupt trace: {message}")

    def line(self, number: int, obj: Any, text: str) -> str:
        """Check one body line (``text`` without its newline); return its kind."""
        kind = obj.get("kind")
        if kind not in ("input", "event"):
            raise self._fail(number, f"unknown line kind {quote(kind, 40)}")
        us = obj.get("us")
        if not _us(us):
            raise self._fail(number, f"field 'us': found {quote(us, 40)}; expected {_US[0]}")
        if us < self._last:
            raise self._fail(number, f"time goes back: {us} µs after {self._last} µs")
        self._last = us
        if kind == "input":
            expected = record_line(
                self._input(number, obj),
                external=obj.get("external") is True,
                dropped=obj.get("dropped") is True,
            )
        else:
            expected = event_line(self._event(number, obj, us))
        if dumps(expected) != text:
            raise self._fail(number, _difference(obj, expected))
        return str(kind)

    def _input(self, number: int, obj: dict[str, Any]) -> Record:
        label = obj.get("input")
        kind = _KINDS.get(label) if isinstance(label, str) else None
        if kind is None:
            raise self._fail(
                number, f"field 'input': found {quote(label, 40)}; expected one of {list(_KINDS)}"
            )
        conn = obj.get("conn")
        if not _count(conn):
            raise self._fail(number, f"field 'conn': found {quote(conn, 40)}; expected {_COUNT[0]}")
        spec = DETAIL[kind]
        known = {key for key, _, _ in spec}
        for key in obj:
            if key not in known and key not in _FIXED:
                raise self._fail(number, f"unknown field {quote(key, 40)} in the {label} input")
        for key, required, (expected, valid) in spec:
            if key not in obj:
                if required:
                    raise self._fail(number, f"field {key!r}: missing; expected {expected}")
                continue
            if not valid(obj[key]):
                raise self._fail(
                    number, f"field {key!r}: found {quote(obj[key], 40)}; expected {expected}"
                )
        detail = tuple(
            (key, value) for key, value in obj.items() if key not in _FIXED and key not in _MARKS
        )
        self._agrees(number, kind, conn, obj)
        return Record(obj["us"], kind, conn, detail)

    def _agrees(self, number: int, kind: Kind, conn: int, obj: dict[str, Any]) -> None:
        """The input against the header's scenario and the lines before it."""
        if kind is not Kind.ARRIVAL:
            if conn >= self._arrived:
                raise self._fail(number, f"connection {conn} has not arrived")
            if kind is Kind.OK_READY and obj["worker"] >= self._scenario.mta.threads:
                raise self._fail(
                    number,
                    f"worker {obj['worker']}: the header's MTA has "
                    f"{self._scenario.mta.threads} kernel threads",
                )
            if kind is Kind.ACCEPT and "cb" in obj:
                blocks = self._scenario.mta.control_blocks
                if not 1 <= obj["cb"] < blocks:
                    raise self._fail(
                        number,
                        f"control block {obj['cb']}: the header's MTA has {blocks} (0 is the "
                        "listener's)",
                    )
            if obj.get("external"):
                self._external = True
            return
        if conn != self._arrived:
            raise self._fail(
                number, f"connection {conn} arrives as number {self._arrived} (expected {conn})"
            )
        self._arrived += 1
        self._max_service = max(self._max_service, obj["service"])
        hold = obj["hold"] or 0
        give_up = obj["give_up"] or 0
        self._max_after = max(self._max_after, give_up, 2 * obj["latency"] + hold)
        if obj.get("external"):
            self._external = True
            return
        self._drawn_arrival(number, obj)

    def _drawn_arrival(self, number: int, obj: dict[str, Any]) -> None:
        peer = obj["peer"]
        groups = self._groups.get(peer, [])
        if not groups:
            raise self._fail(number, f"peer {quote(peer, 40)} is not a group of the header")
        for group in groups:
            if (
                obj["hold"] == _optional(group.hold)
                and obj["give_up"] == _optional(group.give_up)
                and obj["data_units"] == group.data_units
                and obj["reset"] == (group.close == "reset")
                and obj["latency"] <= to_micros(group.latency + group.latency_jitter)
            ):
                break
        else:
            raise self._fail(
                number,
                f"the arrival's hold, give-up, latency, data units or close are not those of "
                f"peer group {quote(peer, 40)} in the header",
            )
        if obj["service"] > self._service:
            raise self._fail(
                number,
                f"service {obj['service']} µs is longer than the header's ok_delay + "
                "ok_delay_jitter allow",
            )
        if self._until is not None and obj["us"] > self._until:
            raise self._fail(number, "an arrival after the header's until")
        self._drawn[peer] += 1

    def _event(self, number: int, obj: dict[str, Any], us: int) -> Event:
        try:
            event = event_from_json(obj, t=us)
        except ParseError as exc:
            raise self._fail(number, str(exc)) from None
        if event.timestamp != self._epoch + timedelta(microseconds=us):
            raise self._fail(
                number,
                f"field 'timestamp': {event.timestamp.isoformat()} is not the header's epoch "
                f"plus {us} µs",
            )
        return event

    def finish(self) -> None:
        """The body as a whole against the header (after the last line)."""
        name = self._name
        drawn = sum(self._drawn.values())
        if self._external and drawn:
            raise TraceError(
                f"{name}: corrupt trace: a live session's trace (external inputs) with "
                f"{drawn} drawn arrivals"
            )
        if drawn:
            expected: Counter[str] = Counter()
            for group in self._scenario.peers:
                if group.kind != FLOOD:
                    expected[group.name] += group.count
            for peer, count in expected.items():
                found = self._drawn[peer]
                if found > count or (self._until is None and found != count):
                    raise TraceError(
                        f"{name}: corrupt trace: the header's scenario has {count:,} "
                        f"connections in peer group {quote(peer, 40)} but the body has "
                        f"{found:,} (the header does not agree with the body)"
                    )
        bound = tail_bound(
            self._arrived,
            to_micros(self._scenario.mta.accept_time),
            self._max_service,
            self._max_after,
        )
        if self._last + bound > room(self._epoch):
            raise TraceError(
                f"{name}: corrupt trace: a replay could reach {self._last + bound:,} µs, past "
                f"the last instant a timestamp can show from the header's epoch"
            )


def _difference(obj: dict[str, Any], expected: dict[str, Any]) -> str:
    """Why a line is not the text the writer makes of its values."""
    for key, value in expected.items():
        if key not in obj:
            return f"field {key!r}: missing; expected {quote(value, 40)}"
        found = obj[key]
        if found != value or type(found) is not type(value):
            return f"field {key!r}: found {quote(found, 40)}; expected {quote(value, 40)}"
    if list(obj) != list(expected):
        extra = [key for key in obj if key not in expected]
        if extra:
            return f"unknown field {quote(extra[0], 40)}"
        return "the fields are not in the order mtasim writes them"
    return "the line is not written the way mtasim writes it (spacing or number form)"


def _optional(seconds: float) -> int | None:
    return None if math.isinf(seconds) else to_micros(seconds)
