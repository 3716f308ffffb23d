"""The scenario schema: every key, its type, unit, default and range, as data.

Rules of this module:

* :data:`SCHEMA` is the single source of truth: the loader validates against it, ``--set``
  types its values with it, and ``docs/scenarios.md`` documents it (a test checks that every
  key here is documented there).
* Durations are seconds (float or int in TOML). ``inf`` (TOML's ``inf``) means "never" where a
  field says it may. Every field has a default, so an empty file is a valid scenario (no
  peers: nothing happens).
* Strings are at most :data:`MAX_TEXT` characters, and a scenario has at most
  :data:`MAX_GROUPS` peer groups: so every line of a trace has a known bound.
* Tables: top-level keys, ``[winsock]``, ``[mta]`` and ``[[peers]]`` (an array of tables: each
  one a group of peers that connect at given times or at random).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: The longest duration a scenario may name: one year, in seconds. Anything longer is a typo.
MAX_SECONDS = 366 * 24 * 3600.0
#: At most this many connections in one peer group.
MAX_COUNT = 100_000_000
#: At most this many ``[[peers]]`` groups in one scenario.
MAX_GROUPS = 10_000
#: The longest string value (a name, a description), in characters. With
#: :data:`MAX_GROUPS` this bounds a trace's header line (``sim.app._trace``).
MAX_TEXT = 1000
#: The latest instant a timestamp can show (``datetime.max``): an epoch plus the latest
#: virtual time a run can reach must not pass it (``docs/scenarios.md``).
LAST_INSTANT = datetime.max


class Type(enum.Enum):
    INT = "integer"
    SECONDS = "seconds"
    SECONDS_OR_INF = "seconds or inf"
    STRING = "string"
    DATETIME = "date-time"
    CHOICE = "one of"
    BUILD = "build name"
    LOGGING = "logging level"


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    type: Type
    default: Any
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    # For a string, ``maximum`` is its longest length in characters.

    def expected(self) -> str:
        """Human text of what the field accepts, for error messages and docs."""
        if self.type is Type.CHOICE:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.type is Type.BUILD:
            return "a build version or alias (e.g. 'pre-fix', '5.5.2656.20')"
        if self.type is Type.LOGGING:
            return "'none', 'minimum', 'medium', 'maximum' or 0, 1, 3, 5"
        if self.type is Type.DATETIME:
            return "a TOML date-time like 2002-02-26T14:43:29"
        if self.type is Type.STRING:
            return (
                "a string"
                if self.maximum is None
                else (f"a string of at most {_num(self.maximum)} characters")
            )
        low = (
            ""
            if self.minimum is None
            else (f"{'>' if self.exclusive_minimum else '>='} {_num(self.minimum)}")
        )
        high = "" if self.maximum is None else f"<= {_num(self.maximum)}"
        bounds = " and ".join(b for b in (low, high) if b)
        what = {
            Type.INT: "an integer",
            Type.SECONDS: "a number of seconds",
            Type.SECONDS_OR_INF: "a number of seconds or inf",
        }[self.type]
        return f"{what} {bounds}".strip()


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


DEFAULT_EPOCH = datetime(2002, 2, 26, 14, 43, 29)

TOP: tuple[Field, ...] = (
    Field(
        "name",
        Type.STRING,
        "",
        "Short name; defaults to the file name without .toml.",
        maximum=MAX_TEXT,
    ),
    Field(
        "description",
        Type.STRING,
        "",
        "What the scenario shows (one or two sentences).",
        maximum=MAX_TEXT,
    ),
    Field("seed", Type.INT, 0, "Seed of every random draw of the run.", 0, 2**63 - 1),
    Field(
        "epoch",
        Type.DATETIME,
        DEFAULT_EPOCH,
        "Wall-clock date and time of virtual time 0 (the timestamps events print).",
    ),
    Field("build", Type.BUILD, "pre-fix", "MTA build the run uses unless --build says otherwise."),
    Field(
        "until",
        Type.SECONDS_OR_INF,
        float("inf"),
        "Stop the run at this virtual time; inf runs until nothing is left to happen.",
        0.0,
        MAX_SECONDS,
        exclusive_minimum=True,
    ),
)

WINSOCK: tuple[Field, ...] = (
    Field(
        "response_timeout",
        Type.SECONDS,
        21.0,
        "The Winsock-layer timer that races the OK response: a connection whose OK response "
        "is not ready this long after it arrived is closed (default 21 s: Windows 2000 drops "
        "a connection after 21 s with 2 retransmissions, KB Q142641) [inferred].",
        0.0,
        MAX_SECONDS,
        exclusive_minimum=True,
    ),
    Field(
        "backlog",
        Type.INT,
        200,
        "Listen backlog: connections waiting to be accepted (200 on NT 4.0 Server, KB Q127144).",
        1,
        1_000_000,
    ),
)

MTA: tuple[Field, ...] = (
    Field(
        "control_blocks",
        Type.INT,
        20,
        "TCP/IP control blocks, the listener's included (default 20, KB Q166602).",
        2,
        1250,
    ),
    Field(
        "open_associations",
        Type.INT,
        0,
        "Associations already open at time 0 (they take control blocks 1..N and stay open).",
        0,
        1249,
    ),
    Field(
        "threads",
        Type.INT,
        4,
        "MTA kernel worker threads that produce OK responses [inferred load model].",
        1,
        10_000,
    ),
    Field(
        "ok_delay",
        Type.SECONDS,
        1.0,
        "Kernel time to produce one OK response (the other knob of the race).",
        0.0,
        MAX_SECONDS,
    ),
    Field(
        "ok_delay_jitter",
        Type.SECONDS,
        0.0,
        "Each OK response's kernel time is drawn uniformly in ok_delay +/- this (never below 0).",
        0.0,
        MAX_SECONDS,
    ),
    Field(
        "accept_time",
        Type.SECONDS,
        0.0,
        "Time the NSI listener spends accepting one connection from the backlog.",
        0.0,
        MAX_SECONDS,
    ),
    Field(
        "logging", Type.LOGGING, "maximum", "Diagnostics logging level of the Interface category."
    ),
    Field(
        "computer",
        Type.STRING,
        "EXCHANGE1",
        "Computer name the Event Viewer form prints.",
        maximum=MAX_TEXT,
    ),
)

PEER: tuple[Field, ...] = (
    Field(
        "name",
        Type.STRING,
        "",
        "Name of the group (default peer-N, N its position).",
        maximum=MAX_TEXT,
    ),
    Field(
        "at",
        Type.SECONDS,
        0.0,
        "When the group's first connection reaches the MTA (or the random process starts).",
        0.0,
        MAX_SECONDS,
    ),
    Field("count", Type.INT, 1, "Connections in the group.", 1, MAX_COUNT),
    Field(
        "process",
        Type.CHOICE,
        "fixed",
        "'fixed': one connection every interval; 'poisson': exponential gaps at rate per "
        "second, drawn from the seed.",
        choices=("fixed", "poisson"),
    ),
    Field(
        "interval", Type.SECONDS, 0.0, "Gap between arrivals for process 'fixed'.", 0.0, MAX_SECONDS
    ),
    Field(
        "rate",
        Type.SECONDS,
        1.0,
        "Mean arrivals per second for process 'poisson'.",
        0.0,
        1e9,
        exclusive_minimum=True,
    ),
    Field(
        "hold",
        Type.SECONDS_OR_INF,
        1.0,
        "After its data, how long a peer keeps the association open before closing "
        "(inf: until the run ends).",
        0.0,
        MAX_SECONDS,
    ),
    Field(
        "give_up",
        Type.SECONDS_OR_INF,
        float("inf"),
        "The peer's own connect timeout: it closes if no CC has reached it this long after "
        "it connected (inf: never).",
        0.0,
        MAX_SECONDS,
        exclusive_minimum=True,
    ),
    Field(
        "latency",
        Type.SECONDS,
        0.0,
        "One-way link delay between the peer and the MTA.",
        0.0,
        MAX_SECONDS,
    ),
    Field(
        "latency_jitter",
        Type.SECONDS,
        0.0,
        "Each connection's latency is drawn uniformly in latency +/- this (never below 0).",
        0.0,
        MAX_SECONDS,
    ),
    Field("data_units", Type.INT, 1, "Data units the peer sends after the CC.", 0, 1_000_000),
    Field(
        "close",
        Type.CHOICE,
        "close",
        "How the peer ends the connection: 'close' or 'reset' [inferred: the NSI sees both "
        "as a Close Request].",
        choices=("close", "reset"),
    ),
)

#: Table name -> fields. "" is the top level; "peers" is an array of tables.
SCHEMA: dict[str, tuple[Field, ...]] = {"": TOP, "winsock": WINSOCK, "mta": MTA, "peers": PEER}
ARRAY_TABLES = frozenset({"peers"})


def field_for(table: str, key: str) -> Field | None:
    for f in SCHEMA.get(table, ()):
        if f.key == key:
            return f
    return None


def all_keys() -> list[str]:
    """Every dotted key (``peers.count`` for array-table fields)."""
    return [f.key if not t else f"{t}.{f.key}" for t, fields in SCHEMA.items() for f in fields]
