"""The rules of the race: the transport, the listener and the kernel, the peers, the order of
one instant (``_rules.py`` says how the rules are kept)."""

from __future__ import annotations

from ._rule import CAUSE, Q319936, SYMPTOM, WINDOWS_NOTES, Citation, Rule

RACE_RULES: tuple[Rule, ...] = (
    # -- the transport --------------------------------------------------------------------
    Rule(
        "handshake",
        "transport",
        "Windows completes the TCP handshake before the MTA is involved; the connection and its "
        "CR wait in the listen backlog until the NSI listener accepts them.",
        (
            Citation(
                WINDOWS_NOTES,
                "With the default accept, the kernel completes the TCP handshake before the "
                "application is involved; the peer then sends its CR and waits for the CC.",
            ),
        ),
        home="sim/core/_mta.py",
    ),
    Rule(
        "backlog-full",
        "transport",
        "A connection that arrives when `winsock.backlog` connections wait (by default the "
        "limit of the scenario's OS, `winsock.os`: 200 on NT 4.0 Server) is refused with a TCP "
        "reset; no NSI event names it.",
        (
            Citation(
                "KB Q127144",
                "The maximum backlog parameter is 5 on Windows NT 4.0 Workstation, and 200 on "
                "Windows NT 4.0 Server.",
            ),
        ),
        "The refusal without an event: the MTA never saw the connection, so none of its events "
        "can name it, and the Windows stack refuses what it cannot queue with a reset.",
        "sim/core/_mta.py",
    ),
    Rule(
        "os-limits",
        "transport",
        "A scenario models one OS (`winsock.os`: `nt4-server`, `nt4-workstation`, `w2k-server`). "
        "Its listen backlog is that OS's limit unless the scenario names a smaller one, and a "
        "larger one is refused: 200 on NT 4.0 Server, 5 on NT 4.0 Workstation, 200 on Windows "
        "2000 Server.",
        (
            Citation(
                "KB Q127144",
                "The maximum backlog parameter is 5 on Windows NT 4.0 Workstation, and 200 on "
                "Windows NT 4.0 Server.",
            ),
            Citation(
                "pchomesoft.com, Backlog Parameter (third-party page)",
                "Windows NT 4.0 and Windows 2000 Server accept a backlog of 200, and Windows NT "
                "4.0 Workstation and Windows 2000 Professional accept a backlog of 5 (which "
                "reduces memory demands).",
            ),
        ),
        "The Windows 2000 Server limit: no KB copy gives it; the one page that does is not "
        "Microsoft's, so its 200 is taken as a likely value, not a sourced one.",
        "sim/core/_os.py",
    ),
    Rule(
        "default-os",
        "transport",
        "A scenario that names no OS models Windows NT 4.0 Server.",
        (
            Citation(
                "KB Q127144",
                "The maximum backlog parameter is 5 on Windows NT 4.0 Workstation, and 200 on "
                "Windows NT 4.0 Server.",
            ),
        ),
        "The default OS: KB Q319936 names none. NT 4.0 Server is the server Exchange 5.5 SP4 "
        "ran on, and its backlog of 200 is the one every scenario had before the OS was a key, "
        "so no scenario's outcome changes.",
        "sim/core/_os.py",
    ),
    Rule(
        "response-timer",
        "transport",
        "The MTA's own response timer (`winsock.response_timeout`), one reading of \"times out "
        'at the Winsock layer": it starts when the listener accepts the connection and stops '
        "when the CC goes out; if it fires first, the transport closes the connection and "
        "delivers a Close Request to the NSI.",
        (
            Citation(Q319936, CAUSE),
            Citation(
                "KB Q200259",
                "When an MTA needs to open an association, an open request is passed down the "
                "Open Systems Interconnection (OSI) stack, each layer in the stack maintains a "
                "timer.",
            ),
        ),
        "That such a timer closes a connection whose OK response is not ready, and that it starts "
        "at the accept: the MTA's stack knows nothing of a connection still in the listen "
        "backlog, and no Winsock mechanism closes an established connection because the "
        "application has not written.",
        "sim/core/_mta.py",
    ),
    Rule(
        "response-timer-value",
        "transport",
        "The response timer lasts 21 s unless a scenario says otherwise; `inf` means the MTA has "
        "no such timer.",
        (),
        "The value: no source gives one. 21 s is kept from mtasim 0.1 so that scenario files keep "
        "their meaning. It is not KB Q142641's SYN-ACK schedule (first retry after 3 s, doubling, "
        "dropped after 21 s with 2 retries): that governs half-open connections, and once the "
        "handshake is complete it has nothing left to close.",
        "sim/scenario/_schema.py",
    ),
    Rule(
        "peer-give-up",
        "transport",
        'The other reading of "times out at the Winsock layer": the remote MTA gives up on '
        "its connect request (`peers.give_up`, counted from when it sent its CR). Its close "
        "reaches the MTA one latency later; the MTA's Winsock layer reports it and the NSI "
        "delivers a Close Request. A CC that reaches the peer after its deadline is too late.",
        (
            Citation(Q319936, CAUSE),
            Citation(
                "RFC 1006 / ISO 8073 class 0 (domain notes)",
                "Class 0 has no DR/DC release: a connection ends by closing the TCP connection",
            ),
        ),
        "That the remote MTA keeps such a timer, and its value: no source names either (default "
        "inf: the peer waits).",
        "sim/core/_connspec.py",
    ),
    Rule(
        "close-in-backlog",
        "transport",
        "A connection whose peer closes or resets it while it waits in the backlog never "
        "reaches the NSI: no control block, no 4258 (its accept fails, rule `accept-error`).",
        (
            Citation(
                WINDOWS_NOTES,
                '`WSAAccept` returns WSAECONNRESET for a connection "indicated, but terminated '
                'by the remote peer prior to accepting the call".',
            ),
        ),
        "That nothing reaches POP4: the accept that would hand the connection to the NSI is the "
        "call that fails.",
        "sim/core/_mta.py",
    ),
    Rule(
        "accept-error",
        "transport",
        "A connection its peer ended in the backlog keeps its place there; when the listener "
        "reaches it, WSAAccept fails with WSAECONNRESET (10054) and the MTA logs 9202 on the "
        "listener's control block (0), after one `mta.accept_time` like any accept.",
        (
            Citation(
                WINDOWS_NOTES,
                '`WSAAccept` returns WSAECONNRESET for a connection "indicated, but terminated '
                'by the remote peer prior to accepting the call".',
            ),
            Citation(
                "KB Q254909",
                "The remote message transfer agent (MTA) rejects the connection request and "
                "generates event 9301, followed by event 9202.",
            ),
            Citation(
                "KB Q169143",
                'Winsock Error code 10054 (WSAECONNRESET) indicates a "Connection reset by peer."',
            ),
        ),
        "That a reset or a close in the backlog produces exactly this event, and its texts: no "
        "KB shows 9202's words. Its header `[BASE IL TCP/IP DRVR 8 256] (12)`, its EV0 lines "
        "(as KB Q170007's 9224 prints `send() call failed on CB 22` and `Socket error 10053`) "
        "and its description, category Operating System and type Warning (as KB Q169143's 9221, "
        "a sockets error on WSARecvEx()) are the model's. That the connection keeps its place "
        "until the accept: WSAAccept reports it, so it is still queued.",
        "sim/core/_mta.py",
    ),
    Rule(
        "reset-is-close",
        "transport",
        "A peer's reset reaches the NSI as a Close Request, as its close does.",
        (),
        "A reset as a close: 4258 shows one message type for a connection that ends, Close "
        "Request, and no KB shows another for a reset.",
        "sim/core/_peers.py",
    ),
    # -- Windows TCP's connect-time schedules ---------------------------------------------
    Rule(
        "syn-ack-schedule",
        "transport",
        "A half-open connection (a SYN answered, no ACK back) is dropped after 3, 9, 21 or 45 s "
        "for `TcpMaxConnectResponseRetransmissions` 0, 1, 2 or 3 (189 s with the old 5 "
        "retransmissions): the time-out starts at 3 s and doubles after each retransmission. "
        "A SYN flood's half-open connections hold their slots that long (rule "
        "`half-open-full`); the scenario key is `winsock.syn_ack_retransmissions`, default 2.",
        (
            Citation(
                "KB Q142641",
                "The initial time-out value is three seconds, so retries are attempted at 3, 6, "
                "12, 24, and 48 seconds. After the last retransmission, 96 seconds are allowed to "
                "pass before the computer gives up on receiving a response, and deallocates the "
                "resources that were set aside earlier for the connection.",
            ),
            Citation(
                "KB Q142641",
                'A value of "0" is also valid; however if this parameter is set to 0, SYN-ACKs '
                "will not be retransmitted at all, and will time out in 3 seconds.",
            ),
            Citation(
                "Windows 2000 registry reference, TcpMaxConnectResponseRetransmissions",
                "Determines how many times TCP retransmits an unanswered SYN-ACK (connection "
                "request acknowledgment).",
            ),
        ),
        'The default, 2: KB Q142641\'s registry block says "Default: 2" and its next sentence '
        '"The default value for this parameter is now 3."; the Windows 2000 reference gives 2, '
        "and the model takes 2 on every OS.",
        "sim/core/_tcp.py",
    ),
    Rule(
        "connect-retransmissions",
        "transport",
        "A client abandons an unanswered connect request after the same schedule: 21 s at "
        "`TcpMaxConnectRetransmissions` = 2 (3 s, doubling, then twice the last delay).",
        (
            Citation(
                "KB Q200770",
                "The retransmission time-out is doubled with each successive retransmission in a "
                "given connection attempt. The initial time-out value is three seconds.",
            ),
            Citation(
                "KB Q200770",
                "This time, the total time-out is approximately nine seconds, which is the "
                "correct behavior with the default configuration settings.",
            ),
            Citation(
                "Windows 2000 registry reference, TcpMaxConnectRetransmissions",
                "This delay doubles after each attempt. After the final attempt, TCP/IP waits for "
                "an interval equal to double the last delay, and then it abandons the connection "
                "request.",
            ),
        ),
        "The last wait: KB Q200770's example (a value of 1: a retransmission after 3 s, the "
        "time-out 6 s later, about 9 s in all) shows it for NT 4.0, and the Windows 2000 "
        "reference says it outright; the two disagree on the default (three, 2), and the model "
        "takes the value from the scenario.",
        "sim/core/_tcp.py",
    ),
    # -- the listener and the kernel ------------------------------------------------------
    Rule(
        "listener",
        "listener and kernel",
        "The NSI listener accepts the backlog's head, one connection per `mta.accept_time` "
        "(default 0), takes a control block and gives POP4 the connect indication.",
        (
            Citation(
                "KB Q166602",
                "The MTA uses one control block for each connection (whether remotely or locally "
                "initiated). It also uses one to listen for incoming connections.",
            ),
        ),
        "The accept time: no source gives one.",
        "sim/core/_mta.py",
    ),
    Rule(
        "ok-response",
        "listener and kernel",
        "The OK response is the MTA kernel's answer to POP4's request for a new connection: POP4 "
        "receives it and sends it to the peer as the CC.",
        (Citation(Q319936, SYMPTOM),),
        'Which message "the OK response" is: the one the MTA\'s transport receives from the '
        "kernel above it (KB Q229643 shows POP-4 exchanging requests and responses with the "
        "platform kernel), which goes out as the CC because in RFC 1006 class 0 the answer to a "
        "CR is the CC.",
        "sim/core/_pop4.py",
    ),
    Rule(
        "kernel-load",
        "listener and kernel",
        "`mta.threads` worker threads serve a FIFO queue of OK-response jobs; each takes its "
        "connection's `mta.ok_delay` (within `mta.ok_delay_jitter`).",
        (
            Citation(Q319936, CAUSE),
            Citation(
                "KB Q319936, later revision",
                "XCON: The MTA Generates an Event ID 4283 Message Under a Heavy Load",
            ),
        ),
        "The shape of the load: threads, a FIFO queue and a service time per OK response are the "
        "simplest system that cannot respond in time under a heavy load; no KB describes how the "
        "kernel schedules its work.",
        "sim/core/_mta.py",
    ),
    Rule(
        "sp4-dead-work",
        "listener and kernel",
        "On SP4 the OK-response job of a connection that closed stays queued, keeps a kernel "
        "thread busy when its turn comes, and its OK response is discarded.",
        (Citation(Q319936, SYMPTOM),),
        "SP4 keeps the dead work: the symptom is a connection that times out before the MTA "
        "receives the OK response, so the OK response is still produced after the timeout; no KB "
        "says SP4 withdraws it.",
        "sim/core/_mta.py",
    ),
    Rule(
        "hotfix-withdraws",
        "listener and kernel",
        "On the hotfix the Close Request cancels the pending open: a queued job is withdrawn, a "
        "running one finishes and its OK response is discarded.",
        (
            Citation(
                Q319936,
                "A supported fix is now available from Microsoft, but it is only intended to "
                "correct the problem that is described in this article.",
            ),
        ),
        "What the fix does is not documented; cancelling the pending open is a handling that "
        "removes the 4283 and the work for a connection that is gone. Its effect on load: "
        "`after-the-storm` (the calm after a burst opens on the hotfix only); under a load that "
        "never lets up (`heavy-load`) it changes no outcome, only the number of late OK responses.",
        "sim/core/_mta.py",
    ),
    # -- the peers ------------------------------------------------------------------------
    Rule(
        "peer-exchange",
        "peers",
        "A peer whose CC arrives in time sends its data one round trip later (`peers.latency` "
        "each way), keeps the association `peers.hold` seconds, then closes or resets it.",
        (),
        "The peers' behaviour: a minimal RFC 1006 exchange; the X.400 traffic above it is not "
        "modelled.",
        "sim/core/_connspec.py",
    ),
    # -- the race -------------------------------------------------------------------------
    Rule(
        "tie-rule",
        "the race",
        "An OK response ready at the very instant the response timer fires is in time. "
        "Occurrences at one instant run in a fixed order: OK ready, a peer's close, the timer, a "
        "peer's data, an arrival, the listener's accept.",
        (Citation(Q319936, SYMPTOM),),
        '"Before" read as strict: a timeout at the instant of the OK response is not before '
        "it. The order of the other occurrences is the model's choice (arrivals before accepts, "
        "so that a burst is in the backlog before the listener looks).",
        "sim/core/_scheduler.py",
    ),
    Rule(
        "same-step",
        "the race",
        "The 4283 is logged in the same step as the 4258 of its Close Request, at the same "
        "virtual instant, right after it.",
        (Citation(Q319936, "(POP4 POP4 UP(7) Proc 228) 02-26-02 02:43:50pm"),),
        "One instant for both: the article prints both events with this header, the same second, "
        "and the word "
        '"later" between them. If the 4283 came with the late OK response instead, the two '
        "would be seconds apart under load and the example's same second a coincidence; "
        '"later" is read as the order in the log.',
        "sim/core/_state.py",
    ),
    Rule(
        "pair-window",
        "the race",
        "In a real log, a 4283 belongs to the 4258 of the same LPI logged at most 1 s before it "
        "(the EV0 clock shows whole seconds).",
        (),
        "The window follows from `same-step`: the two carry the same instant, which a log may "
        "show across a second's boundary.",
        "sim/core/_catalog.py",
    ),
)
