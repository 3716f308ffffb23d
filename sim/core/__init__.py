"""The sans-IO core: pure, no trio, no I/O, no clock, no randomness.

It decides everything that differs between MTA builds: the POP4 transition table and the
builds' policies over it, the control-block pool and LPIs, the events the MTA logs, and the
model of the Winsock layer, listener, kernel and peers as a step function over occurrences.
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
from ._errors import BuildError, LocalProtocolError, MtasimError, ProtocolError, RemoteProtocolError
from ._events import (
    BAD_LPI_ERROR_CODE,
    CATALOG,
    CLOSE_REQUEST,
    SOURCE,
    Category,
    Event,
    EventId,
    EventSpec,
    EventType,
    TaskHeader,
)
from ._logging import SEVERITY_FLOOR, LoggingLevel, is_logged
from ._lpi import DEFAULT_CONTROL_BLOCKS, MAX_CONTROL_BLOCKS, ControlBlockPool, Lpi, PoolExhausted
from ._model import (
    ConnSpec,
    EventSink,
    External,
    Kind,
    ModelConfig,
    Mta,
    Occurrence,
    Record,
    RecordSink,
    Stats,
    Step,
)
from ._nsi import Association, Nsi, NsiStep
from ._state import BASE_TABLE, Effect, Input, State, Transition, table, transition
from ._time import MICROS_PER_SECOND, Micros, latest_micros, to_micros, to_seconds

__all__ = [
    "BAD_LPI_ERROR_CODE",
    "BASE_TABLE",
    "BUILDS",
    "CATALOG",
    "CLOSE_REQUEST",
    "DEFAULT_CONTROL_BLOCKS",
    "HOTFIX",
    "MAX_CONTROL_BLOCKS",
    "MICROS_PER_SECOND",
    "POST_FIX",
    "POST_SP3",
    "PRE_FIX",
    "SEVERITY_FLOOR",
    "SOURCE",
    "SP4",
    "SP5",
    "Association",
    "Build",
    "BuildError",
    "Category",
    "ConnSpec",
    "ControlBlockPool",
    "Effect",
    "Event",
    "EventId",
    "EventSink",
    "EventSpec",
    "EventType",
    "External",
    "Input",
    "Kind",
    "LocalProtocolError",
    "LoggingLevel",
    "Lpi",
    "Micros",
    "ModelConfig",
    "Mta",
    "MtasimError",
    "Nsi",
    "NsiStep",
    "Occurrence",
    "PoolExhausted",
    "ProtocolError",
    "Record",
    "RecordSink",
    "RemoteProtocolError",
    "State",
    "Stats",
    "Step",
    "TaskHeader",
    "Transition",
    "build_names",
    "diff",
    "is_logged",
    "latest_micros",
    "resolve_build",
    "table",
    "to_micros",
    "to_seconds",
    "transition",
]
