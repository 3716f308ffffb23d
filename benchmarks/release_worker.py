"""Run one model of a released mtasim on the storm scenario and print its CPU time as JSON.

Usage: ``PYTHONPATH=<checkout of the release> python benchmarks/release_worker.py MODEL
CONNECTIONS``, MODEL ``batch`` or ``trio``. ``benchmarks/run.py`` starts it once per round for
each model of mtasim 0.1.0 (``release_peer.py`` makes the checkout).

Rules of this script:

* It calls the API of mtasim 0.1.0 (``sim.parse_scenario``, ``sim.scenario.arrivals`` and
  ``model_config``, ``sim.drivers.run_batch``/``run_trio``, ``Mta.summary()`` as a dict) and
  nothing newer: that API is frozen in the release, so this script does not follow the
  redesign of the tree it lives in.
* The model first runs once untimed on ``storm.WARM_UP`` connections, as in ``run.py``; then
  ``time.process_time()`` is read around the timed run only, so the process's start-up, its
  imports and the parsing of the scenario are not in the figure. The inputs are drawn lazily
  inside the timed run, as there.
* Output: one JSON object on stdout: ``cpu_seconds``, the compared ``counts`` (named as in
  ``bench_common.Counts.as_dict``), and ``sim``, the file the package was imported from (the
  parent checks that it is the release's).
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import storm
from bench_common import COMPARED

import sim
from sim.drivers import run_batch, run_trio
from sim.scenario import arrivals, model_config

DRIVERS: dict[str, Callable[..., Any]] = {"batch": run_batch, "trio": run_trio}
COUNTED = (*COMPARED, "logged_4258", "logged_4283", "logged_9156")


def load(connections: int) -> Any:
    return sim.parse_scenario(storm.scenario_text(connections), storm.SOURCE)


def run(model: str, sc: Any) -> dict[str, Any]:
    summary = DRIVERS[model](model_config(sc), sc.resolved_build, arrivals(sc)).summary()
    return {name: summary[name] for name in COUNTED}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in DRIVERS or not argv[1].isdigit():
        print(f"usage: release_worker.py {{{','.join(DRIVERS)}}} CONNECTIONS", file=sys.stderr)
        return 2
    model, connections = argv[0], int(argv[1])
    run(model, load(storm.WARM_UP))
    sc = load(connections)
    gc.collect()
    start = time.process_time()
    counts = run(model, sc)
    seconds = time.process_time() - start
    print(json.dumps({"cpu_seconds": seconds, "counts": counts, "sim": sim.__file__}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
