"""Drivers: what gives the sans-IO core its time and its concurrency.

``run_trio``/``run_async``: the reference async model on trio under a virtual clock;
``run_batch``: the same core from a plain event heap (identical output, faster).
"""

from ..core import EventSink, RecordSink
from ._batch import run_batch
from ._dispatch import Dispatcher, Mailbox
from ._trio import TrioModel, run_async, run_trio, sole_exception

__all__ = [
    "Dispatcher",
    "EventSink",
    "Mailbox",
    "RecordSink",
    "TrioModel",
    "run_async",
    "run_batch",
    "run_trio",
    "sole_exception",
]
