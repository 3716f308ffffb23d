"""The race as an animation for slides: one connection on several builds side by side, time
running down the lanes, the timer and the OK response racing, the events appearing as they
are logged.

Rules of this module:

* Two parts with a clear seam. :func:`frames` reads the sequence model (``sim.report``'s
  :class:`~sim.report.Sequence`: rows, spans, events) and returns plain :class:`Frame`
  values, one per second of virtual time: what each build's panel shows at that instant.
  :func:`animation_bytes` draws them with matplotlib's animation writers (Pillow for GIF,
  ffmpeg for MP4). The drawing decides nothing about the race.
* Frame ``k`` shows the instant ``k`` seconds after the first row; a row, bar or event is
  shown from its own instant on, so the KB's 4283 appears in the frame of 21 s, on SP4 only.
* Deterministic: matplotlib's Agg canvas on a private figure (no pyplot), fixed size, dpi and
  frame rate; the same runs give the same bytes (the GIF carries no date).
* The file is written atomically (``sim.app._atomic``); matplotlib is the plot extra.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..app._atomic import write_bytes_atomic
from ..core import Tone, to_micros, to_seconds
from ._diagram import Arrow, Lane, Note, SpanKind
from ._diagram import Sequence as Seq
from ._phase import require_matplotlib
from ._sequence import event_label
from ._svg import EVENT_FILL, LOST, RACE_COLOUR, WON, WORK_COLOUR

#: Frames per second of the file; each frame is one second of virtual time.
FPS = 2
#: Frames the last instant is held, so that a slide's loop pauses on the outcome.
HOLD = 6
FIGSIZE = (12.0, 6.75)
DPI = 80
LANE_X = {Lane.PEER: 0.6, Lane.WINSOCK: 1.6, Lane.NSI: 2.6, Lane.KERNEL: 3.6}


@dataclass(frozen=True, slots=True)
class Bar:
    """A timer or work bar as far as it has run: from ``start`` to ``end`` seconds."""

    kind: SpanKind
    lane: Lane
    start: float
    end: float
    lost: bool  #: shown crossed once its side has lost (at its end)


@dataclass(frozen=True, slots=True)
class Panel:
    """One build at one instant."""

    build: str
    arrows: tuple[tuple[float, Lane, Lane, bool], ...]  #: (t, from, to, lost)
    marks: tuple[tuple[float, float, str, str], ...]  #: (t, x, label, colour): the race's rows
    bars: tuple[Bar, ...]
    events: tuple[tuple[float, str, Tone], ...]  #: (t, label, tone), as logged so far


@dataclass(frozen=True, slots=True)
class Frame:
    t: float
    panels: tuple[Panel, ...]


def frames(seqs: Sequence[Seq]) -> list[Frame]:
    """The frames of the connections ``seqs`` (one per build), one per second."""
    origin = min(seq.rows[0].t for seq in seqs if seq.rows)
    last = max(seq.rows[-1].t for seq in seqs if seq.rows)
    count = math.ceil(to_seconds(last - origin)) + 2
    out = []
    for k in range(count):
        now = origin + to_micros(k)
        out.append(Frame(float(k), tuple(_panel(seq, origin, now) for seq in seqs)))
    return out


def _panel(seq: Seq, origin: int, now: int) -> Panel:
    def sec(t: int) -> float:
        return to_seconds(t - origin)

    shown = [row for row in seq.rows if row.t <= now]
    arrows = tuple(
        (sec(r.t), r.item.src, r.item.dst, r.lost) for r in shown if isinstance(r.item, Arrow)
    )
    marks = tuple(
        (sec(r.t), _label_x(r.item), ("✗ " if r.lost else "✓ ") + r.label, LOST if r.lost else WON)
        for r in shown
        if r.won or r.lost
    )
    bars = []
    for span in seq.spans:
        start, end = seq.rows[span.start].t, seq.rows[span.end].t
        if start <= now:
            bars.append(
                Bar(span.kind, span.lane, sec(start), sec(min(end, now)), span.lost and end <= now)
            )
    events = tuple(
        (sec(r.t), event_label(r.event), r.event.spec.tone) for r in shown if r.event is not None
    )
    return Panel(seq.build.label, arrows, marks, tuple(bars), events)


def _label_x(item: Arrow | Note) -> float:
    if isinstance(item, Arrow):
        return min(LANE_X[item.src], LANE_X[item.dst]) + 0.1
    return LANE_X[item.lane] + 0.1


def _draw(fig: Any, frame: Frame, total: float) -> None:
    fig.clear()
    columns = fig.subplots(
        2,
        len(frame.panels),
        height_ratios=(3, 1),
        squeeze=False,
        gridspec_kw={"left": 0.06, "right": 0.98, "top": 0.83, "bottom": 0.02, "wspace": 0.15},
    )
    fig.suptitle(f"t = {frame.t:g} s", fontsize=18, fontweight="bold")
    for b, panel in enumerate(frame.panels):
        ax, log = columns[0][b], columns[1][b]
        ax.set_xlim(0, 4.2)
        ax.set_ylim(total, -0.5)
        ax.set_xticks([LANE_X[lane] for lane in Lane], [lane.title for lane in Lane], fontsize=11)
        ax.xaxis.tick_top()
        ax.set_ylabel("seconds", fontsize=11)
        ax.set_title(panel.build, fontsize=13, pad=28)
        for x in LANE_X.values():
            ax.axvline(x, color="0.7", linestyle="--", linewidth=1)
        ax.axhline(frame.t, color="0.3", linewidth=1)
        for bar in panel.bars:
            colour = RACE_COLOUR if bar.kind is SpanKind.TIMER else WORK_COLOUR
            x = LANE_X[bar.lane]
            ax.add_patch(
                _rect(
                    x - 0.07,
                    bar.start,
                    0.14,
                    max(bar.end - bar.start, 0.2),
                    colour=colour,
                    lost=bar.lost,
                )
            )
            if bar.lost:
                mid = bar.end - 0.6
                ax.plot([x - 0.12, x + 0.12], [mid - 0.6, mid + 0.6], color=LOST, linewidth=3)
                ax.plot([x - 0.12, x + 0.12], [mid + 0.6, mid - 0.6], color=LOST, linewidth=3)
        for t, src, dst, lost in panel.arrows:
            ax.annotate(
                "",
                xy=(LANE_X[dst], t),
                xytext=(LANE_X[src], t),
                arrowprops={
                    "arrowstyle": "->",
                    "color": LOST if lost else "0.15",
                    "linestyle": "--" if lost else "-",
                    "linewidth": 1.5,
                },
            )
        for t, x, label, colour in panel.marks:
            ax.text(
                x,
                t - 0.4,
                label,
                color=colour,
                fontsize=11,
                fontweight="bold",
                va="bottom",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
        log.axis("off")
        log.set_xlim(0, 1)
        log.set_ylim(4.5, -0.5)
        log.text(0, -0.3, "Events logged", fontsize=11, fontweight="bold")
        for row, (t, label, tone) in enumerate(panel.events[-4:], 1):
            fill, edge = EVENT_FILL[tone]
            log.text(
                0,
                row,
                f"{t:g} s  {label}",
                fontsize=11,
                color=edge,
                fontweight="bold",
                va="center",
                bbox={"facecolor": fill, "edgecolor": edge, "boxstyle": "round,pad=0.3"},
            )


def _rect(x: float, y: float, w: float, h: float, *, colour: str, lost: bool) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, alpha=0.35 if lost else 1.0)


def animation_bytes(seqs: Sequence[Seq], suffix: str = ".gif") -> bytes:
    """The animation as the bytes of a GIF (``.gif``) or MP4 (``.mp4``, needs ffmpeg)."""
    require_matplotlib()
    from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = frames(seqs)
    shown += [shown[-1]] * HOLD
    total = shown[-1].t + 0.5
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    anim = FuncAnimation(
        fig, lambda k: _draw(fig, shown[k], total), frames=len(shown), repeat=False
    )
    writer: Any = (
        FFMpegWriter(fps=FPS, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])
        if suffix == ".mp4"
        else PillowWriter(fps=FPS)
    )
    with tempfile.TemporaryDirectory(prefix="mtasim-animate-") as tmp:
        target = Path(tmp) / f"race{suffix}"
        anim.save(str(target), writer=writer, dpi=DPI)
        return target.read_bytes()


def write_animation(seqs: Sequence[Seq], output_path: str | os.PathLike[str]) -> None:
    """Draw the animation and write it to ``output_path`` atomically (its suffix chooses
    the format)."""
    suffix = ".mp4" if str(output_path).lower().endswith(".mp4") else ".gif"
    write_bytes_atomic(output_path, animation_bytes(seqs, suffix))
