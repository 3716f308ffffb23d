"""Executors for sweeps: a local process pool whose workers die with their parent, or an
existing Dask cluster's executor.

Rules of this module:

* ``--jobs N`` workers must not outlive the ``mtasim`` process that started them, also when
  it is killed with SIGKILL (no ``finally`` runs then). On Linux each worker asks the kernel
  for a *parent-death signal* (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, through ctypes, in the
  pool's initializer): when the parent goes, the kernel kills the worker.

  Why this and not a pipe that each worker watches from a thread: the kernel does the work,
  there is no thread and no file descriptor to keep right in every worker (a pipe's write
  end leaks into every later fork, and any process holding it keeps the workers alive). Its
  one catch: the signal follows the *thread* that forked the worker, not the process. So the
  pool is pinned to the ``fork`` start method (its workers are our children, whatever the
  Python default) and :func:`make_executor` starts every worker at once, from the calling
  thread, before it returns: create the pool from a thread that outlives it (the CLI uses the
  main thread). A parent that dies between the fork and the ``prctl`` is caught by comparing
  the worker's parent pid with the one recorded before the fork.
* Workers ignore SIGINT: Ctrl-C reaches the whole process group, and only the parent decides
  what an interruption does (it cancels the queued work and shuts the pool down).
* A Dask cluster's workers are the cluster's, not ours: nothing here touches them.
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing
import os
import signal
import sys
from concurrent import futures
from typing import Any

from ..core import MtasimError

#: linux/prctl.h
_PR_SET_PDEATHSIG = 1


class PoolError(MtasimError):
    """A bad --jobs or --executor."""


def make_executor(jobs: int, address: str | None) -> futures.Executor | None:
    """A process pool (``jobs`` > 1), a Dask cluster's executor, or None (run inline).

    The pool's workers are started before this returns, from the calling thread, and die
    with this process (see the module's rules)."""
    if address is not None:
        return _dask_executor(address)
    if jobs <= 1:
        return None
    context: Any = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    pool = futures.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )
    # With fork, the first submit starts every worker, from this thread.
    pool.submit(_ready).result()
    return pool


def close_executor(executor: futures.Executor | None, cancel: bool = False) -> None:
    if executor is None:
        return
    try:
        executor.shutdown(wait=not cancel, cancel_futures=cancel)
    except TypeError:  # Dask's ClientExecutor has no cancel_futures
        executor.shutdown(wait=not cancel)
    client = getattr(executor, "_mtasim_client", None)
    if client is not None:
        client.close()


def parallelism(executor: futures.Executor | None, jobs: int) -> int:
    """How many tasks ``executor`` runs at once: ``jobs`` for our pool, the cluster's threads
    for a Dask executor, 1 inline."""
    if executor is None:
        return 1
    return max(jobs, int(getattr(executor, "_mtasim_workers", jobs)))


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _dask_executor(address: str) -> futures.Executor:
    if not address.startswith("dask://"):
        raise PoolError(f"--executor {address!r}: expected dask://HOST:PORT")
    try:
        # Typed as Any: distributed is an optional extra, and only two calls are used.
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise PoolError(
            "--executor dask://... needs the dask extra; from the mtasim checkout: "
            "pip install '.[dask]'"
        ) from None
    target = "tcp://" + address[len("dask://") :]
    try:
        client = distributed.Client(target, timeout=10, set_as_default=False)
    except OSError as exc:
        raise PoolError(f"cannot reach the Dask scheduler at {target}: {exc}") from None
    executor: futures.Executor = client.get_executor()
    executor._mtasim_client = client  # type: ignore[attr-defined]  # closed with it
    # The cluster's size, for the window of chunks in flight (see parallelism()).
    executor._mtasim_workers = max(1, sum(client.nthreads().values()))  # type: ignore[attr-defined]
    return executor


def _worker_init(parent: int) -> None:
    """In each worker: ignore Ctrl-C, and die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; elsewhere a no-op
    but for the check that the parent is still the one that forked us)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the prctl: nobody to work for
        os._exit(1)


def _ready() -> bool:
    return True
