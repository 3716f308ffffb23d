"""The virtual clock: the model run from its scheduler with no time passing between steps.

Same inputs, same outputs as the trio clock (``_trio.py``): both hand the occurrences of the
one scheduler (``sim.core.Scheduler``) to the model in ``(t, kind, seq)`` order, one at a time;
this one simply does not wait between them. It is the driver of sweeps, hunts and large runs
(``--driver batch``). ``tests/drivers/test_drivers_agree.py`` shows on generated scenarios that
the two give identical steps (DESIGN.md: a second driver is only allowed with that proof).
Memory follows what is in flight: arrivals are drawn one ahead, and without a step sink the
model makes no record or event value at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core import Build, ConnSpec, External, Model, ModelConfig, Mta, StepSink


def run_virtual(
    config: ModelConfig,
    build: Build,
    arrivals: Iterable[ConnSpec],
    on_step: StepSink | None = None,
    *,
    externals: Iterable[External] | None = None,
) -> Mta:
    """Run the model to the end; returns the finished MTA (``mta.summary()``)."""
    model = Model(config, build, arrivals, on_step=on_step, externals=externals)
    model.start()
    model.scheduler.run()
    return model.mta
