"""Drivers: what gives the sans-IO core its time and its concurrency.

``run_trio``/``run_async``: the reference async model on trio under a virtual clock.
"""

from ._batch import run_batch
from ._dispatch import Dispatcher, Mailbox
from ._trio import EventSink, RecordSink, TrioModel, run_async, run_trio

__all__ = [
    "Dispatcher",
    "EventSink",
    "Mailbox",
    "RecordSink",
    "TrioModel",
    "run_async",
    "run_batch",
    "run_trio",
]
