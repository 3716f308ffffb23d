"""Hypothesis strategies for mtasim: timings, peers, load, faults, whole scenarios, builds.

Rules of this module:

* Strategies are nouns and typed ``SearchStrategy[T]``. Each draws its simplest value first
  (the schema's default, or the smallest), so a failing example shrinks to a readable one: one
  peer group, one connection, default knobs, round durations.
* Durations are drawn on a grid (``resolution``, 0.5 s by default) so that two occurrences at
  the same instant, and hence the tie rule, are common rather than astronomically rare.
* Every scenario drawn here passes ``mtasim validate``: it is built as TOML-shaped data and put
  through the same validation as a file (:func:`sim.scenario.validate`).
* ``st.from_type(Scenario)`` (and ``PeerGroup``, ``MtaSettings``, ``WinsockSettings``,
  ``Build``) works once hypothesis loads its plugins: the ``hypothesis`` entry point of this
  package (``sim.testing._hook:setup``) registers them.

Example::

    from hypothesis import given
    from sim.strategies import scenarios

    @given(scenarios(max_connections=20))
    def test_post_fix_never_logs_4283(scenario):
        assert 4283 not in {int(e.event_id) for e in sim.run(scenario, "post-fix").events}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ..core import BUILDS, DEFAULT_COMPUTER, POST_FIX, PRE_FIX, Build, LoggingLevel
from ..scenario import MtaSettings, PeerGroup, Scenario, WinsockSettings, validate

__all__ = [
    "FaultPlan",
    "arrival_schedules",
    "builds",
    "durations",
    "fault_plans",
    "logging_levels",
    "mta_loads",
    "ok_delays",
    "peer_groups",
    "response_timeouts",
    "scenarios",
    "winsock_settings",
]

#: Builds, the pre-fix one first (the simplest for a failing example to shrink to).
_BUILD_ORDER: tuple[Build, ...] = (
    PRE_FIX,
    POST_FIX,
    *(b for b in BUILDS if b not in (PRE_FIX, POST_FIX)),
)


def durations(
    min_value: float = 0.0, max_value: float = 60.0, resolution: float = 0.5
) -> SearchStrategy[float]:
    """Seconds in ``[min_value, max_value]`` on a grid of ``resolution``; shrinks to
    ``min_value``."""
    if not (0 <= min_value <= max_value) or resolution <= 0:
        raise ValueError(
            f"need 0 <= min_value <= max_value and resolution > 0, got {min_value}, "
            f"{max_value}, {resolution}"
        )
    steps = math.floor((max_value - min_value) / resolution + 1e-9)
    return st.integers(0, steps).map(lambda k: round(min_value + k * resolution, 6))


def response_timeouts(max_value: float = 60.0) -> SearchStrategy[float]:
    """The Winsock response timer: 21 s first (the model's default), then any grid value."""
    return st.one_of(st.just(21.0), durations(0.5, max_value))


def ok_delays(
    max_value: float = 60.0, around: float | None = None, resolution: float = 0.5
) -> SearchStrategy[float]:
    """Kernel time per OK response. With ``around`` (a response timeout) the delay shrinks
    towards the timeout itself, the tie, so a failing race shrinks to the smallest margin
    by which the OK response is late or early, not to an instant OK."""
    if around is None:
        return durations(0.0, max_value, resolution)
    below = int(around / resolution)
    above = max(0, int((max_value - around) / resolution))
    return st.integers(-below, above).map(lambda k: max(0.0, round(around + k * resolution, 6)))


def logging_levels() -> SearchStrategy[LoggingLevel]:
    """Maximum first: the level at which both KB events appear."""
    return st.sampled_from(
        [LoggingLevel.MAXIMUM, LoggingLevel.MEDIUM, LoggingLevel.MINIMUM, LoggingLevel.NONE]
    )


def winsock_settings(max_timeout: float = 60.0) -> SearchStrategy[WinsockSettings]:
    return st.builds(
        WinsockSettings,
        response_timeout=response_timeouts(max_timeout),
        backlog=st.sampled_from([200, 1, 2, 5]),
    )


def mta_loads(
    max_delay: float = 60.0, ok_delay: SearchStrategy[float] | None = None
) -> SearchStrategy[MtaSettings]:
    """Control blocks, already-open associations, kernel threads and OK-response times."""
    delays = ok_delay if ok_delay is not None else ok_delays(max_delay)

    def with_blocks(blocks: int) -> SearchStrategy[MtaSettings]:
        return st.builds(
            MtaSettings,
            control_blocks=st.just(blocks),
            open_associations=st.integers(0, min(blocks - 1, 12)),
            threads=st.sampled_from([4, 1, 2, 8]),
            ok_delay=delays,
            ok_delay_jitter=st.sampled_from([0.0, 0.5, 1.0, 5.0]),
            accept_time=st.sampled_from([0.0, 0.5, 1.0]),
            logging=logging_levels(),
            computer=st.just(DEFAULT_COMPUTER),
        )

    return st.sampled_from([20, 2, 3, 5, 40]).flatmap(with_blocks)


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """How a group of peers misbehaves: gives up early, resets, sits behind a slow link."""

    give_up: float = math.inf
    close: str = "close"
    latency: float = 0.0
    latency_jitter: float = 0.0

    def apply(self, group: PeerGroup) -> PeerGroup:
        return replace(
            group,
            give_up=self.give_up,
            close=self.close,
            latency=self.latency,
            latency_jitter=self.latency_jitter,
        )


def fault_plans() -> SearchStrategy[FaultPlan]:
    """No fault first; then give-ups, resets and slow links, alone or together."""
    return st.builds(
        FaultPlan,
        give_up=st.one_of(st.just(math.inf), durations(0.5, 40.0)),
        close=st.sampled_from(["close", "reset"]),
        latency=st.one_of(st.just(0.0), durations(0.0, 5.0)),
        latency_jitter=st.sampled_from([0.0, 0.5, 2.0]),
    )


def peer_groups(max_count: int = 10, faults: bool = True) -> SearchStrategy[PeerGroup]:
    """One ``[[peers]]`` group; one connection at time 0 first."""
    base = st.builds(
        PeerGroup,
        name=st.just("peer-1"),
        at=durations(0.0, 60.0),
        count=st.integers(1, max_count),
        process=st.sampled_from(["fixed", "poisson"]),
        interval=durations(0.0, 10.0),
        rate=st.sampled_from([1.0, 0.5, 2.0, 10.0]),
        hold=st.sampled_from([1.0, 0.0, 5.0, math.inf]),
        data_units=st.sampled_from([1, 0, 3]),
    )
    if not faults:
        return base
    return st.tuples(base, fault_plans()).map(lambda pair: pair[1].apply(pair[0]))


def arrival_schedules(
    max_groups: int = 3, max_connections: int = 30, faults: bool = True
) -> SearchStrategy[tuple[PeerGroup, ...]]:
    """One to ``max_groups`` peer groups with at most ``max_connections`` connections in all."""
    per_group = max(1, max_connections // max_groups)
    return st.lists(peer_groups(per_group, faults), min_size=1, max_size=max_groups).map(
        lambda groups: tuple(_rename(groups))
    )


def _rename(groups: list[PeerGroup]) -> list[PeerGroup]:
    return [replace(g, name=f"peer-{i + 1}") for i, g in enumerate(groups)]


def builds() -> SearchStrategy[Build]:
    """Every build, pre-fix first."""
    return st.sampled_from(_BUILD_ORDER)


def scenarios(
    max_groups: int = 3,
    max_connections: int = 30,
    faults: bool = True,
    build: SearchStrategy[Build] | None = None,
    max_duration: float = 60.0,
) -> SearchStrategy[Scenario]:
    """Whole valid scenarios (they pass ``mtasim validate``)."""

    @st.composite
    def draw(draw_: Any) -> Scenario:
        chosen = draw_(build if build is not None else st.just(PRE_FIX))
        winsock = draw_(winsock_settings(max_duration))
        mta = draw_(mta_loads(max_duration, st.just(0.0)))
        peers = draw_(arrival_schedules(max_groups, max_connections, faults))
        # The race knob is drawn last: the shrinker simplifies every other knob first, then
        # moves the OK delay as close to the timeout as the behaviour allows.
        delay = draw_(ok_delays(max_duration, around=winsock.response_timeout))
        mta = replace(mta, ok_delay=delay)
        data: dict[str, Any] = {
            "name": "generated",
            "description": "drawn by sim.strategies.scenarios()",
            "seed": draw_(st.integers(0, 2**32 - 1)),
            "epoch": Scenario().epoch,
            "build": chosen.version,
            "winsock": _section(winsock),
            "mta": _section(mta),
            "peers": [_section(g) for g in peers],
        }
        return validate(data, "<generated>")

    return draw()


def _section(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in obj.__dataclass_fields__:
        value = getattr(obj, name)
        out[name] = value.label if isinstance(value, LoggingLevel) else value
    return out


# FaultPlan is defined here, so it is registered here (the entry point registers the rest).
st.register_type_strategy(FaultPlan, fault_plans())
