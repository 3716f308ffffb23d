"""What the benchmark's reference models (simpy, tuned simpy, naive trio) share: the build
policies, the phases of a connection, the counters and the NSI close rule.

Rules of this module:

* Builds are spelled as three flags, the way someone writing a model from the KB articles would
  (``sim/core/_builds.py`` has the sources): SP4 and the post-SP3 hotfix log 4283 when a Close
  Request meets a pending OK response, the post-SP3 hotfix never returns that control block,
  and the Q319936 hotfix and SP5 log 4258 alone and drop the queued OK-response job.
* The simpy models' ticks (:data:`SUB` and the kinds) encode the core's tie rule.
* :class:`Counts` uses the names of ``sim.core.Stats`` so that the benchmark compares them
  field by field with ``Mta.summary().as_dict()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.core import ModelConfig

BACKLOG, OPENING, OPEN, CLOSED = range(4)

#: The simpy models' clock: ticks of ``microseconds * SUB + kind``, where ``kind`` is the
#: priority the core gives each kind of happening at an equal instant (OK response first, then
#: peer close, response timeout, peer data, arrival, accept). simpy orders equal times
#: first-in, first-out, so the tick carries the core's tie rule ("an OK response ready exactly
#: at the Winsock deadline is in time").
SUB = 8
OK, PEER_CLOSE, TIMEOUT, DATA, ARRIVAL, ACCEPT = range(6)


@dataclass(frozen=True)
class Policy:
    """What differs between builds."""

    logs_4283: bool  # a Close Request while the OK response is pending logs 4283
    leaks_cb: bool  # ... and never returns the control block (post-SP3)
    withdraws_dead_jobs: bool  # a queued OK-response job of a closed connection is dropped


#: Build version -> policy.
POLICIES = {
    "5.5.2651.61": Policy(logs_4283=True, leaks_cb=True, withdraws_dead_jobs=False),  # post-sp3
    "5.5.2653.23": Policy(logs_4283=True, leaks_cb=False, withdraws_dead_jobs=False),  # sp4
    "5.5.2656.20": Policy(logs_4283=False, leaks_cb=False, withdraws_dead_jobs=True),  # hotfix
    "5.5.2658.10": Policy(logs_4283=False, leaks_cb=False, withdraws_dead_jobs=True),  # sp5
}

#: Counters compared with the core's summary, in print order.
COMPARED = (
    "connections",
    "accepted",
    "opened",
    "timed_out",
    "race_closes",
    "normal_closes",
    "peer_gave_up",
    "abandoned_in_backlog",
    "refused_backlog",
    "refused_no_cb",
    "late_ok_discarded",
    "data_units",
)


@dataclass
class Counts:
    connections: int = 0
    accepted: int = 0
    opened: int = 0
    timed_out: int = 0
    race_closes: int = 0
    normal_closes: int = 0
    peer_gave_up: int = 0
    abandoned_in_backlog: int = 0
    refused_backlog: int = 0
    refused_no_cb: int = 0
    late_ok_discarded: int = 0
    data_units: int = 0
    logged: dict[int, int] = field(default_factory=lambda: {4258: 0, 4283: 0, 9156: 0})

    def as_dict(self) -> dict[str, Any]:
        """The compared counters plus ``logged_4258``/``logged_4283``/``logged_9156``, named as
        in ``Mta.summary().as_dict()``."""
        out: dict[str, Any] = {name: getattr(self, name) for name in COMPARED}
        for event_id, count in self.logged.items():
            out[f"logged_{event_id}"] = count
        return out


def nsi_close(counts: Counts, policy: Policy, phase: int) -> int:
    """A Close Request reaches the NSI for a connection in ``phase``: count what the MTA logs
    (4258, and 4283 on a build with the bug while the OK response is pending); return the
    control blocks it frees (0 when the post-SP3 build leaks the block, else 1)."""
    counts.logged[4258] += 1
    if phase == OPENING:
        counts.race_closes += 1
        if policy.logs_4283:
            counts.logged[4283] += 1
        return 0 if policy.leaks_cb else 1
    counts.normal_closes += 1
    return 1


def free_control_blocks(config: ModelConfig) -> int:
    """Control blocks free for new associations at the start: block 0 is the listener's, the
    preexisting open associations hold the next ones."""
    return config.control_blocks - 1 - config.open_associations


def check_supported(config: ModelConfig, model: str) -> None:
    """The simpy models count events at logging level ``maximum`` only, and run to the end."""
    from sim.core import LoggingLevel

    if config.logging is not LoggingLevel.MAXIMUM:
        raise ValueError(f"{model} only counts events at logging level maximum")
    if config.until is not None:
        raise ValueError(f"{model} runs to the end (until = inf)")
    if config.response_timeout is None:
        raise ValueError(f"{model} needs a response timer (winsock.response_timeout < inf)")
