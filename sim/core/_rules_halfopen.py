"""The rules of the half-open table: SYN floods and the connection requests a full table
resets (``_halfopen.py`` carries them out; ``_rules.py`` says how the rules are kept)."""

from __future__ import annotations

from ._rule import Citation, Rule

#: Microsoft's Windows 2000 registry reference (TCP/IP parameters), as docs/sources.md cites it.
W2K_REFERENCE = "Windows 2000 registry reference"
Q142641_LIMIT = (
    "For most stacks, there is a limit on the number of connections that can be in the "
    "half-open (SYN_RECEIVED) state. Once the limit is reached for a given TCP port, the target "
    "computer responds with a reset to all further connection requests until resources are "
    "freed."
)

HALF_OPEN_RULES: tuple[Rule, ...] = (
    Rule(
        "half-open-full",
        "transport",
        'A SYN flood (`peers.kind = "syn-flood"`) holds one slot of the listener\'s half-open '
        "table per SYN until the SYN-ACK schedule drops it (rule `syn-ack-schedule`, "
        "`winsock.syn_ack_retransmissions`); the table holds at most `winsock.max_half_open` "
        "(`TcpMaxHalfOpen`: 100 on a server, 500 on a workstation). A connection request that "
        "finds it full, the flood's or a remote MTA's, is reset, and the MTA logs nothing for "
        "it (counters `flood_reset`, `refused_half_open`).",
        (
            Citation("KB Q142641", Q142641_LIMIT),
            Citation(
                f"{W2K_REFERENCE}, TcpMaxHalfOpen",
                "Determines how many connections the server can maintain in the half-open "
                "(SYN-RCVD) state before TCP/IP initiates SYN flooding attack protection.",
            ),
            Citation(
                f"{W2K_REFERENCE}, TcpMaxHalfOpen",
                "Windows NT Server: 0x64 ( 100 ) Windows NT Workstation: 0x1F4 ( 500 )",
            ),
        ),
        "The limit's value: KB Q142641 gives none; the one documented count of half-open "
        "connections is TcpMaxHalfOpen, which the Windows 2000 reference makes the threshold of "
        "SYN attack protection rather than of resets; the model takes its defaults as the limit, "
        "on NT 4.0 too. No event: the MTA never sees the connection, and no KB shows one. A "
        "remote MTA's own handshake holds no slot (it takes no virtual time in the model, rule "
        "`handshake`). SynAttackProtect is not modelled: the reference says the protection "
        '"shortens the required interval between SYN-ACK (connection request '
        "acknowledgements) retransmissions\" and gives no interval. The client's "
        "TcpMaxConnectRetransmissions does not apply: a reset ends its attempt, and no source "
        "says when a Windows listener drops a SYN without one.",
        "sim/core/_halfopen.py",
    ),
    Rule(
        "half-open-tie",
        "the race",
        "At one instant the half-open table first frees the slots whose time is up, then takes "
        "the floods' SYNs of that instant, then answers a remote MTA's connection request of "
        "that instant: a flood SYN at t holds its slot until exactly t + 3, 9, 21 or 45 s, and "
        "a request at that instant finds the slot free unless a flood SYN of the same instant "
        "took it.",
        (),
        "No source orders these. The order is the tie rule's (endings before arrivals at one "
        "instant, rule `tie-rule`), with a flood's SYNs before a remote MTA's so that a flood "
        "that keeps the table full keeps it full at every instant.",
        "sim/core/_halfopen.py",
    ),
)
