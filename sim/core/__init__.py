"""The sans-IO core: pure, no trio, no I/O, no clock, no randomness.

It decides everything that differs between MTA builds: the POP4 transition table and the
builds' policies over it (``_state``, ``_builds``), the one place a row's effects are carried
out (``_pop4``), control blocks and LPIs (``_lpi``), the events the MTA logs (``_events``), the
MTA around POP4 — Winsock backlog and timer, listener, kernel — (``_mta``), the peers as input
sources (``_peers``), the one scheduler every driver runs (``_scheduler``), the facts each step
reports (``_steps``) and the counters of a run (``_counters``).
"""

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
    SOURCE,
    Category,
    EventId,
    EventSpec,
    EventType,
    FieldKind,
    TaskHeader,
    Tone,
)
from ._connspec import ConnSpec
from ._counters import COUNTER_NAMES, Counters, Summary
from ._errors import BuildError, LocalProtocolError, MtasimError, ProtocolError, RemoteProtocolError
from ._events import Event
from ._logging import SEVERITY_FLOOR, LoggingLevel, is_logged
from ._lpi import DEFAULT_CONTROL_BLOCKS, MAX_CONTROL_BLOCKS, ControlBlockPool, Lpi, PoolExhausted
from ._model import Model
from ._mta import ModelConfig, Mta, PeerSide, StepSink
from ._peers import ExternalPeers, SimulatedPeers
from ._pop4 import Association, Pop4
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

__all__ = [
    "BAD_LPI_ERROR_CODE",
    "BASE_TABLE",
    "BUILDS",
    "CATALOG",
    "CLOSE_REQUEST",
    "COUNTER_NAMES",
    "DEFAULT_COMPUTER",
    "DEFAULT_CONTROL_BLOCKS",
    "FIELDS",
    "HOTFIX",
    "LOGS",
    "MAX_CONTROL_BLOCKS",
    "MICROS_PER_SECOND",
    "NOT_SCHEDULED",
    "POST_FIX",
    "POST_SP3",
    "PRE_FIX",
    "REFUSAL",
    "SEVERITY_FLOOR",
    "SOURCE",
    "SP4",
    "SP5",
    "Action",
    "Association",
    "Build",
    "BuildError",
    "Category",
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
    "Input",
    "Kind",
    "LocalProtocolError",
    "LoggingLevel",
    "Lpi",
    "Micros",
    "Model",
    "ModelConfig",
    "Mta",
    "MtasimError",
    "Occurrence",
    "PeerSide",
    "PoolExhausted",
    "Pop4",
    "ProtocolError",
    "Record",
    "Refusal",
    "Refuse",
    "RemoteProtocolError",
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
    "diff",
    "duration_text",
    "exact_seconds",
    "fixed_seconds",
    "is_logged",
    "latest_micros",
    "resolve_build",
    "seconds_text",
    "table",
    "to_micros",
    "to_seconds",
    "transition",
]
