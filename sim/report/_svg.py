"""A :class:`~sim.report.Sequence` as an SVG sequence diagram (for the HTML report).

Rules of this module:

* It draws and decides nothing: rows, spans and the race come from the sequence model.
* Self-contained SVG: attributes only (no CSS classes, no ids, no ``<use>``, no markers), so
  several diagrams live in one HTML page and each can be copied out on its own. Arrowheads
  are small polygons. No external fonts or images.
* Readable in a room: text is :data:`FONT_SIZE` px in a :data:`WIDTH` px drawing, so that a
  diagram as wide as a 1024 px page shows it at least as large as the page's 16 px body text.
  No two labels overlap: each label's box is estimated from :data:`CHAR_W`, a note that does
  not fit right of its lane is moved left (never over the time columns), and the cross on the
  losing bar sits between two rows, where no label is. The browser test measures all of it.
* One row per line of :attr:`Sequence.rows`, :data:`ROW` pixels apart (not proportional to
  time: the race happens in seconds, the accept in microseconds); each row shows its virtual
  time and the wall-clock time the MTA would print.
* The Winsock response timer's bar is drawn in :data:`RACE_COLOUR`, a colour used nowhere
  else, when the connection had a race; the losing side is faded and crossed. When the timer
  wins, a pale band marks the stretch where the connection is gone but the kernel is still
  producing its OK response.
* Deterministic: the same sequence gives the same bytes (numbers are formatted explicitly).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from html import escape

from ..core import Tone, clock12, fixed_seconds
from ._diagram import Arrow, Lane, Note, Row, Sequence, SpanKind, Winner

#: The colour of the race: the Winsock timer's bar. The HTML test counts its pixels.
RACE_COLOUR = "#e6007e"
WORK_COLOUR = "#2f6fd6"
BAND_COLOUR = "#fde6f2"
INK = "#1f2328"
MUTED = "#6e7781"
LOST = "#c62828"
WON = "#1a7f37"
#: Events by their catalog tone: (fill, stroke).
EVENT_FILL = {Tone.NOTICE: ("#fff4d6", "#b7791f"), Tone.ALARM: ("#fdecea", "#c62828")}

WIDTH = 1000
LANE_X = {Lane.PEER: 272, Lane.WINSOCK: 402, Lane.NSI: 532, Lane.KERNEL: 930}
CLOCK_X = 106
#: Where the time columns end: no label starts left of it.
LABELS_FROM = 206
TOP = 80
ROW = 40
FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
FONT_SIZE = 16
CHAR_W = 9.64  #: the advance of a 16 px DejaVu Sans Mono character (0.6021 em)
HALO = 'paint-order="stroke" stroke="#ffffff" stroke-width="4" stroke-linejoin="round"'


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = FONT_SIZE,
    fill: str = INK,
    weight: str = "normal",
    halo: bool = True,
) -> str:
    extra = f" {HALO}" if halo else ""
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{bold}{extra}>{escape(text)}</text>'
    )


def _row_y(index: int) -> int:
    return TOP + 24 + index * ROW


def sequence_svg(seq: Sequence, *, title: str | None = None) -> str:
    """The diagram as one ``<svg>`` element (no XML declaration)."""
    return sequence_svg_parts(seq, title=title).joined()


@dataclass(frozen=True, slots=True)
class SvgParts:
    """A diagram in pieces: the opening, title, lanes and spans (``head``), each row as
    (its move down to its place, its times, its drawing, the close of the move), and the
    close. A row is drawn at the top and moved, so the same row at another place, or at
    another time, shares pieces: a page holding many diagrams keeps each piece once."""

    head: tuple[str, ...]
    rows: tuple[tuple[str, str, str, str], ...]
    tail: str = "</svg>"

    def joined(self) -> str:
        """The ``<svg>`` element."""
        return "\n".join([*self.head, *(p for row in self.rows for p in row), self.tail])


def sequence_svg_parts(
    seq: Sequence, *, title: str | None = None, summary: bool = True
) -> SvgParts:
    """The diagram as :class:`SvgParts` (:func:`sequence_svg` joins them).
    ``summary=False``: the title without the race's summary (for a page that prints it
    beside the diagram)."""
    rows = seq.rows
    height = _row_y(len(rows) - 1) + 40 if rows else TOP + 60
    out: list[str] = []
    label = title or f"Connection {seq.conn} on {seq.build.label}"
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" font-family="{FONT}">'
    )
    told = f": {seq.race.summary()}" if summary else ""
    out.append(f"<title>{escape(label + told)}</title>")
    out.append(f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>')
    out.extend(_band(seq))
    # Lane heads and lifelines.
    lanes: list[str] = []
    for lane, x in LANE_X.items():
        lanes.append(
            f'<rect x="{x - 64}" y="{TOP - 52}" width="128" height="32" rx="6" '
            f'fill="#f6f8fa" stroke="{MUTED}"/>'
        )
        lanes.append(_text(x, TOP - 30, lane.title, anchor="middle", weight="bold", halo=False))
        lanes.append(
            f'<line x1="{x}" y1="{TOP - 18}" x2="{x}" y2="{height - 12}" stroke="{MUTED}" '
            f'stroke-dasharray="4 4"/>'
        )
    lanes.append(_text(10, TOP - 30, "t (s)", weight="bold", halo=False))
    lanes.append(_text(CLOCK_X, TOP - 30, "clock", weight="bold", halo=False))
    out.append("\n".join(lanes))
    out.extend(_spans(seq))
    drawn: list[tuple[str, str, str, str]] = []
    for index, row in enumerate(rows):
        times, rest = _drawn_row(row)
        drawn.append((f'<g transform="translate(0 {_row_y(index)})">', times, rest, "</g>"))
    return SvgParts(tuple(out), tuple(drawn))


def _band(seq: Sequence) -> list[str]:
    """The stretch where the timer has won but the kernel still works on the OK response."""
    if seq.race.winner is not Winner.TIMER:
        return []
    work = next((s for s in seq.spans if s.kind is SpanKind.WORK), None)
    timer = next((s for s in seq.spans if s.kind is SpanKind.TIMER), None)
    if work is None or timer is None or work.end <= timer.end:
        return []
    y1 = _row_y(timer.end) - 10
    y2 = _row_y(work.end) + 10
    x1 = LANE_X[Lane.WINSOCK] - 20
    x2 = WIDTH - 8
    return [
        f'<rect x="{x1}" y="{y1}" width="{x2 - x1}" height="{y2 - y1}" fill="{BAND_COLOUR}"/>',
    ]


def _spans(seq: Sequence) -> list[str]:
    out: list[str] = []
    raced = seq.race.winner in (Winner.TIMER, Winner.OK)
    for span in seq.spans:
        x = LANE_X[span.lane]
        y1 = _row_y(span.start) - 6
        y2 = _row_y(span.end) + (14 if span.open_end else 0)
        colour = WORK_COLOUR
        if span.kind is SpanKind.TIMER:
            colour = RACE_COLOUR if raced else MUTED
        opacity = ' fill-opacity="0.3"' if span.lost else ""
        out.append(
            f'<rect x="{x - 7}" y="{y1}" width="14" height="{max(y2 - y1, 4)}" '
            f'fill="{colour}"{opacity}/>'
        )
        if span.lost:
            # Between the span's last two rows (or below its only row): no label is there.
            mid = _row_y(max(span.end - 1, span.start)) + ROW / 2
            out.append(
                f'<path d="M{x - 9} {_num(mid - 9)} l18 18 M{x + 9} {_num(mid - 9)} l-18 18" '
                f'stroke="{LOST}" stroke-width="3"/>'
            )
    return out


@functools.lru_cache(maxsize=4096)
def _drawn_row(row: Row) -> tuple[str, str]:
    """A row drawn at the top: its times, and the rest (kept: rows repeat across diagrams)."""
    times, *rest = _row(0, row)
    return times, "\n".join(rest)


def _row(y: int, row: Row) -> list[str]:
    """A row's elements with its line at height ``y``."""
    out = [
        _text(10, y + 5, _seconds(row.t), fill=INK, halo=False)
        + "\n"
        + _text(CLOCK_X, y + 5, clock12(row.timestamp), fill=MUTED, halo=False),
    ]
    colour = LOST if row.lost else WON if row.won else INK
    mark = "✗ " if row.lost else "✓ " if row.won else ""
    item = row.item
    if isinstance(item, Arrow):
        x1, x2 = LANE_X[item.src], LANE_X[item.dst]
        head = -1 if x2 > x1 else 1
        dash = ' stroke-dasharray="6 4"' if row.lost else ""
        out.append(
            f'<line x1="{x1}" y1="{y}" x2="{x2 + head * 9}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        out.append(
            f'<polygon points="{x2},{y} {x2 + head * 10},{y - 5} {x2 + head * 10},{y + 5}" '
            f'fill="{colour}"/>'
        )
        weight = "bold" if row.won or row.lost else "normal"
        out.append(
            _text(
                (x1 + x2) / 2, y - 8, mark + item.label, anchor="middle", fill=colour, weight=weight
            )
        )
        return out
    assert isinstance(item, Note)
    x = LANE_X[item.lane]
    text = mark + item.label
    tx, anchor = _note_x(x, len(text) * CHAR_W, boxed=item.event is not None)
    if item.event is not None:
        fill, stroke = EVENT_FILL[item.event.spec.tone]
        width = len(text) * CHAR_W
        bx = (
            tx - 5
            if anchor == "start"
            else tx - width - 5
            if anchor == "end"
            else tx - width / 2 - 5
        )
        out.append(
            f'<rect x="{_num(bx)}" y="{y - 13}" width="{_num(width + 10)}" height="26" rx="4" '
            f'fill="{fill}" stroke="{stroke}"/>'
        )
        if anchor != "middle":  # a centred box lies across its lane: no marker under the text
            out.append(
                f'<polygon points="{x},{y - 7} {x + 7},{y} {x},{y + 7} {x - 7},{y}" '
                f'fill="{stroke}"/>'
            )
        out.append(_text(tx, y + 5, text, anchor=anchor, fill=stroke, weight="bold", halo=False))
        return out
    out.append(f'<circle cx="{x}" cy="{y}" r="5" fill="{colour}"/>')
    weight = "bold" if row.won or row.lost else "normal"
    out.append(_text(tx, y + 5, text, anchor=anchor, fill=colour, weight=weight))
    return out


def _note_x(x: int, width: float, *, boxed: bool = False) -> tuple[float, str]:
    """Where a note of ``width`` px on the lane at ``x`` goes: right of the lane if it fits
    (an event's box before the kernel's lane, whose bar it would hide), else left of it if it
    fits right of the time columns, else centred on the lane within those bounds."""
    right_edge = LANE_X[Lane.KERNEL] - 16 if boxed and x < LANE_X[Lane.KERNEL] else WIDTH - 8
    if x + 14 + width <= right_edge:
        return x + 14, "start"
    if x - 14 - width >= LABELS_FROM:
        return x - 14, "end"
    centre = min(max(x, LABELS_FROM + width / 2 + 6), right_edge - width / 2)
    return centre, "middle"


def _seconds(t: int) -> str:
    return fixed_seconds(t)
