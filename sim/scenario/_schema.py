"""The scenario schema: every key, its type, unit, default and range, as data.

Rules of this module:

* :data:`SCHEMA` is the single source of truth of every key: the loader validates against
  it, ``--set`` and ``sweep --vary`` name keys by it (:class:`~sim.scenario.KeyPath`), the
  dataclasses of ``_scenario`` take their defaults from it (:func:`defaults`), ``to_dict`` and
  ``to_toml`` write by it, and the key tables of ``docs/scenarios.md`` are rendered from it
  (``_tables``; a test checks that the doc holds exactly that text).
* What differs between types of values (checking, reading a ``--set``, writing, describing)
  is the field's type object's (``_types``), never a branch on the type elsewhere.
* Durations are seconds (float or int in TOML). ``inf`` (TOML's ``inf``) means "never" where a
  field says it may. Every field has a default, so an empty file is a valid scenario (no
  peers: nothing happens).
* Strings are at most :data:`MAX_TEXT` characters, and a scenario has at most
  :data:`MAX_GROUPS` peer groups: so every line of a trace has a known bound.
* Tables: top-level keys, ``[winsock]``, ``[mta]`` and ``[[peers]]`` (an array of tables: each
  one a group of peers that connect at given times or at random).

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``response-timer-value``.
"""

from __future__ import annotations

import math
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from ..core import (
    DEFAULT_COMPUTER,
    DEFAULT_OS,
    MAX_RETRANSMISSIONS,
    OPERATING_SYSTEMS,
    POP4_COMPONENT,
    POP4_UP,
    LoggingLevel,
)
from ._field import Field
from ._types import BUILD, CHOICE, DATETIME, INT, LOGGING, SECONDS, SECONDS_OR_INF, STRING

#: The longest duration a scenario may name: one year, in seconds. Anything longer is a typo.
MAX_SECONDS = 366 * 24 * 3600.0
#: The largest task instance, Proc number or LPI component a scenario may name [inferred: the
#: KBs show numbers up to 282; a bound keeps every text form short].
MAX_TASK_NUMBER = 65535
#: At most this many connections in one peer group.
MAX_COUNT = 100_000_000
#: At most this many SYNs in one SYN flood (``kind = "syn-flood"``): the model plays each.
MAX_FLOOD = 1_000_000
#: At most this many ``[[peers]]`` groups in one scenario.
MAX_GROUPS = 10_000
#: The longest string value (a name, a description), in characters. With
#: :data:`MAX_GROUPS` this bounds a trace's header line (``sim.app._trace``).
MAX_TEXT = 1000
#: The latest instant a timestamp can show (``datetime.max``): an epoch plus the latest
#: virtual time a run can reach must not pass it (``docs/scenarios.md``).
LAST_INSTANT = datetime.max


TOP: tuple[Field, ...] = (
    Field(
        "name",
        STRING,
        "",
        "Short name; defaults to the file name without .toml.",
        maximum=MAX_TEXT,
    ),
    Field(
        "description",
        STRING,
        "",
        "What the scenario shows (one or two sentences).",
        maximum=MAX_TEXT,
    ),
    Field("seed", INT, 0, "Seed of every random draw of the run.", 0, 2**63 - 1),
    Field(
        "epoch",
        DATETIME,
        datetime(2002, 2, 26, 14, 43, 29),
        "Wall-clock date and time of virtual time 0 (the timestamps events print).",
    ),
    Field("build", BUILD, "pre-fix", "MTA build the run uses unless --build says otherwise."),
    Field(
        "until",
        SECONDS_OR_INF,
        math.inf,
        "Stop the run at this virtual time; inf runs until nothing is left to happen.",
        0.0,
        MAX_SECONDS,
        exclusive_minimum=True,
    ),
)

WINSOCK: tuple[Field, ...] = (
    Field(
        "response_timeout",
        SECONDS_OR_INF,
        21.0,
        "The MTA's own response timer, one reading of the KB's \"times out at the Winsock "
        'layer" (KB Q200259: each layer of the stack keeps its own timer): it starts when the '
        "listener accepts a connection, and if the OK response is not ready when it fires, the "
        "transport closes the connection with a Close Request to the NSI. inf: no such timer "
        "(the other reading: only the peer's give_up closes a waiting connection). No KB gives "
        "its value; 21 s [inferred].",
        0.0,
        MAX_SECONDS,
        exclusive_minimum=True,
    ),
    Field(
        "os",
        CHOICE,
        DEFAULT_OS,
        "The operating system the MTA runs on; it sets the listen backlog's default and its "
        "limit (KB Q127144: 200 on NT 4.0 Server, 5 on NT 4.0 Workstation; Windows 2000 Server "
        "200 [inferred]) and the half-open table's default (winsock.max_half_open: 100 on a "
        "server, 500 on a workstation). The KB names no OS: nt4-server [inferred].",
        choices=tuple(OPERATING_SYSTEMS),
    ),
    Field(
        "backlog",
        INT,
        OPERATING_SYSTEMS[DEFAULT_OS].max_backlog,
        "Listen backlog: connections waiting to be accepted. Without this key, the OS's limit "
        "(winsock.os); a larger value than that limit is refused. A scenario built in Python "
        "gets 200 and must name a backlog for nt4-workstation.",
        1,
        1_000_000,
    ),
    Field(
        "max_half_open",
        INT,
        OPERATING_SYSTEMS[DEFAULT_OS].max_half_open,
        "The half-open table's limit, the registry's TcpMaxHalfOpen (Windows 2000 registry "
        "reference: 100 on a server, 500 on a workstation, range 100-65535): SYNs a SYN flood "
        "(peers.kind = 'syn-flood') holds half-open at most; past it every further connection "
        "request is reset (KB Q142641) [inferred: the reference calls it the threshold of SYN "
        "attack protection; KB Q142641 gives its limit no value]. Without this key, the OS's "
        "default (winsock.os); a scenario built in Python gets 100.",
        100,
        65535,
    ),
    Field(
        "syn_ack_retransmissions",
        INT,
        OPERATING_SYSTEMS[DEFAULT_OS].syn_ack_retransmissions,
        "The registry's TcpMaxConnectResponseRetransmissions: how often an unanswered SYN-ACK "
        "is retransmitted, so how long a SYN flood's half-open connection holds its slot: 3, 9, "
        "21, 45, 93, 189 s for 0..5 (KB Q142641; default 2, Windows 2000 registry reference).",
        0,
        MAX_RETRANSMISSIONS,
    ),
)

MTA: tuple[Field, ...] = (
    Field(
        "control_blocks",
        INT,
        20,
        "TCP/IP control blocks, the listener's included (default 20, KB Q166602).",
        2,
        1250,
    ),
    Field(
        "open_associations",
        INT,
        0,
        "Associations already open at time 0 (they take control blocks 1..N and stay open).",
        0,
        1249,
    ),
    Field(
        "threads",
        INT,
        4,
        "MTA kernel worker threads that produce OK responses [inferred load model].",
        1,
        10_000,
    ),
    Field(
        "ok_delay",
        SECONDS,
        1.0,
        "Kernel time to produce one OK response (the other knob of the race).",
        0.0,
        MAX_SECONDS,
    ),
    Field(
        "ok_delay_jitter",
        SECONDS,
        0.0,
        "Each OK response's kernel time is drawn uniformly in ok_delay +/- this (never below 0).",
        0.0,
        MAX_SECONDS,
    ),
    Field(
        "accept_time",
        SECONDS,
        0.0,
        "Time the NSI listener spends accepting one connection from the backlog.",
        0.0,
        MAX_SECONDS,
    ),
    Field(
        "logging",
        LOGGING,
        LoggingLevel.MAXIMUM,
        "Diagnostics logging level of the Interface category.",
    ),
    Field(
        "computer",
        STRING,
        DEFAULT_COMPUTER,
        "Computer name the Event Viewer form prints.",
        maximum=MAX_TEXT,
    ),
    Field(
        "pop4_instance",
        INT,
        POP4_UP.instance,
        "Instance of the POP4 task its events name, (POP4 POP4 UP(7) Proc 228): 7 in KB "
        "Q319936, 6 in KB Q266792, 5 in KB Q152897.",
        0,
        MAX_TASK_NUMBER,
    ),
    Field(
        "pop4_proc",
        INT,
        POP4_UP.proc,
        "The Proc number of POP4's events (228 in KB Q319936, KB Q266792 and KB Q152897) "
        "[inferred: a code location, the same for every instance].",
        0,
        MAX_TASK_NUMBER,
    ),
    Field(
        "lpi_component",
        INT,
        POP4_COMPONENT,
        "Middle number of an LPI, 1-15-12: 15 in KB Q319936 and KB Q266792, 3 in KB Q152897 "
        "(1-3-14); what it counts is not documented.",
        0,
        MAX_TASK_NUMBER,
    ),
)

PEER: tuple[Field, ...] = (
    Field(
        "name",
        STRING,
        "",
        "Name of the group (default peer-N, N its position).",
        maximum=MAX_TEXT,
        python_default="peer-1",
    ),
    Field(
        "kind",
        CHOICE,
        "connect",
        "'connect': remote MTAs that connect and send a CR; 'syn-flood': SYNs from spoofed "
        "addresses that never complete the handshake, each held half-open by the listener "
        "(winsock.max_half_open, winsock.syn_ack_retransmissions); a flood uses at, count, "
        f"process, interval and rate only, and has at most {MAX_FLOOD:,} SYNs.",
        choices=("connect", "syn-flood"),
    ),
    Field(
        "at",
        SECONDS,
        0.0,
        "When the group's first connection reaches the MTA (or the random process starts).",
        0.0,
        MAX_SECONDS,
    ),
    Field("count", INT, 1, "Connections in the group.", 1, MAX_COUNT),
    Field(
        "process",
        CHOICE,
        "fixed",
        "'fixed': one connection every interval; 'poisson': exponential gaps at rate per "
        "second, drawn from the seed.",
        choices=("fixed", "poisson"),
    ),
    Field("interval", SECONDS, 0.0, "Gap between arrivals for process 'fixed'.", 0.0, MAX_SECONDS),
    Field(
        "rate",
        SECONDS,
        1.0,
        "Mean arrivals per second for process 'poisson'.",
        0.0,
        1e9,
        exclusive_minimum=True,
        unit="per second",
    ),
    Field(
        "hold",
        SECONDS_OR_INF,
        1.0,
        "After its data, how long a peer keeps the association open before closing "
        "(inf: until the run ends).",
        0.0,
        MAX_SECONDS,
    ),
    Field(
        "give_up",
        SECONDS_OR_INF,
        math.inf,
        "The peer's own connect timeout, the other reading of the KB's \"times out at the "
        "Winsock layer\" (the remote MTA gives up; the MTA's Winsock layer reports the close "
        "and the NSI gets a Close Request): it closes if no CC has reached it this long after "
        "it connected (inf: never).",
        0.0,
        MAX_SECONDS,
        exclusive_minimum=True,
    ),
    Field(
        "latency",
        SECONDS,
        0.0,
        "One-way link delay between the peer and the MTA.",
        0.0,
        MAX_SECONDS,
    ),
    Field(
        "latency_jitter",
        SECONDS,
        0.0,
        "Each connection's latency is drawn uniformly in latency +/- this (never below 0).",
        0.0,
        MAX_SECONDS,
    ),
    Field("data_units", INT, 1, "Data units the peer sends after the CC.", 0, 1_000_000),
    Field(
        "close",
        CHOICE,
        "close",
        "How the peer ends the connection: 'close' or 'reset' [inferred: the NSI sees both "
        "as a Close Request].",
        choices=("close", "reset"),
    ),
)

#: Table name -> fields. "" is the top level; "peers" is an array of tables.
SCHEMA: dict[str, tuple[Field, ...]] = {"": TOP, "winsock": WINSOCK, "mta": MTA, "peers": PEER}
ARRAY_TABLES = frozenset({"peers"})


#: (table, key) -> field: every validation of a point of a sweep looks each key up.
_FIELDS: dict[tuple[str, str], Field] = {
    (table, f.key): f for table, fields in SCHEMA.items() for f in fields
}


def field_for(table: str, key: str) -> Field | None:
    return _FIELDS.get((table, key))


def defaults(table: str) -> Any:
    """The defaults of a table's fields as attributes (``defaults("mta").threads``): the one
    home of the dataclasses' defaults."""
    return SimpleNamespace(**{f.key: f.built_default for f in SCHEMA[table]})


def all_keys() -> list[str]:
    """Every dotted key (``peers.count`` for array-table fields)."""
    return [f.key if not t else f"{t}.{f.key}" for t, fields in SCHEMA.items() for f in fields]
