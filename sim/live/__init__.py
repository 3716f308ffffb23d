"""Live mode: the NSI listener on real TCP, speaking RFC 1006 / ISO 8073 class 0.

The same sans-IO core as the simulator (``sim.core.Mta``) decides everything; real peers'
actions reach it as outside inputs on the real-time clock (``sim.drivers.RealTime``), so a
recorded live session replays byte for byte in the simulator (``docs/live.md``).

The RFC 1006 / class 0 codec and connection state machine are ``sim.wire`` (pure); this
package keeps the sockets, the tasks, backpressure and timeouts.
``_listener_options``: the listener's options, counters and errors. ``_connection``: one TCP
connection's reader and writer. ``_server``: :class:`LiveServer`, the listener and its accept
loop. The RFC 1006 client: ``_peer_options`` (its options and summary), ``_playback`` (one
connection, played from a ``sim.core.ConnSpec`` as the simulated peers play it), ``_peer`` (its
entry points: the plain mode and a scenario's peers).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._listener_options import DEFAULT_PORT, ListenerOptions, ListenError, ListenerStats
    from ._peer import connect_once, play_scenario, run_peers
    from ._peer_options import OUTCOMES, PeerOptions, PeerSummary, parse_target
    from ._server import LiveServer, tsap_text
else:
    from .._lazy import lazy_exports

    # Imported when first used (sim/_lazy.py): the listener's options import no trio.
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "._listener_options": (
                "DEFAULT_PORT",
                "ListenerOptions",
                "ListenError",
                "ListenerStats",
            ),
            "._peer": ("connect_once", "play_scenario", "run_peers"),
            "._peer_options": ("OUTCOMES", "PeerOptions", "PeerSummary", "parse_target"),
            "._server": ("LiveServer", "tsap_text"),
        },
    )

__all__ = [
    "DEFAULT_PORT",
    "OUTCOMES",
    "ListenError",
    "ListenerOptions",
    "ListenerStats",
    "LiveServer",
    "PeerOptions",
    "PeerSummary",
    "connect_once",
    "parse_target",
    "play_scenario",
    "run_peers",
    "tsap_text",
]
