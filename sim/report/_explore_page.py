"""``mtasim explore``'s page: one self-contained HTML file of every state of a grid.

Rules of this module:

* One file, nothing fetched: inline CSS, one inline script, the phase map as a ``data:`` PNG.
* Every state the page can show was computed by the model when the page was written
  (:mod:`._explore`): the diagram's SVG pieces, the EV0 text and the caption. The script only
  picks a state by the sliders and the build, joins its pieces and moves the crosshair to
  pixel positions the phase map gave (``sim.report._phase.phase_png_panels``).
* Each text, SVG piece and caption is stored once; a state is a list of numbers into those
  tables, so the KB grid (3,660 points on two builds) stays a few hundred kilobytes.
* The state lives in the URL hash (``#response_timeout=21&ok_delay=30&build=pre-fix``): the
  page opens in the state the hash names, an off-grid value snaps to the nearest grid value
  and the hash is rewritten to it; moving a slider rewrites the hash.
* Deterministic: the same grid gives the same bytes (no dates, no durations).
"""

from __future__ import annotations

import base64
import json
from html import escape
from typing import Any

from .._version import __version__
from ._explore import Exploration
from ._html import has_fix, page_start
from ._phase import DPI, figure_size, knob_title, knob_value, phase_png_panels
from ._svg import SvgParts

CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 16px; color: #1f2328;
       margin: 0 auto; padding: 8px 8px 32px; max-width: 1100px; line-height: 1.4; }
h1 { font-size: 1.4em; margin: 0.2em 0 0.4em; }
.controls { display: grid; grid-template-columns: max-content 1fr max-content; gap: 6px 12px;
            align-items: center; position: sticky; top: 0; background: #ffffff; padding: 6px 0;
            border-bottom: 1px solid #d0d7de; z-index: 1; }
.controls input[type=range] { width: 100%; }
.controls output { font-weight: bold; font-variant-numeric: tabular-nums; min-width: 5em; }
.builds { grid-column: 1 / -1; display: flex; gap: 18px; flex-wrap: wrap; }
#caption { margin: 8px 0; font-weight: bold; }
#caption.bug { color: #c62828; }
#caption.handled { color: #0a5e8a; font-weight: normal; }
#caption.ok { color: #1a7f37; font-weight: normal; }
#diagram svg { width: 100%; height: auto; display: block; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px;
      white-space: pre-wrap; overflow-wrap: anywhere; min-height: 1.4em;
      font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
.map { position: relative; }
.map img, .map svg { width: 100%; height: auto; display: block; }
.map svg { position: absolute; left: 0; top: 0; height: 100%; pointer-events: none; }
footer { margin-top: 2em; font-size: 0.9em; color: #6e7781; }
"""

SCRIPT = r"""
(() => {
  const data = JSON.parse(document.getElementById('states').textContent);
  const sliders = data.axes.map((axis, i) => document.getElementById('axis' + i));
  const outputs = data.axes.map((axis, i) => document.getElementById('value' + i));
  const radios = Array.from(document.querySelectorAll('input[name=build]'));
  const state = {index: data.axes.map(axis => axis.start), build: data.start_build};

  function nearest(values, wanted) {
    let best = 0;
    for (let i = 1; i < values.length; i++) {
      if (Math.abs(values[i] - wanted) < Math.abs(values[best] - wanted)) best = i;
    }
    return best;
  }
  function readHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    data.axes.forEach((axis, i) => {
      const text = params.get(axis.name);
      if (text !== null && text.trim() !== '' && isFinite(Number(text))) {
        state.index[i] = nearest(axis.values, Number(text));
      }
    });
    const build = params.get('build');
    const found = data.builds.findIndex(b => b.names.includes(build));
    if (found >= 0) state.build = found;
  }
  function hashText() {
    const parts = data.axes.map((axis, i) => axis.name + '=' + axis.texts[state.index[i]]);
    parts.push('build=' + data.builds[state.build].alias);
    return '#' + parts.join('&');
  }
  function show() {
    const across = data.axes[1].values.length;
    const cell = (state.index[0] * across + state.index[1]) * data.builds.length + state.build;
    const [pieces, text, caption, tone, conn] = data.states[cell];
    const head = pieces.slice(1, 1 + pieces[0]);
    const rows = pieces.slice(1 + pieces[0], -1).flatMap(r => data.rows[r]);
    const all = pieces.length ? [...head, ...rows, pieces[pieces.length - 1]] : [];
    document.getElementById('diagram').innerHTML = all.map(k => data.pieces[k]).join('\n');
    document.getElementById('ev0').textContent = data.texts[text];
    const cap = document.getElementById('caption');
    cap.textContent = data.captions[caption];
    cap.className = tone;
    document.getElementById('conn').textContent = conn < 0 ? '-' : String(conn);
    document.getElementById('build-label').textContent = data.builds[state.build].label;
    sliders.forEach((s, i) => { s.value = String(state.index[i]); });
    outputs.forEach((o, i) => {
      o.textContent = data.axes[i].texts[state.index[i]] + data.axes[i].unit;
    });
    radios.forEach((r, i) => { r.checked = i === state.build; });
    data.panels.forEach((panel, b) => {
      const v = document.getElementById('cross-v' + b), h = document.getElementById('cross-h' + b);
      const x = panel.xs[state.index[0]], y = panel.ys[state.index[1]];
      v.setAttribute('x1', x); v.setAttribute('x2', x);
      h.setAttribute('y1', y); h.setAttribute('y2', y);
      const width = b === state.build ? '3' : '1.5';
      v.setAttribute('stroke-width', width); h.setAttribute('stroke-width', width);
    });
    const wanted = hashText();
    if (location.hash !== wanted) history.replaceState(null, '', wanted);
    document.body.dataset.ready = hashText().slice(1);
  }
  sliders.forEach((s, i) => s.addEventListener('input', () => {
    state.index[i] = Number(s.value); show();
  }));
  radios.forEach((r, i) => r.addEventListener('change', () => {
    if (r.checked) { state.build = i; show(); }
  }));
  window.addEventListener('hashchange', () => { readHash(); show(); });
  readHash();
  show();
})();
"""


class _Table:
    """Strings kept once, by number."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._where: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        where = self._where.get(text)
        if where is None:
            where = self._where[text] = len(self.items)
            self.items.append(text)
        return where


def _short_names(keys: list[str]) -> list[str]:
    """Hash names: a key's last part (``response_timeout``) unless two keys share it."""
    last = [key.rsplit(".", 1)[-1] for key in keys]
    return [name if last.count(name) == 1 else key for name, key in zip(last, keys, strict=True)]


def _value_text(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def page_data(exploration: Exploration, panels: list[Any]) -> dict[str, Any]:
    """The page's JSON: the tables, the states and where the crosshair goes."""
    pieces, texts, captions = _Table(), _Table(), _Table()
    rows: dict[tuple[int, ...], int] = {}

    def diagram(parts: SvgParts | None) -> list[int]:
        """Piece numbers for the head, then row numbers, then the tail's piece."""
        if parts is None:
            return []
        head = [pieces(p) for p in parts.head]
        drawn = [rows.setdefault(tuple(pieces(p) for p in row), len(rows)) for row in parts.rows]
        return [len(head), *head, *drawn, pieces(parts.tail)]

    states = [
        [
            diagram(state.parts),
            texts(state.ev0),
            captions(state.caption),
            state.tone,
            -1 if state.conn is None else state.conn,
        ]
        for state in exploration.states
    ]
    keys = [axis.key for axis in exploration.axes]
    scenario = exploration.scenario
    axes = []
    for axis, name in zip(exploration.axes, _short_names(keys), strict=True):
        own = knob_value(scenario, axis.key)
        start = (
            0
            if own is None
            else min(range(len(axis.values)), key=lambda i: abs(axis.values[i] - own))
        )
        seconds = axis.key in ("winsock.response_timeout", "mta.ok_delay")
        axes.append(
            {
                "key": axis.key,
                "name": name,
                "values": list(axis.values),
                "texts": [_value_text(v) for v in axis.values],
                "unit": " s" if seconds else "",
                "start": start,
            }
        )
    builds = [
        {"alias": b.alias, "names": [*b.aliases, b.version], "label": b.label, "fixed": has_fix(b)}
        for b in exploration.builds
    ]
    own_build = scenario.build
    start_build = next(
        (i for i, b in enumerate(exploration.builds) if own_build in (*b.aliases, b.version)), 0
    )
    return {
        "axes": axes,
        "builds": builds,
        "start_build": start_build,
        "pieces": pieces.items,
        "rows": list(map(list, rows)),
        "texts": texts.items,
        "captions": captions.items,
        "states": states,
        "panels": [{"xs": list(p.xs), "ys": list(p.ys)} for p in panels],
    }


def explore_html(exploration: Exploration) -> str:
    """The whole page."""
    png, panels = phase_png_panels(exploration.grid())
    data = page_data(exploration, panels)
    blob = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    name = exploration.scenario.name or exploration.scenario.origin
    out: list[str] = []
    add = out.append
    out.extend(page_start(f"mtasim explore: {name}", CSS))
    add(f"<h1>mtasim explore: {escape(name)}</h1>")
    add('<div class="controls">')
    for i, axis in enumerate(exploration.axes):
        add(
            f'<label for="axis{i}">{escape(knob_title(axis.key))} <code>{escape(axis.key)}</code>'
            f'</label><input type="range" id="axis{i}" min="0" max="{len(axis.values) - 1}" '
            f'step="1" value="0"><output id="value{i}"></output>'
        )
    add('<div class="builds">')
    for i, build in enumerate(exploration.builds):
        fix = "fixed" if has_fix(build) else "without the fix"
        add(
            f'<label><input type="radio" name="build" value="{escape(build.alias)}" id="build{i}">'
            f" {escape(build.alias)} ({escape(build.version)}, {fix})</label>"
        )
    add("</div>")
    add("</div>")
    add(
        '<p>Connection <span id="conn"></span> on <span id="build-label"></span>:</p>'
        '<p id="caption"></p>'
    )
    add('<div id="diagram"></div>')
    add("<h2>EV0.LOG: the events of this connection, as the MTA logs them</h2>")
    add('<pre id="ev0"></pre>')
    add("<h2>The phase map: event 4283 per connection over the grid</h2>")
    add('<div class="map">')
    add(f'<img alt="phase map" src="data:image/png;base64,{base64.b64encode(png).decode()}">')
    size = figure_size(len(exploration.builds))
    width, height = round(size[0] * DPI), round(size[1] * DPI)
    add(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">')
    for b, panel in enumerate(panels):
        left, top, right, bottom = panel.box
        add(
            f'<line id="cross-v{b}" x1="0" y1="{top}" x2="0" y2="{bottom}" stroke="#00b4ff"/>'
            f'<line id="cross-h{b}" x1="{left}" y1="0" x2="{right}" y2="0" stroke="#00b4ff"/>'
        )
    add("</svg>")
    add("</div>")
    add(
        f"<footer>Generated by mtasim {escape(__version__)} from scenario {escape(name)}: "
        f"{len(exploration.states)} states, each computed by the model when this page was "
        "written; the script only picks and draws them.</footer>"
    )
    add(f'<script type="application/json" id="states">{blob}</script>')
    add(f"<script>{SCRIPT}</script>")
    add("</body>")
    add("</html>")
    return "\n".join(out) + "\n"
