"""Scenario values: what a scenario file says, validated, as frozen dataclasses.

Rules of this module:

* The dataclasses' fields are the schema's keys, in its order (checked when the module is
  imported), and their defaults are the schema's (:func:`~sim.scenario._schema.defaults`):
  nothing here restates a default.
* :meth:`Scenario.to_dict` writes every value by its field's type (``Type.json``), in schema
  order; a trace's header embeds it, so its bytes never change for a scenario.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..core import Build, LoggingLevel, resolve_build
from ._schema import ARRAY_TABLES, SCHEMA, defaults

_TOP, _WINSOCK, _MTA, _PEER = (defaults(table) for table in ("", "winsock", "mta", "peers"))


@dataclass(frozen=True, slots=True)
class PeerGroup:
    """A group of remote peers (``[[peers]]``). Durations in seconds; ``inf`` = never."""

    name: str = _PEER.name
    kind: str = _PEER.kind
    at: float = _PEER.at
    count: int = _PEER.count
    process: str = _PEER.process
    interval: float = _PEER.interval
    rate: float = _PEER.rate
    hold: float = _PEER.hold
    give_up: float = _PEER.give_up
    latency: float = _PEER.latency
    latency_jitter: float = _PEER.latency_jitter
    data_units: int = _PEER.data_units
    close: str = _PEER.close


@dataclass(frozen=True, slots=True)
class WinsockSettings:
    """``[winsock]``: the transport's response timer, the OS, its listen backlog and its
    half-open table."""

    response_timeout: float = _WINSOCK.response_timeout
    os: str = _WINSOCK.os
    backlog: int = _WINSOCK.backlog
    max_half_open: int = _WINSOCK.max_half_open
    syn_ack_retransmissions: int = _WINSOCK.syn_ack_retransmissions


@dataclass(frozen=True, slots=True)
class MtaSettings:
    """``[mta]``: control blocks, kernel load model, listener, logging."""

    control_blocks: int = _MTA.control_blocks
    open_associations: int = _MTA.open_associations
    threads: int = _MTA.threads
    ok_delay: float = _MTA.ok_delay
    ok_delay_jitter: float = _MTA.ok_delay_jitter
    accept_time: float = _MTA.accept_time
    logging: LoggingLevel = _MTA.logging
    computer: str = _MTA.computer
    pop4_instance: int = _MTA.pop4_instance
    pop4_proc: int = _MTA.pop4_proc
    lpi_component: int = _MTA.lpi_component


@dataclass(frozen=True, slots=True)
class Scenario:
    """A scenario. ``origin`` names where it came from (a path, ``<bundled:x>``, or
    ``<python>`` for one built in Python).

    One loaded from a file (:func:`~sim.scenario.load_scenario`) is validated when it is
    loaded. One built or changed in Python (the constructor, :func:`dataclasses.replace`,
    :meth:`with_seed`) is not validated here, so building one stays cheap: it is validated
    where it is used (``sim.run``, ``sim.run_in_trio``: :func:`~sim.scenario.check_scenario`),
    with the rules and the messages of a file, ``<python>`` in place of the file name."""

    name: str = _TOP.name
    description: str = _TOP.description
    seed: int = _TOP.seed
    epoch: datetime = _TOP.epoch
    build: str = _TOP.build
    until: float = _TOP.until
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
        out = _section(self, "")
        for table in SCHEMA:
            if table in ARRAY_TABLES:
                out[table] = [_section(item, table) for item in getattr(self, table)]
            elif table:
                out[table] = _section(getattr(self, table), table)
        return out

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict` (``origin`` is not part of it)."""
        return digest_of(self.to_dict())


def _section(obj: Any, table: str) -> dict[str, Any]:
    return {f.key: f.type.json(getattr(obj, f.key)) for f in SCHEMA[table]}


#: The dataclass of each table, and of its items for an array of tables.
CLASSES: dict[str, type[Any]] = {
    "": Scenario,
    "winsock": WinsockSettings,
    "mta": MtaSettings,
    "peers": PeerGroup,
}


def digest_of(data: dict[str, Any]) -> str:
    """SHA-256 of a scenario's dictionary (:meth:`Scenario.to_dict`, or the one a trace's
    header holds, as it was written) in canonical JSON."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check_classes() -> None:
    """Each dataclass has the fields of its table, in schema order (then the tables, and
    ``origin``): a field added to the schema and not here fails at import, not in a run."""
    for table, cls in CLASSES.items():
        names = [n for n in cls.__dataclass_fields__ if n not in SCHEMA and n != "origin"]
        if names != [f.key for f in SCHEMA[table]]:
            raise AssertionError(f"{cls.__name__} has fields {names}, the schema {table!r} others")


_check_classes()
