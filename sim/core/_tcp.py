"""Windows TCP's connect-time schedules: how long a half-open connection lives, and how long a
client keeps retrying its connect request. Pure functions of the registry values.

Rules of this module:

* A server answers a connect request (SYN) with a SYN-ACK and keeps the connection half-open
  (SYN_RECEIVED) until the client's ACK comes. Unanswered, the SYN-ACK is retransmitted
  ``TcpMaxConnectResponseRetransmissions`` times (KB Q142641), the time-out starting at 3 s
  and doubling after each one; after the last, the server waits one more doubled time-out and
  drops the connection. So 0, 1, 2, 3 retransmissions drop it after 3, 9, 21, 45 s, and the
  old default of 5 after 189 s: :func:`half_open_lifetime`.
* A client does the same with its SYN: ``TcpMaxConnectRetransmissions`` (KB Q200770; the
  Windows 2000 registry reference: default 2, 3 s doubling, then "waits for an interval equal
  to double the last delay") gives up after the same 3, 9, 21, 45 s:
  :func:`connect_give_up`.
* These schedules govern half-open connections only. Once the handshake is complete (rule
  ``handshake``) neither applies, which is why the response timer is not one of them (rule
  ``response-timer-value``). A SYN flood's half-open connections hold their slots of the
  listener's half-open table for :func:`half_open_lifetime` (``_halfopen.py``, scenario key
  ``winsock.syn_ack_retransmissions``); no run uses :func:`connect_give_up` (``_halfopen.py``
  says why). Both are checked against KB Q142641's table (``tests/core/test_core_tcp.py``).
  ``mtasim serve`` runs on the host's own TCP stack and cannot produce them (docs/live.md).

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``syn-ack-schedule``, ``connect-retransmissions``.
"""

from __future__ import annotations

from ._time import MICROS_PER_SECOND, Micros

#: The first retransmission time-out of a connect request or its answer (KB Q142641: "The
#: initial time-out value is three seconds").
INITIAL_TIMEOUT: Micros = 3 * MICROS_PER_SECOND
#: The registry values' ranges as the model takes them: KB Q142641's table covers 0 to 3, and
#: the pre-fix default was 5 retransmissions (189 s).
MAX_RETRANSMISSIONS = 5


def retransmission_times(retransmissions: int) -> tuple[Micros, ...]:
    """When each retransmission goes out, counted from the first transmission: 3 s, then
    9 s, 21 s... (each time-out twice the last)."""
    _check(retransmissions)
    return tuple(INITIAL_TIMEOUT * ((1 << (k + 1)) - 1) for k in range(retransmissions))


def _lifetime(retransmissions: int) -> Micros:
    _check(retransmissions)
    return INITIAL_TIMEOUT * ((1 << (retransmissions + 1)) - 1)


def half_open_lifetime(syn_ack_retransmissions: int) -> Micros:
    """How long an unanswered half-open connection is kept (rule ``syn-ack-schedule``): 3, 9,
    21, 45 s for ``TcpMaxConnectResponseRetransmissions`` 0..3, 189 s for the old 5."""
    return _lifetime(syn_ack_retransmissions)


def connect_give_up(connect_retransmissions: int) -> Micros:
    """How long a client waits for an unanswered connect request before it abandons it (rule
    ``connect-retransmissions``): the same schedule, 21 s at the default of 2."""
    return _lifetime(connect_retransmissions)


def _check(retransmissions: int) -> None:
    if not 0 <= retransmissions <= MAX_RETRANSMISSIONS:
        raise ValueError(
            f"retransmissions: found {retransmissions}; expected 0 to {MAX_RETRANSMISSIONS}"
        )
