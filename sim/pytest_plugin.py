"""The mtasim pytest plugin (``pytest11`` entry point ``mtasim``; ``sim.testing._plugin`` has
the fixtures and their documentation): ``mtasim_scenario``, ``mtasim_run``, ``mtasim_events``,
``mtasim_run_async``."""

from .testing._plugin import mtasim_events, mtasim_run, mtasim_run_async, mtasim_scenario

__all__ = ["mtasim_events", "mtasim_run", "mtasim_run_async", "mtasim_scenario"]
