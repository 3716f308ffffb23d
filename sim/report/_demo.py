"""The guided demo: the KB case step by step, narrated, on the pre-fix then the post-fix build.

Rules of this module:

* :func:`demo_steps` makes the whole walkthrough as values (:class:`DemoStep`: a title, one or
  two sentences of narration, the lines to show); :func:`present` prints them with a pause
  between steps. The narration is written from the sequence model's rows and the run's
  numbers, so it follows the scenario; nothing here decides what the MTA does.
* Order: the case; each build's steps (a step starts at a connection, an accept, the timer
  firing, the first event of a group, the OK response, data or a close); a recap per build
  with its whole timeline; the difference (the counters side by side, the rows of POP4's
  table the builds disagree on, the events only one build logs); what to try next.
* Sentences marked **[inferred]** in ``docs/model.md`` stay marked here ("the hotfix cancels
  the pending OK response" is the model's reading of "handles", not the KB's words).
* :func:`present` never leaves the terminal mid-line: a Ctrl-C ends the current line before
  the interrupt goes up; an end of input (stdin closed) turns pausing off.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from ..core import Build, Effect, EventId, clock12, diff
from ..core import duration_text as duration
from ..core import seconds_text as seconds
from ..render import render
from ..render._summary import compare_rows, event_oneline, why_counts_differ, withdraws_work
from ..scenario import Scenario
from ..text._plural import plural
from ._capture import RunLog, capture
from ._diagram import Action, Row, Winner
from ._diagram import Sequence as Seq
from ._narration import narrate
from ._picks import default_conn
from ._sequence import sequence as make_sequence
from ._timeline import WIDTH, ascii_text, timeline_lines, timeline_rows

#: Actions that start a new step of a build's walkthrough.
STEP_STARTS = frozenset(
    {
        Action.CONNECT,
        Action.ACCEPT,
        Action.TIMER_FIRES,
        Action.OK_RESPONSE,
        Action.DATA,
        Action.PEER_CLOSE,
    }
)


#: The counters the difference step shows.
DIFFERENCE_ROWS = ("closed while the OK was pending", "4258 logged", "4283 logged", "9156 logged")


@dataclass(frozen=True, slots=True)
class DemoStep:
    """One screen of the demo."""

    title: str
    narration: tuple[str, ...]
    body: tuple[RenderableType, ...] = field(default_factory=tuple)


def demo_steps(
    scenario: Scenario,
    builds: Sequence[str | Build] = ("pre-fix", "post-fix"),
    *,
    conn: int | None = None,
    ascii_only: bool = False,
    driver: str = "batch",
) -> list[DemoStep]:
    """The whole walkthrough for ``scenario`` on ``builds`` (identical inputs), following
    connection ``conn`` (default: the first that logs a 4283 on the first build)."""
    runs = [capture(scenario, b, driver=driver) for b in builds]
    if conn is None:
        conn = default_conn(runs[0])
    if conn is None:
        raise ValueError(f"scenario {runs[0].name} has no connection to follow")
    seqs = [make_sequence(run, conn) for run in runs]
    clean: Callable[[str], str] = ascii_text if ascii_only else _same
    steps = [_intro(runs[0], seqs[0], clean)]
    for run, seq in zip(runs, seqs, strict=True):
        steps.extend(_build_steps(run, seq, ascii_only, clean))
    if len(runs) > 1:
        steps.append(_difference(runs, seqs, clean))
    steps.append(_outro(runs[0], clean))
    return steps


def _same(text: str) -> str:
    return text


def _intro(run: RunLog, seq: Seq, clean: Callable[[str], str]) -> DemoStep:
    s = run.scenario
    service = "-" if seq.service is None else duration(seq.service)
    lines = [
        "An incoming connection reaches the MTA. "
        + (
            "The MTA keeps no response timer of its own here: only the remote MTA can give up."
            if seq.response_timeout is None
            else f"The MTA's transport gives it {seq.timer_text} to answer with its OK response."
        )
        + f" On this busy system the MTA kernel needs {service} to produce it.",
    ]
    if s.mta.open_associations and seq.lpi is not None:
        lines.append(
            f"{plural(s.mta.open_associations, 'association')} already open, so this connection "
            f"gets control block {seq.lpi.cb}: LPI {seq.lpi}, as in the KB's events."
        )
    else:
        lines.append("Watch the two timers: the Winsock layer's and the kernel's.")
    body: list[RenderableType] = []
    if s.description:
        body.append(Text(clean(f"Scenario {run.name}: {s.description}"), style="dim"))
    return DemoStep(clean(f"The case: {run.name}"), tuple(clean(x) for x in lines), tuple(body))


def _groups(seq: Seq) -> list[list[int]]:
    """Row indices split into steps."""
    groups: list[list[int]] = []
    previous: Row | None = None
    for index, row in enumerate(seq.rows):
        new = (
            not groups
            or previous is None
            or row.t != previous.t
            or row.action in STEP_STARTS
            or (row.action is Action.EVENT and previous.action is not Action.EVENT)
        )
        if new:
            groups.append([index])
        else:
            groups[-1].append(index)
        previous = row
    return groups


def _build_steps(
    run: RunLog, seq: Seq, ascii_only: bool, clean: Callable[[str], str]
) -> list[DemoStep]:
    build = run.build
    steps: list[DemoStep] = []
    groups = _groups(seq)
    for group in groups:
        rows = [seq.rows[i] for i in group]
        first = rows[0]
        clock = clock12(first.timestamp)
        title = f"{build.alias} {build.version}: {seconds(first.t)} ({clock})"
        narration = narrate(seq, rows)
        body: list[RenderableType] = list(timeline_rows(seq, group, ascii_only=ascii_only))
        logged = [r.event for r in rows if r.event is not None]
        if logged:
            body.append(Text("What the MTA writes to EV0.LOG:", style="bold"))
            ev0 = clean(render(logged, "ev0")).rstrip("\n")
            body.append(Text(ev0, style="yellow", no_wrap=True, overflow="crop"))
        steps.append(DemoStep(clean(title), tuple(clean(s) for s in narration), tuple(body)))
    recap = [_verdict(seq), "The whole connection, as mtasim timeline draws it:"]
    steps.append(
        DemoStep(
            clean(f"{build.alias} {build.version}: the whole connection"),
            tuple(clean(s) for s in recap),
            tuple(timeline_lines(seq, ascii_only=ascii_only)),
        )
    )
    return steps


def _verdict(seq: Seq) -> str:
    build = seq.build
    if Effect.LOG_4283 in seq.race_effects:
        logged = ", then ".join(str(i) for i in seq.event_ids) or "nothing at this logging level"
        return f"{build.label} logs {logged}: the race of KB Q319936, lost."
    if seq.race.winner is Winner.TIMER and Effect.CANCEL_OK in seq.race_effects:
        return (
            f"{build.label} logs the 4258 alone: same race, same Close Request, no 4283. "
            "[inferred: what the hotfix does; the KB only says a fix exists]"
        )
    if seq.race.winner is Winner.OK:
        return f"No race lost, no 4283 on {build.label}."
    return f"{build.label} logs: {', '.join(str(i) for i in seq.event_ids) or 'nothing'}."


def _difference(runs: list[RunLog], seqs: list[Seq], clean: Callable[[str], str]) -> DemoStep:
    a, b = runs[0], runs[1]
    table = Table(box=box.ASCII if clean is ascii_text else box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("")
    for run in runs:
        table.add_column(f"{run.build.alias}\n{run.build.version}", justify="right")
    for label, values in compare_rows([r.summary for r in runs]):
        if label in DIFFERENCE_ROWS:
            table.add_row(label, *(str(v) for v in values))
    body: list[RenderableType] = [table]
    rows = diff(a.build, b.build)
    if rows:
        body.append(
            Text(
                f"POP4's table: {plural(len(rows), 'row')} differ{'s' if len(rows) == 1 else ''} "
                f"({a.build.alias} / {b.build.alias})"
            )
        )
        for (state, given), left, right in rows:
            body.append(Text(f"  {state.value} + {given.value}:", style="bold"))
            for build, row in ((a.build, left), (b.build, right)):
                effects = "; ".join(e.value for e in row.effects)
                for line in textwrap.wrap(
                    f"{build.alias}: {effects}",
                    WIDTH,
                    initial_indent="    ",
                    subsequent_indent="      ",
                ):
                    body.append(Text(clean(line)))
    only = [
        line
        for line in difflib.unified_diff(
            [event_oneline(e) for e in seqs[0].events],
            [event_oneline(e) for e in seqs[1].events],
            n=0,
            lineterm="",
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    if only:
        body.append(Text(f"Events of this connection, - {a.build.alias} + {b.build.alias}:"))
        body.extend(Text(clean(line)[:WIDTH]) for line in only)
    narration = [
        "Same inputs, same race: the Winsock timer fires at the same instant on both builds.",
        "What differs is what a Close Request does while the OK response is pending: "
        f"4283 logged on {a.build.alias}: {_count(a, EventId.BAD_LPI)}, on "
        f"{b.build.alias}: {_count(b, EventId.BAD_LPI)}.",
    ]
    if seqs[0].race.winner is not seqs[1].race.winner:
        narration[0] = "The builds change the race itself here, not only what is logged."
    why = why_counts_differ(a.build, a.summary, b.build, b.summary)
    if why is not None:
        body.append(Text(clean(why)))
    elif withdraws_work(a.build) != withdraws_work(b.build):
        body.append(
            Text(
                clean(
                    "Under load the counts differ too, on identical inputs: the withdrawn work "
                    f"of {b.build.alias if withdraws_work(b.build) else a.build.alias} frees "
                    "kernel threads for the connections behind it (mtasim compare "
                    "after-the-storm shows it)."
                )
            )
        )
    return DemoStep(
        clean(f"The difference: {a.build.alias} and {b.build.alias}"),
        tuple(clean(s) for s in narration),
        tuple(body),
    )


def _count(run: RunLog, event_id: EventId) -> int:
    return sum(1 for e in run.events if e.event_id is event_id)


def _outro(run: RunLog, clean: Callable[[str], str]) -> DemoStep:
    name = run.name
    return DemoStep(
        "Try it yourself",
        (
            clean(
                "Give the kernel less time than the timer and the race is won: no 4283 on "
                "any build."
            ),
        ),
        tuple(
            Text(clean(line))
            for line in (
                f"mtasim timeline {name} --set mta.ok_delay=20      # OK in time",
                f"mtasim timeline {name} --set mta.ok_delay=21      # exactly at the deadline",
                f"mtasim report {name} --output report.html        # the same, as a page",
                f"mtasim phase-map {name} --output phase.png       # every timeout and delay",
            )
        ),
    )


def present(
    steps: Sequence[DemoStep],
    console: Console,
    pause: Callable[[int, int], None] | None = None,
    *,
    ascii_only: bool = False,
) -> None:
    """Print the steps, one screen each: on a terminal the screen is cleared before each step;
    each title starts with the one step counter (``3/15``). Call ``pause(done, total)``
    between two steps. A ``KeyboardInterrupt`` (Ctrl-C) ends the current line and goes up."""
    total = len(steps)
    rule = "-" if ascii_only else "─"
    try:
        for number, step in enumerate(steps, 1):
            if console.is_terminal:
                console.clear()
            title = f" {number}/{total}  {step.title} "
            console.rule(Text(title, style="bold"), style="cyan", characters=rule)
            width = min(console.width, WIDTH)
            for sentence in step.narration:
                for line in textwrap.wrap(sentence, width) or [""]:
                    console.print(Text(line, no_wrap=True))
            if step.body:
                console.print()
            for renderable in step.body:
                console.print(renderable, crop=True)
            console.print()
            if pause is not None and number < total:
                pause(number, total)
    except KeyboardInterrupt:
        console.print()
        raise
