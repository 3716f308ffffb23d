"""The terminal timeline: a :class:`~sim.report.Sequence` drawn as text, 80 columns wide.

Rules of this module:

* It draws and decides nothing: rows, spans, the race's winner and loser come from the
  sequence model.
* Every line is at most :data:`WIDTH` (80) characters. The left gutter holds the virtual time
  (seconds, exact to the microsecond) and the wall-clock time the MTA would print; then four
  lanes: remote peer, Winsock, NSI/POP4, MTA kernel.
* An arrow takes two lines (its label, then the arrow with its times); a note one line (a
  glyph on its lane, then its text). Text never covers a span's bar: it is moved sideways, or
  the bar wins.
* Spans are heavy bars on their lane: the Winsock response timer and the kernel producing the
  OK response. The race's loser is marked with ``✗`` (ASCII ``x``), the deciding row with
  ``✓`` (ASCII ``+``).
* Two glyph sets: Unicode with rich styles for a terminal, and plain ASCII (``--ascii``, or
  whenever the output is not a terminal). The characters are chosen here, the colours by rich.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text

from ..core import Event, Tone, clock12, fixed_seconds
from ..core import duration_text as duration
from ..render._forms import short
from ..render._summary import event_oneline
from ._diagram import Action, Arrow, Lane, Note, Row, Sequence, SpanKind, Winner

WIDTH = 80
#: Where each lane's lifeline is drawn (column index).
LANE_X = {Lane.PEER: 27, Lane.WINSOCK: 38, Lane.NSI: 50, Lane.KERNEL: 76}
TIME_W = 10
CLOCK_X = TIME_W + 1
GUTTER = CLOCK_X + 10 + 1


@dataclass(frozen=True, slots=True)
class Glyphs:
    line: str
    bar: str
    dash: str
    right: str
    left: str
    event: str
    note: str
    won: str
    lost: str


UNICODE = Glyphs("│", "┃", "─", "▶", "◀", "◆", "●", "✓", "✗")
ASCII = Glyphs("|", "#", "-", ">", "<", "*", "o", "+", "x")

STYLE_LINE = "grey50"
STYLE_TIME = "cyan"
STYLE_CLOCK = "grey62"
STYLE_SPAN = {SpanKind.TIMER: "bold magenta", SpanKind.WORK: "bold blue"}
STYLE_LOST = "bold red"
STYLE_WON = "bold green"
#: Events by their catalog tone.
STYLE_EVENT = {Tone.NOTICE: "yellow", Tone.ALARM: "bold red"}

#: Shorter labels than the model's, so that a note fits beside its lane.
SHORT = {
    Action.TIMER_START: "timer starts ({timeout})",
    Action.DROPPED_IN_BACKLOG: "dropped in backlog",
    Action.OK_DISCARDED: "late OK discarded",
    Action.OK_CANCELLED: "pending OK cancelled",
}


class _Canvas:
    """One line of characters with a style per character."""

    def __init__(self, width: int = WIDTH) -> None:
        self.chars = [" "] * width
        self.styles: list[str | None] = [None] * width

    def put(self, x: int, text: str, style: str | None = None) -> None:
        for k, char in enumerate(text):
            if 0 <= x + k < len(self.chars):
                self.chars[x + k] = char
                self.styles[x + k] = style

    def text(self) -> Text:
        out = Text(no_wrap=True, overflow="crop")
        run: list[str] = []
        style: str | None = None
        last = len("".join(self.chars).rstrip())
        for char, char_style in zip(self.chars[:last], self.styles[:last], strict=True):
            if char_style != style and run:
                out.append("".join(run), style or "")
                run = []
            style = char_style
            run.append(char)
        if run:
            out.append("".join(run), style or "")
        return out


def short_event(event: Event) -> str:
    """An event in at most 24 characters: ``4283 Bad LPI 1-15-12``."""
    return short(event)


def ascii_text(text: str) -> str:
    """The text with the few non-ASCII characters it may hold replaced."""
    return text.replace("µs", "us").replace("×", "x").encode("ascii", "replace").decode("ascii")


class _Drawer:
    def __init__(self, seq: Sequence, glyphs: Glyphs) -> None:
        self.seq = seq
        self.g = glyphs
        self.ascii = glyphs is ASCII

    def clean(self, text: str) -> str:
        return ascii_text(text) if self.ascii else text

    def bars(self, canvas: _Canvas, row: int, above: bool) -> dict[int, tuple[str, str]]:
        """Draw lifelines and the spans active on this line; return the bars drawn."""
        for x in LANE_X.values():
            canvas.put(x, self.g.line, STYLE_LINE)
        drawn: dict[int, tuple[str, str]] = {}
        for span in self.seq.spans:
            first = span.start + (1 if above else 0)
            if first <= row <= span.end:
                style = STYLE_SPAN[span.kind]
                drawn[LANE_X[span.lane]] = (self.g.bar, f"dim {style}" if span.lost else style)
        for x, (glyph, style) in drawn.items():
            canvas.put(x, glyph, style)
        return drawn

    def gutter(self, canvas: _Canvas, row: Row) -> None:
        canvas.put(0, _time(row.t).rjust(TIME_W), STYLE_TIME)
        canvas.put(CLOCK_X, _clock(row), STYLE_CLOCK)

    def place(
        self,
        canvas: _Canvas,
        start: int,
        text: str,
        style: str,
        keep: dict[int, tuple[str, str]],
        *,
        soft: int | None = None,
    ) -> None:
        """Put ``text`` as near ``start`` as it goes without covering a column of ``keep``
        (bars, a note's glyph) and crossing few lifelines, inside the lanes' area. No glyph is
        ever drawn over the text: when no place clears every column of ``keep``, the ``soft``
        column (the note's own glyph) gives way first, then the text is cropped to the widest
        gap between the rest."""
        room = WIDTH - GUTTER
        if len(text) > room:
            text = text[: room - 1] + ("~" if self.ascii else "…")
        lifelines = set(LANE_X.values()) - set(keep)

        def cost(x: int, cols: dict[int, tuple[str, str]]) -> tuple[int, int, int]:
            covered = range(x, x + len(text))
            crossed = sum(1 for k in lifelines if k in covered)
            return (sum(1 for k in cols if k in covered), abs(x - start) + 8 * crossed, x)

        spots = range(GUTTER, WIDTH - len(text) + 1)
        x = min(spots, key=lambda x: cost(x, keep))
        if cost(x, keep)[0] and soft is not None:
            keep = {k: v for k, v in keep.items() if k != soft}
            x = min(spots, key=lambda x: cost(x, keep))
        if cost(x, keep)[0]:
            edges = [GUTTER - 1, *sorted(k for k in keep if GUTTER <= k < WIDTH), WIDTH]
            lo, hi = max(itertools.pairwise(edges), key=lambda e: (e[1] - e[0], -e[0]))
            width = hi - lo - 1
            text = text[: width - 1] + ("~" if self.ascii else "…") if len(text) > width else text
            x = lo + 1
        canvas.put(x, text, style)

    def label(self, row: Row) -> str:
        text = SHORT.get(row.action, row.label).format(timeout=self.seq.timer_text)
        if isinstance(row.item, Note) and row.item.event is not None:
            text = short_event(row.item.event)
        if row.lost:
            text = f"{self.g.lost} {text}"
        elif row.won:
            text = f"{self.g.won} {text}"
        return self.clean(text)

    def style(self, row: Row) -> str:
        if row.lost:
            return STYLE_LOST
        if row.won:
            return STYLE_WON
        if isinstance(row.item, Note) and row.item.event is not None:
            return STYLE_EVENT[row.item.event.spec.tone]
        if row.action is Action.CC:
            return "green"
        if row.action is Action.CLOSE_REQUEST:
            return "yellow"
        return ""

    def row_lines(self, index: int, row: Row) -> list[Text]:
        item = row.item
        style = self.style(row)
        text = self.label(row)
        if isinstance(item, Arrow):
            top = _Canvas()
            keep = self.bars(top, index, above=True)
            a, b = LANE_X[item.src], LANE_X[item.dst]
            lo, hi = min(a, b), max(a, b)
            self.place(top, lo + 2, text, style, keep)
            line = _Canvas()
            self.bars(line, index, above=False)
            self.gutter(line, row)
            line.put(lo + 1, self.g.dash * (hi - lo - 1), style or None)
            if b > a:
                line.put(hi - 1, self.g.right, style or None)
            else:
                line.put(lo + 1, self.g.left, style or None)
            return [top.text(), line.text()]
        line = _Canvas()
        keep = self.bars(line, index, above=False)
        self.gutter(line, row)
        x = LANE_X[item.lane]
        glyph = self.g.event if item.event is not None else self.g.note
        line.put(x, glyph, style or None)
        start = x + 2 if x + 2 + len(text) <= WIDTH else x - 1 - len(text)
        self.place(line, start, text, style, {**keep, x: (glyph, style)}, soft=x)
        return [line.text()]


def timeline_lines(seq: Sequence, *, ascii_only: bool = False) -> list[Text]:
    """The whole timeline of one connection, one :class:`rich.text.Text` per line."""
    d = _Drawer(seq, ASCII if ascii_only else UNICODE)
    lines: list[Text] = []

    def para(text: str, style: str = "") -> None:
        for part in textwrap.wrap(d.clean(text), WIDTH) or [""]:
            lines.append(Text(part, style=style, no_wrap=True, overflow="crop"))

    lpi = "-" if seq.lpi is None else str(seq.lpi)
    service = "-" if seq.service is None else duration(seq.service)
    para(f"mtasim timeline: {seq.scenario}, build {seq.build.label}", "bold")
    para(
        f"connection {seq.conn}, LPI {lpi}, {seq.epoch:%Y-%m-%d}: {_waits(seq)}; the kernel "
        f"needs {service}"
    )
    lines.append(Text())
    lines.extend(timeline_rows(seq, range(len(seq.rows)), ascii_only=ascii_only))
    lines.append(Text())
    race_style = {Winner.TIMER: "bold red", Winner.OK: "bold green"}.get(seq.race.winner, "")
    para(seq.race.summary(), race_style)
    if seq.events:
        para(f"Events logged for this connection on {seq.build.alias}:")
        for event in seq.events:
            lines.append(
                Text(
                    d.clean(event_oneline(event))[:WIDTH],
                    style=STYLE_EVENT[event.spec.tone],
                    no_wrap=True,
                )
            )
    else:
        para(f"No event logged for this connection on {seq.build.alias}.")
    g = d.g
    para(
        f"{g.bar} magenta: Winsock response timer; {g.bar} blue: kernel producing the OK "
        f"response; {g.event} event logged; {g.won} decided the race; {g.lost} lost it"
        if not d.ascii
        else f"{g.bar} on Winsock: response timer; {g.bar} on kernel: producing the OK "
        f"response; {g.event} event logged; {g.won} decided the race; {g.lost} lost it",
        STYLE_LINE,
    )
    return lines


def timeline_rows(
    seq: Sequence, indices: Iterable[int], *, ascii_only: bool = False, header: bool = True
) -> list[Text]:
    """The lane header (if ``header``), the lines of the rows ``indices`` (in that order),
    then a line of bare lifelines: a piece of the timeline, as the demo shows it."""
    d = _Drawer(seq, ASCII if ascii_only else UNICODE)
    lines: list[Text] = []
    if header:
        head = _Canvas()
        head.put(0, "t (s)".rjust(TIME_W), "bold")
        head.put(CLOCK_X, "clock", "bold")
        for lane, x in LANE_X.items():
            title = lane.title
            start = min(max(x - len(title) // 2, GUTTER), WIDTH - len(title))
            head.put(start, title, "bold")
        lines.append(head.text())
    last = -1
    for index in indices:
        lines.extend(d.row_lines(index, seq.rows[index]))
        last = index
    tail = _Canvas()
    d.bars(tail, last + 1, above=True)  # the bars that go on after the last row shown
    lines.append(tail.text())
    return lines


def timeline_text(seq: Sequence, *, ascii_only: bool = False) -> str:
    """The timeline as plain text (no styles), one line per line."""
    return "".join(line.plain + "\n" for line in timeline_lines(seq, ascii_only=ascii_only))


def _time(t: int) -> str:
    return fixed_seconds(t)


def _clock(row: Row) -> str:
    """``02:43:50pm``: the clock of the EV0 timestamp."""
    return clock12(row.timestamp)


def _waits(seq: Sequence) -> str:
    if seq.response_timeout is None:
        return "the MTA keeps no response timer (only the peer gives up)"
    return f"the MTA's response timer gives the OK response {seq.timer_text}"
