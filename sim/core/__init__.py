"""The sans-IO core: pure, no trio, no I/O, no clock, no randomness.

It decides everything that differs between MTA builds: the POP4 transition table and the
builds' policies over it (``_state``, ``_builds``), the one place a row's effects are carried
out (``_pop4``), control blocks and LPIs (``_lpi``), the events the MTA logs (``_events``), the
MTA around POP4 — Winsock backlog and timer, listener, kernel — (``_mta``), the peers as input
sources (``_peers``), the one scheduler every driver runs (``_scheduler``), the facts each step
reports (``_steps``) and the counters of a run (``_counters``).
"""

from . import _mta
from ._builds import (
    BUILDS,
    HOTFIX,
    POST_FIX,
    POST_SP3,
    PRE_FIX,
    SP4,
    SP5,
    Build,
    build_names,
    diff,
    resolve_build,
)
from ._catalog import (
    BAD_LPI_ERROR_CODE,
    CATALOG,
    CLOSE_REQUEST,
    DEFAULT_COMPUTER,
    FIELDS,
    PAIR_WINDOW_SECONDS,
    POP4_UP,
    SOURCE,
    Category,
    EventId,
    EventSpec,
    EventType,
    FieldKind,
    TaskHeader,
    Tone,
)
from ._config import ACCEPT_FAILED, ModelConfig, PeerSide, StepSink
from ._connspec import ConnSpec
from ._counters import COUNTER_NAMES, Counters, Summary
from ._errors import BuildError, LocalProtocolError, MtasimError, ProtocolError, RemoteProtocolError
from ._events import Event
from ._halfopen import HalfOpenConfig, HalfOpenTable
from ._known_events import KNOWN_EVENTS, NOT_DOCUMENTED, KnownEvent, events_markdown
from ._logging import SEVERITY_FLOOR, LoggingLevel, is_logged
from ._lpi import (
    DEFAULT_CONTROL_BLOCKS,
    MAX_CONTROL_BLOCKS,
    POP4_COMPONENT,
    ControlBlockPool,
    Lpi,
    PoolExhausted,
)
from ._model import Model
from ._model_versions import (
    MODEL_DOCS,
    MODEL_VERSION,
    MODEL_VERSIONS,
    ModelVersion,
    model_version,
    versions_markdown,
)
from ._mta import Mta
from ._os import DEFAULT_OS, OPERATING_SYSTEMS, OperatingSystem, operating_system
from ._peers import ExternalPeers, SimulatedPeers
from ._pop4 import Association, Pop4
from ._rules import RULES, Citation, Rule, inferred_markdown, rule, rules_markdown
from ._scheduler import NOT_SCHEDULED, External, Kind, Occurrence, Scheduler
from ._state import (
    BASE_TABLE,
    LOGS,
    REFUSAL,
    Effect,
    Input,
    State,
    Transition,
    table,
    transition,
)
from ._steps import (
    Action,
    CloseOnTimeout,
    Fired,
    Record,
    Refusal,
    Refuse,
    SendCC,
    Step,
    Tape,
)
from ._tcp import MAX_RETRANSMISSIONS, connect_give_up, half_open_lifetime, retransmission_times
from ._time import (
    MICROS_PER_SECOND,
    Micros,
    clock12,
    duration_text,
    exact_seconds,
    fixed_seconds,
    latest_micros,
    seconds_text,
    to_micros,
    to_seconds,
)

#: The core runs compiled (a build with the compiled modules, ``docs/performance.md``); the
#: pure-Python modules are the reference and run wherever the compiled ones are absent.
COMPILED: bool = not (_mta.__file__ or "").endswith(".py")

__all__ = [
    "ACCEPT_FAILED",
    "BAD_LPI_ERROR_CODE",
    "BASE_TABLE",
    "BUILDS",
    "CATALOG",
    "CLOSE_REQUEST",
    "COMPILED",
    "COUNTER_NAMES",
    "DEFAULT_COMPUTER",
    "DEFAULT_CONTROL_BLOCKS",
    "DEFAULT_OS",
    "FIELDS",
    "HOTFIX",
    "KNOWN_EVENTS",
    "LOGS",
    "MAX_CONTROL_BLOCKS",
    "MAX_RETRANSMISSIONS",
    "MICROS_PER_SECOND",
    "MODEL_DOCS",
    "MODEL_VERSION",
    "MODEL_VERSIONS",
    "NOT_DOCUMENTED",
    "NOT_SCHEDULED",
    "OPERATING_SYSTEMS",
    "PAIR_WINDOW_SECONDS",
    "POP4_COMPONENT",
    "POP4_UP",
    "POST_FIX",
    "POST_SP3",
    "PRE_FIX",
    "REFUSAL",
    "RULES",
    "SEVERITY_FLOOR",
    "SOURCE",
    "SP4",
    "SP5",
    "Action",
    "Association",
    "Build",
    "BuildError",
    "Category",
    "Citation",
    "CloseOnTimeout",
    "ConnSpec",
    "ControlBlockPool",
    "Counters",
    "Effect",
    "Event",
    "EventId",
    "EventSpec",
    "EventType",
    "External",
    "ExternalPeers",
    "FieldKind",
    "Fired",
    "HalfOpenConfig",
    "HalfOpenTable",
    "Input",
    "Kind",
    "KnownEvent",
    "LocalProtocolError",
    "LoggingLevel",
    "Lpi",
    "Micros",
    "Model",
    "ModelConfig",
    "ModelVersion",
    "Mta",
    "MtasimError",
    "Occurrence",
    "OperatingSystem",
    "PeerSide",
    "PoolExhausted",
    "Pop4",
    "ProtocolError",
    "Record",
    "Refusal",
    "Refuse",
    "RemoteProtocolError",
    "Rule",
    "Scheduler",
    "SendCC",
    "SimulatedPeers",
    "State",
    "Step",
    "StepSink",
    "Summary",
    "Tape",
    "TaskHeader",
    "Tone",
    "Transition",
    "build_names",
    "clock12",
    "connect_give_up",
    "diff",
    "duration_text",
    "events_markdown",
    "exact_seconds",
    "fixed_seconds",
    "half_open_lifetime",
    "inferred_markdown",
    "is_logged",
    "latest_micros",
    "model_version",
    "operating_system",
    "resolve_build",
    "retransmission_times",
    "rule",
    "rules_markdown",
    "seconds_text",
    "table",
    "to_micros",
    "to_seconds",
    "transition",
    "versions_markdown",
]
