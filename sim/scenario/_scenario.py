"""Scenario values: what a scenario file says, validated, as frozen dataclasses."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..core import Build, LoggingLevel, resolve_build


@dataclass(frozen=True, slots=True)
class PeerGroup:
    """A group of remote peers (``[[peers]]``). Durations in seconds; ``inf`` = never."""

    name: str = "peer-1"
    at: float = 0.0
    count: int = 1
    process: str = "fixed"
    interval: float = 0.0
    rate: float = 1.0
    hold: float = 1.0
    give_up: float = math.inf
    latency: float = 0.0
    latency_jitter: float = 0.0
    data_units: int = 1
    close: str = "close"


@dataclass(frozen=True, slots=True)
class WinsockSettings:
    """``[winsock]``: the transport's response timer and listen backlog."""

    response_timeout: float = 21.0
    backlog: int = 200


@dataclass(frozen=True, slots=True)
class MtaSettings:
    """``[mta]``: control blocks, kernel load model, listener, logging."""

    control_blocks: int = 20
    open_associations: int = 0
    threads: int = 4
    ok_delay: float = 1.0
    ok_delay_jitter: float = 0.0
    accept_time: float = 0.0
    logging: LoggingLevel = LoggingLevel.MAXIMUM
    computer: str = "EXCHANGE1"


@dataclass(frozen=True, slots=True)
class Scenario:
    """A scenario. ``origin`` names where it came from (a path, ``<bundled:x>``, or
    ``<python>`` for one built in Python).

    One loaded from a file (:func:`~sim.scenario.load_scenario`) is validated when it is
    loaded. One built or changed in Python (the constructor, :func:`dataclasses.replace`,
    :meth:`with_seed`) is not validated here, so building one stays cheap: it is validated
    where it is used (``sim.run``, ``sim.run_in_trio``: :func:`~sim.scenario.check_scenario`),
    with the rules and the messages of a file, ``<python>`` in place of the file name."""

    name: str = ""
    description: str = ""
    seed: int = 0
    epoch: datetime = datetime(2002, 2, 26, 14, 43, 29)
    build: str = "pre-fix"
    until: float = math.inf
    winsock: WinsockSettings = field(default_factory=WinsockSettings)
    mta: MtaSettings = field(default_factory=MtaSettings)
    peers: tuple[PeerGroup, ...] = ()
    origin: str = "<python>"

    @property
    def resolved_build(self) -> Build:
        return resolve_build(self.build)

    def with_build(self, build: str | Build) -> Scenario:
        resolved = resolve_build(build)
        return replace(self, build=resolved.version)

    def with_seed(self, seed: int) -> Scenario:
        return replace(self, seed=seed)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-safe values in schema order (``inf`` becomes ``"inf"``)."""

        def clean(value: Any) -> Any:
            if isinstance(value, float) and math.isinf(value):
                return "inf"
            if isinstance(value, LoggingLevel):
                return value.label
            if isinstance(value, datetime):
                return value.isoformat()
            return value

        def section(obj: Any) -> dict[str, Any]:
            return {name: clean(getattr(obj, name)) for name in obj.__dataclass_fields__}

        return {
            "name": self.name,
            "description": self.description,
            "seed": self.seed,
            "epoch": self.epoch.isoformat(),
            "build": self.build,
            "until": clean(self.until),
            "winsock": section(self.winsock),
            "mta": section(self.mta),
            "peers": [section(p) for p in self.peers],
        }

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict` (``origin`` is not part of it)."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
