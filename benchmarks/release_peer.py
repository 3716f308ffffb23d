"""mtasim 0.1.0 as a peer of the benchmark: a temporary git worktree of the release's commit,
whose drivers run in subprocesses (``release_worker.py``) that import its ``sim``.

Rules of this module:

* The release is the commit before the redesign, :data:`RELEASE_COMMIT`. :func:`release_peer`
  adds a detached worktree of it inside a ``tempfile.TemporaryDirectory()`` and removes it with
  ``git worktree remove --force`` when the block ends, also on an error, Ctrl-C or SIGTERM
  (``run.py`` turns SIGTERM into an exception so that this cleanup runs).
* Where that is not possible (no git, not a git checkout, a shallow clone or an sdist without
  the commit), it yields the reason in a few words instead, and the benchmark prints that
  ratio as ``n/a (<reason>)``.
* :meth:`ReleasePeer.run` starts one worker per run with ``PYTHONPATH`` set to the worktree,
  and checks that the worker imported ``sim`` from there. The CPU time is measured inside the
  worker, around the run only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKER = HERE / "release_worker.py"

#: mtasim 0.1.0: the last commit before the redesign of the core.
RELEASE = "0.1.0"
RELEASE_COMMIT = "40a5f0e"


class ReleasePeer:
    """The release's checkout, and how to run one of its drivers."""

    def __init__(self, checkout: Path) -> None:
        self.checkout = checkout

    def run(self, model: str, connections: int) -> tuple[float, dict[str, Any]]:
        """CPU seconds of one run of the release's ``model`` (``batch`` or ``trio``) on the
        storm scenario, and its counts."""
        env = {**os.environ, "PYTHONPATH": str(self.checkout)}
        done = subprocess.run(
            [sys.executable, str(WORKER), model, str(connections)],
            check=False,
            cwd=self.checkout,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"the {RELEASE} worker ({model}) failed: {tail[0][:200]}")
        out = json.loads(done.stdout)
        imported = Path(out["sim"]).resolve()
        if not imported.is_relative_to(self.checkout.resolve()):
            raise RuntimeError(f"the {RELEASE} worker imported sim from {imported}")
        return float(out["cpu_seconds"]), dict(out["counts"])


def _git(*args: str, cwd: Path = HERE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], check=False, cwd=cwd, capture_output=True, text=True)


def _unavailable() -> str | None:
    """Why the release's commit cannot be checked out here, or None."""
    try:
        top = _git("rev-parse", "--show-toplevel")
    except FileNotFoundError:
        return "git is not installed"
    if top.returncode != 0:
        return "not a git checkout"
    if _git("rev-parse", "--verify", "--quiet", f"{RELEASE_COMMIT}^{{commit}}").returncode != 0:
        shallow = _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true"
        where = "this shallow clone" if shallow else "this clone"
        return f"commit {RELEASE_COMMIT} is not in {where}"
    return None


@contextmanager
def release_peer() -> Iterator[ReleasePeer | str]:
    """A worktree of mtasim 0.1.0 for the duration of the block, or why there is none."""
    reason = _unavailable()
    if reason is not None:
        yield reason
        return
    with tempfile.TemporaryDirectory(prefix="mtasim-release-") as tmp:
        checkout = Path(tmp) / f"mtasim-{RELEASE}"
        added = _git("worktree", "add", "--detach", str(checkout), RELEASE_COMMIT)
        if added.returncode != 0:
            tail = added.stderr.strip().splitlines()[-1:] or ["no output"]
            yield f"git worktree add failed: {tail[0][:200]}"
            return
        try:
            yield ReleasePeer(checkout)
        finally:
            removed = _git("worktree", "remove", "--force", str(checkout))
            if removed.returncode != 0:
                print(
                    f"warning: could not remove the worktree {checkout}: "
                    f"{removed.stderr.strip()[:200]}",
                    file=sys.stderr,
                )
