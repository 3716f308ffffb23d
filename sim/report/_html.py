"""The HTML report: one self-contained file a trainer can open anywhere.

Rules of this module:

* One file, nothing fetched: inline CSS, inline SVG, no scripts at all, no external fonts,
  images or links (the favicon is an empty ``data:`` URL so that a browser asks for nothing).
* Contents, in order: the scenario; for each connection of interest, its sequence diagram
  on each build with the race highlighted; the builds compared on identical inputs (counters
  and the event difference); the event log of each build in EV0 and Event Viewer forms.
* Deterministic: no dates or durations of the report's own making; the same runs give the
  same bytes.
* It renders what the runs did; every text about the race comes from the sequence model.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence as Seq
from html import escape

from .._version import __version__
from ..core import Build, Input, State, Tone
from ..render import render
from ..render._summary import compare_rows, event_oneline
from ..text._plural import plural
from ._capture import RunLog
from ._diagram import Sequence, Winner
from ._sequence import sequence
from ._svg import RACE_COLOUR, WORK_COLOUR, sequence_svg

CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 16px; color: #1f2328;
       background: #ffffff; margin: 0 auto; padding: 16px 16px 40px; max-width: 2100px;
       line-height: 1.45; }
h1 { font-size: 1.6em; margin: 0.2em 0; }
h2 { font-size: 1.25em; border-bottom: 1px solid #d0d7de; padding-bottom: 4px;
     margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
p.lead { margin: 0.2em 0 0.8em; color: #424a53; }
.knobs { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0.4em 0; padding: 0;
          list-style: none; }
.knobs code { background: #f6f8fa; padding: 1px 5px; border-radius: 4px; }
/* One diagram under the other; side by side only where both fit at full size. */
.pair { display: grid; grid-template-columns: 1fr; gap: 16px; }
@media (min-width: 2000px) { .pair { grid-template-columns: 1fr 1fr; } }
figure { margin: 0; border: 1px solid #d0d7de; border-top-width: 6px; border-radius: 8px;
         padding: 6px; }
figure.unfixed { border-top-color: #c62828; }
figure.fixed { border-top-color: #1a7f37; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { padding: 6px 4px 2px; }
figcaption .build { font-weight: bold; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 0.9em;
         font-weight: bold; color: #ffffff; margin-right: 6px; }
.unfixed .badge { background: #c62828; }
.fixed .badge { background: #1a7f37; }
.bug { color: #c62828; font-weight: bold; }
.handled { color: #0a5e8a; }
.ok { color: #1a7f37; }
.legend { color: #424a53; }
.swatch { display: inline-block; width: 12px; height: 12px; vertical-align: -1px;
           margin: 0 4px 0 10px; border-radius: 2px; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: 3px 10px; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.key td { background: #fdecea; font-weight: bold; }
/* Descriptions wrap: nothing is ever cut or scrolled out of sight. */
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px;
       white-space: pre-wrap; overflow-wrap: anywhere; overflow: visible;
       font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
.forms { display: grid; grid-template-columns: repeat(auto-fit, minmax(600px, 1fr)); gap: 12px; }
.forms h4 { margin: 0.3em 0; font-size: 1em; }
footer { margin-top: 2em; font-size: 0.9em; color: #6e7781; }
@media (max-width: 1100px) { body { padding: 8px 8px 32px; } figure { padding: 2px; } }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .pair { display: block; }
  .pair figure { break-inside: avoid; break-after: page; border-width: 1px;
                 border-top-width: 4px; margin: 0 0 8px; }
  figure svg { width: 100%; max-height: 23cm; }
  .forms { display: block; }
  pre { break-inside: auto; font-size: 8.5pt; }
  h2, h3, h4 { break-after: avoid; }
}
"""
#: Rows of the comparison table that show the bug and its fix.
KEY_ROWS = ("4283 logged", "closed while the OK was pending")


def page_start(title: str, css: str) -> list[str]:
    """The lines a self-contained page opens with, to its ``<body>``: no favicon request, the
    title escaped, the style inline."""
    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{escape(title)}</title>",
        f"<style>{css}</style>",
        "</head>",
        "<body>",
    ]


def report_html(
    runs: Seq[RunLog],
    conns: Seq[int],
    *,
    events_limit: int = 50,
    diff_limit: int = 40,
) -> str:
    """The whole report for ``runs`` (one scenario, several builds, identical inputs) with a
    diagram per build for each connection of ``conns``. ``events_limit`` caps each build's
    event log (0: all)."""
    if not runs:
        raise ValueError("the report needs at least one run")
    first = runs[0]
    scenario = first.scenario
    name = first.name
    parts: list[str] = []
    add = parts.append
    parts.extend(page_start(f"mtasim report: {name}", CSS))
    builds = ", ".join(f"{r.build.alias} ({r.build.version})" for r in runs)
    add(f"<h1>mtasim report: {escape(name)}</h1>")
    add(
        '<p class="lead">Exchange Server 5.5 MTA, event 4283 "Bad LPIs in message" (KB '
        "Q319936): an incoming connection times out before the MTA receives the OK "
        f"response. Builds: {escape(builds)}.</p>"
    )

    # The scenario.
    add('<section id="scenario">')
    add("<h2>The scenario</h2>")
    if scenario.description:
        add(f"<p>{escape(scenario.description)}</p>")
    add('<ul class="knobs">')
    for key, value in _knobs(first):
        add(f"<li>{escape(key)} <code>{escape(value)}</code></li>")
    add("</ul>")
    add("</section>")

    # The race, per connection of interest.
    add('<section id="race">')
    add("<h2>The race</h2>")
    add(
        '<p class="legend">Time runs down; one row per message or event.'
        f'<span class="swatch" style="background:{RACE_COLOUR}"></span>Winsock response timer'
        f'<span class="swatch" style="background:{WORK_COLOUR}"></span>MTA kernel producing '
        "the OK response; faded and crossed: the side that lost the race; ✓ the row that "
        "decided it.</p>"
    )
    for conn in conns:
        seqs = [sequence(run, conn) for run in runs]
        lpi = next((str(s.lpi) for s in seqs if s.lpi is not None), "-")
        add(f"<h3>Connection {conn} (LPI {escape(lpi)})</h3>")
        add('<div class="pair">')
        for seq in seqs:
            fixed = has_fix(seq.build)
            add(f'<figure class="{"fixed" if fixed else "unfixed"}">')
            add(sequence_svg(seq))
            ids = ", ".join(str(i) for i in seq.event_ids) or "none"
            badge = "fixed build" if fixed else "without the fix"
            add(
                f'<figcaption><span class="badge">{badge}</span>'
                f'<span class="build">{escape(seq.build.label)}</span>: '
                f'<span class="{caption_class(seq)}">{escape(seq.race.summary())}</span> '
                f"Events logged for this connection: {escape(ids)}.</figcaption>"
            )
            add("</figure>")
        add("</div>")
    add("</section>")

    # The comparison.
    add('<section id="comparison">')
    add("<h2>The builds compared on identical inputs</h2>")
    add("<table>")
    add(
        "<tr><th></th>"
        + "".join(f"<th>{escape(r.build.alias)}<br>{escape(r.build.version)}</th>" for r in runs)
        + "</tr>"
    )
    for label, values in compare_rows([r.summary for r in runs]):
        css = ' class="key"' if label in KEY_ROWS else ""
        cells = "".join(f'<td class="n">{v}</td>' for v in values)
        add(f"<tr{css}><td>{escape(label)}</td>{cells}</tr>")
    add("</table>")
    for other in runs[1:]:
        add(_difference(first, other, diff_limit))
    add("</section>")

    # The event logs.
    add('<section id="events">')
    add("<h2>The event log</h2>")
    for run in runs:
        shown = list(run.events) if events_limit == 0 else list(run.events[:events_limit])
        add(f"<h3>{escape(run.build.label)}: {plural(len(run.events), 'event')}</h3>")
        if not shown:
            add("<p>No event logged.</p>")
            continue
        more = len(run.events) - len(shown)
        note = (
            f"<p>The first {len(shown)} of {plural(len(run.events), 'event')} "
            f"(<code>mtasim run {escape(name)} --build {escape(run.build.alias)}</code> prints "
            "them all).</p>"
            if more
            else ""
        )
        add(note)
        add('<div class="forms">')
        add(f"<div><h4>EV0.LOG</h4><pre>{escape(render(shown, 'ev0'))}</pre></div>")
        computer = scenario.mta.computer
        viewer = render(shown, "eventviewer", computer)
        add(f"<div><h4>Event Viewer</h4><pre>{escape(viewer)}</pre></div>")
        add("</div>")
    add("</section>")
    add(
        f"<footer>Generated by mtasim {escape(__version__)} from scenario {escape(name)} "
        f"(seed {scenario.seed}, digest {scenario.digest()[:16]}). The same inputs give the "
        "same file.</footer>"
    )
    add("</body>")
    add("</html>")
    return "\n".join(parts) + "\n"


def has_fix(build: Build) -> bool:
    """Whether the build carries the KB's fix: its own row for a Close Request while the OK
    response is pending."""
    return (State.OPENING, Input.CLOSE) in build.overrides


def caption_class(seq: Sequence) -> str:
    """The caption's colour: red and bold only when the race ended in an alarm event (the
    bug); calm blue when the timer won but the build handled it; green when the OK won."""
    if any(event.spec.tone is Tone.ALARM for event in seq.events):
        return "bug"
    if seq.race.winner is Winner.TIMER:
        return "handled"
    return "ok" if seq.race.winner is Winner.OK else ""


def _knobs(run: RunLog) -> list[tuple[str, str]]:
    s = run.scenario
    peers = sum(p.count for p in s.peers)
    jitter = f" ± {s.mta.ok_delay_jitter:g}" if s.mta.ok_delay_jitter else ""
    return [
        ("Winsock response timer", f"winsock.response_timeout = {s.winsock.response_timeout:g} s"),
        ("kernel time per OK response", f"mta.ok_delay = {s.mta.ok_delay:g}{jitter} s"),
        ("kernel threads", f"mta.threads = {s.mta.threads}"),
        ("control blocks", f"mta.control_blocks = {s.mta.control_blocks}"),
        ("associations already open", f"mta.open_associations = {s.mta.open_associations}"),
        ("connections", f"{peers} in {plural(len(s.peers), 'peer group')}"),
        ("logging", f"mta.logging = {s.mta.logging.label}"),
        ("epoch", s.epoch.isoformat(sep=" ")),
    ]


def _difference(base: RunLog, other: RunLog, limit: int) -> str:
    a = [event_oneline(e) for e in base.events]
    b = [event_oneline(e) for e in other.events]
    diff = [
        line
        for line in difflib.unified_diff(
            a, b, base.build.alias, other.build.alias, n=0, lineterm=""
        )
        if not line.startswith("@@")
    ][2:]
    if not diff:
        return (
            f"<p>Events: {escape(base.build.alias)} and {escape(other.build.alias)} log the "
            f"same {plural(len(a), 'event')}.</p>"
        )
    removed = sum(1 for line in diff if line.startswith("-"))
    added = len(diff) - removed
    shown = diff if limit == 0 else diff[:limit]
    hidden = len(diff) - len(shown)
    tail = f"\n… {plural(hidden, 'more line')}" if hidden else ""
    return (
        f"<p>Events: {removed} only on {escape(base.build.alias)} (-), {added} only on "
        f"{escape(other.build.alias)} (+).</p>"
        f"<pre>{escape(chr(10).join(shown) + tail)}</pre>"
    )
