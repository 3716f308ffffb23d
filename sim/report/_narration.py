"""The demo's narration: one or two sentences for each step of a connection, written from
the sequence model's rows and the build's rules (``sim.report._demo`` makes the steps).

Sentences marked **[inferred]** in ``docs/model.md`` stay marked here ("the hotfix cancels
the pending OK response" is the model's reading of "handles", not the KB's words).
"""

from __future__ import annotations

from ..core import Effect
from ..core import duration_text as duration
from ..core import seconds_text as seconds
from ..render._forms import fill
from ..render._summary import withdraws_work
from ._diagram import Action, Row, Winner
from ._diagram import Sequence as Seq


def narrate(seq: Seq, rows: list[Row]) -> list[str]:
    """One or two sentences for a step."""
    actions = [r.action for r in rows]
    timeout = seq.timer_text
    service = "-" if seq.service is None else duration(seq.service)
    lpi = "-" if seq.lpi is None else str(seq.lpi)
    head = rows[0]
    if head.action is Action.CONNECT:
        out = [
            "The remote MTA opens a TCP connection (RFC 1006, port 102) and sends its connect "
            "request (CR); Windows completes the handshake before the MTA is involved."
        ]
        if Action.REFUSED_BACKLOG in actions:
            out.append("The listen backlog is full: the connection is reset at once.")
        return out
    if head.action is Action.ACCEPT:
        if Action.REFUSED_NO_CB in actions:
            return [
                "The NSI listener accepts the connection, but no control block is free: the "
                "MTA logs 9156 and refuses it."
            ]
        timer = (
            f"; the MTA's transport starts its response timer ({timeout})"
            if Action.TIMER_START in actions
            else ""
        )
        out = [
            f"The NSI listener accepts it on LPI {lpi} and POP4 asks the MTA kernel for the "
            f"OK response{timer}."
        ]
        if Action.WORK_START in actions:
            out.append(f"A kernel thread starts on it at once; it needs {service}.")
        return out
    if head.action is Action.WORK_START:
        return [f"A kernel thread becomes free and starts on the OK response; it needs {service}."]
    if head.action is Action.TIMER_FIRES:
        return [
            f"{timeout} have passed and the kernel is still busy: the timer at the Winsock "
            "layer wins the race.",
            "The transport closes the connection and hands the NSI a Close Request for an "
            "association that is still being set up.",
        ]
    if head.action is Action.EVENT:
        if Action.OK_CANCELLED in actions:
            return [
                "The hotfix build logs the 4258 alone and handles the pending open: it "
                "cancels the OK response (a job still queued is withdrawn; one a kernel thread "
                "is already running finishes, as the next step shows) and returns the control "
                "block. No 4283. [inferred: the KB says only that a fix exists]"
            ]
        # What each event logged means, from the catalog.
        return [fill(r.event, r.event.spec.meaning) for r in rows if r.event is not None]
    if head.action is Action.OK_RESPONSE:
        if head.won:
            margin = seq.race.margin_or0
            when = (
                "exactly at the deadline, which counts as in time (the model's tie rule)"
                if margin == 0
                else f"{duration(margin)} before the deadline"
            )
            return [
                f"The OK response is ready at {seconds(head.t)}, {when}.",
                "The NSI sends it to the peer as the CC and the response timer is stopped.",
            ]
        late = "" if seq.race.margin is None else f", {duration(-seq.race.margin)} too late"
        if Effect.CANCEL_OK in seq.race_effects:
            return [
                f"At {seconds(head.t)} the kernel has the OK response{late}. Cancelled, and "
                "still produced: the hotfix withdraws a job still queued, but this one was "
                "already running on a kernel thread, so it ran to its end; the connection is "
                "gone and the MTA discards the result.",
                "Queued work that is withdrawn never takes a thread: under load that frees the "
                "kernel for the connections behind it. [inferred: the KB only says a fix exists]",
            ]
        out = [
            f"At {seconds(head.t)} the kernel has the OK response{late}: the connection is "
            "gone and the MTA discards it."
        ]
        if seq.race.winner is Winner.TIMER and not withdraws_work(seq.build):
            out.append(
                f"{seq.build.alias} withdraws nothing on a Close Request: a job still queued "
                "for a dead connection would keep a kernel thread busy when its turn came."
            )
        return out
    if head.action is Action.DATA:
        return ["The peer sends its data over the open association."]
    if head.action is Action.PEER_CLOSE:
        return ["The peer closes the connection; the NSI receives a Close Request."]
    return [f"{head.label}."]
