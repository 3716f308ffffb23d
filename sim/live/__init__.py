"""Live mode: the NSI listener on real TCP, speaking RFC 1006 / ISO 8073 class 0.

The same sans-IO core as the simulator (``sim.core.Mta``) decides everything; real peers'
actions reach it as external inputs on a real-time heap, so a recorded live session replays
byte for byte in the simulator (``docs/live.md``).

``_rfc1006``: the sans-IO codec (TPKT framing, CR/CC/DR/DT, :class:`FrameError`).
``_server``: :class:`LiveServer`, the listener. ``_peer``: the RFC 1006 client.
"""

from ._peer import (
    OUTCOMES,
    PeerOptions,
    PeerSummary,
    connect_once,
    parse_target,
    play_scenario,
    run_peers,
)
from ._rfc1006 import (
    DEFAULT_MAX_LENGTH,
    DEFAULT_TPDU_SIZE,
    DR_CONGESTION,
    DR_REASONS,
    MAX_TPDU_SIZE,
    MIN_TPDU_SIZE,
    Code,
    ConnectionConfirm,
    ConnectionRequest,
    Data,
    Decoder,
    DisconnectConfirm,
    DisconnectRequest,
    ErrorTpdu,
    FrameError,
    Reassembler,
    Tpdu,
    encode_cc,
    encode_cr,
    encode_dr,
    encode_dt,
    parse_tpdu,
    segment,
    size_code,
    tpkt,
)
from ._server import (
    DEFAULT_PORT,
    ListenerOptions,
    ListenError,
    ListenerStats,
    LiveServer,
    tsap_text,
)

__all__ = [
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_PORT",
    "DEFAULT_TPDU_SIZE",
    "DR_CONGESTION",
    "DR_REASONS",
    "MAX_TPDU_SIZE",
    "MIN_TPDU_SIZE",
    "OUTCOMES",
    "Code",
    "ConnectionConfirm",
    "ConnectionRequest",
    "Data",
    "Decoder",
    "DisconnectConfirm",
    "DisconnectRequest",
    "ErrorTpdu",
    "FrameError",
    "ListenError",
    "ListenerOptions",
    "ListenerStats",
    "LiveServer",
    "PeerOptions",
    "PeerSummary",
    "Reassembler",
    "Tpdu",
    "connect_once",
    "encode_cc",
    "encode_cr",
    "encode_dr",
    "encode_dt",
    "parse_target",
    "parse_tpdu",
    "play_scenario",
    "run_peers",
    "segment",
    "size_code",
    "tpkt",
    "tsap_text",
]
