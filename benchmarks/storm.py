"""The benchmark's scenario, as scenario text (no mtasim import: ``release_worker.py`` reads it
under mtasim 0.1.0 too, so both sides run the very same scenario).

A sustained Poisson storm of 10 connections/s against 4 kernel threads that need 0.9 s +/-
0.9 s per OK response (about 4.4 per second): whenever the kernel's queue grows, its queueing
delay passes the 3 s Winsock timer, and on SP4 the close logs 4258 then 4283 while the dead job
stays queued. 13 free control blocks turn about half of the storm away with 9156. Holding a
control block for at most 3 s per timed-out connection keeps the kernel's load just under 1, so
the run is stationary: memory follows what is in flight, not the number of connections.
"""

from __future__ import annotations

#: Connections of the untimed warm-up run of each model, before its first timed run.
WARM_UP = 2_000

#: What the benchmark's header says of the scenario.
SUMMARY = "Poisson 10/s, 4 kernel threads, timer 3 s, 13 free control blocks"

_TEXT = """
name = "storm"
description = "Poisson storm behind 4 kernel threads; the queueing delay beats the 3 s timer."
seed = 7
build = "pre-fix"

[winsock]
response_timeout = 3.0
backlog = 200

[mta]
control_blocks = 14
threads = 4
ok_delay = 0.9
ok_delay_jitter = 0.9
accept_time = 0.02
logging = "maximum"

[[peers]]
name = "storm"
count = {count}
process = "poisson"
rate = 10.0
hold = 0.5
latency = 0.02
latency_jitter = 0.01
"""

#: The name scenario errors quote.
SOURCE = "<benchmark:storm>"


def scenario_text(connections: int) -> str:
    """The storm scenario with ``connections`` connections, as TOML."""
    return _TEXT.format(count=connections)
