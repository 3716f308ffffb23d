"""The batch driver on the other build of this tree: pure Python beside a compiled core, or
compiled beside a pure one, each run in a subprocess worker (this file, ``--worker``).

Rules of this module:

* The benchmark's own process runs the build it was started with (``sim.core.COMPILED`` says
  which). The other build runs here, in a fresh process per round:

  - when this process runs the compiled core, the pure build is the source tree itself
    (``PYTHONPATH`` set to the checkout, whose ``sim`` holds only Python sources);
  - when it runs the pure core, the compiled build is the interpreter of an environment where
    it is installed (``--compiled-python``, e.g. ``.ci-venv-compiled/bin/python``, made with
    ``MTASIM_COMPILE=1 pip install .``); without one, the row is ``n/a``.

* The worker runs the benchmark's own ``batch_driver`` (``run.py``) once untimed on
  ``storm.WARM_UP`` connections, then reads ``time.process_time()`` around the timed run only,
  as ``release_worker.py`` does; it prints JSON with the CPU time, the counts, where ``sim``
  came from and whether its core is compiled, which the parent checks.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class OtherBuild:
    """How to run the batch driver on the other build."""

    def __init__(self, compiled: bool, python: str, env: dict[str, str]) -> None:
        self.compiled = compiled
        self.row = "batch compiled" if compiled else "batch pure"
        self._python = python
        self._env = env

    def run(self, connections: int) -> tuple[float, dict[str, Any]]:
        done = subprocess.run(
            [self._python, str(Path(__file__).resolve()), "--worker", str(connections)],
            check=False,
            env=self._env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"the {self.row} worker failed: {tail[0][:200]}")
        out = json.loads(done.stdout)
        if bool(out["compiled"]) != self.compiled:
            raise RuntimeError(f"the {self.row} worker imported another build: {out['sim']}")
        return float(out["cpu_seconds"]), dict(out["counts"])


def other_build(this_compiled: bool, compiled_python: str | None) -> OtherBuild | str:
    """The other build of this tree, or why there is none."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    if this_compiled:
        return OtherBuild(False, sys.executable, {**env, "PYTHONPATH": str(ROOT)})
    if compiled_python is None:
        return "no compiled build given (--compiled-python)"
    return OtherBuild(True, compiled_python, env)


def worker(connections: int) -> int:
    sys.path.insert(0, str(HERE))
    import run

    import sim
    import sim.core

    sc = run.load_scenario(storm_warm_up())
    run.batch_driver(sc, run.timed_build(sc))
    sc = run.load_scenario(connections)
    build = run.timed_build(sc)
    gc.collect()
    start = time.process_time()
    counts = run.batch_driver(sc, build)
    seconds = time.process_time() - start
    out = {"cpu_seconds": seconds, "counts": counts, "sim": sim.__file__}
    print(json.dumps({**out, "compiled": sim.core.COMPILED}))
    return 0


def storm_warm_up() -> int:
    import storm

    return storm.WARM_UP


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--worker" or not sys.argv[2].isdigit():
        print("usage: build_peer.py --worker CONNECTIONS", file=sys.stderr)
        sys.exit(2)
    sys.exit(worker(int(sys.argv[2])))
