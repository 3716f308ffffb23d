"""The byte-for-byte corpus: what mtasim writes for a fixed set of inputs, kept so that a change
that alters any output byte is seen (``tests/test_corpus.py`` reproduces every file).

Layout of ``tests/golden/corpus/`` (every file gzip-compressed, written deterministically):

* ``bundled/<scenario>/<build>.<form>.gz``: every bundled scenario on every build, as
  ``mtasim run <scenario> --build <build>`` writes it: the trace (``--record``), and the events in
  EV0, Event Viewer and JSON Lines form (``--format``). The trio and batch drivers must both
  reproduce each file.
* ``generated/<set>/scenarios.jsonl.gz``: generated scenarios, one ``Scenario.to_dict()`` per
  line; ``generated/<set>/<build>.jsonl.gz``: for each of them, in order, one JSON object
  ``{"trace": ..., "ev0": ..., "eventviewer": ..., "jsonl": ...}``. Two sets: ``strategies``
  (200 from ``sim.strategies.scenarios()``) and ``ties`` (100 on a half-second grid with
  ``until``, many groups, latency jitter and data, so that the tie rule and the end of a run
  decide much).
* ``live/<name>.trace.gz``: live sessions (``mtasim serve --record`` against real peers),
  which ``mtasim replay --check`` must reproduce on both drivers.

The one field allowed to differ is the tool version in a trace header (``"tool":"mtasim X"``):
:func:`normalise` replaces it before comparing.

Regenerate only on purpose (a change of the model version, with the list of what changed in
``docs/model.md``): ``python tests/golden/corpus.py bundled generated`` re-runs those parts
(the generated sets keep their committed scenarios; ``redraw`` draws them anew); ``live``
re-records the live sessions (real sockets on 127.0.0.1, about a minute).
"""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
FORMS = ("ev0", "eventviewer", "jsonl")
#: Generated sets and how many scenarios each holds.
GENERATED = {"strategies": 200, "ties": 100}

_TOOL = re.compile(rb'"tool":"mtasim [^"]*"')


def normalise(data: bytes) -> bytes:
    """The bytes with the trace header's tool version replaced."""
    return _TOOL.sub(b'"tool":"mtasim *"', data, count=1)


def write_gz(path: Path, data: bytes) -> None:
    """Deterministic gzip (no name, no time) so that regenerating unchanged bytes changes no file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    path.write_bytes(buffer.getvalue())


def read_gz(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def build_aliases() -> list[str]:
    import sim

    return [b.alias for b in sim.BUILDS]


# -- producing the outputs (also what the test calls) ---------------------------------------
def run_outputs(scenario: Any, build: str, driver: str, tmp: Path) -> dict[str, bytes]:
    """Trace and the three text forms of one run, as the command writes them."""
    import sim
    from sim.render import EventWriter

    trace = tmp / "trace.jsonl"
    events = sim.run(scenario, build, driver=driver, record=trace).events
    out: dict[str, bytes] = {"trace": trace.read_bytes()}
    trace.unlink()
    for form in FORMS:
        parts: list[str] = []
        writer = EventWriter(form, parts.append, scenario.mta.computer)
        for event in events:
            writer(event)
        out[form] = "".join(parts).encode("utf-8")
    return out


def bundled_cases() -> Iterator[tuple[str, str]]:
    import sim

    for name in sim.bundled_names():
        for build in build_aliases():
            yield name, build


def generated_scenarios(name: str) -> list[Any]:
    """The committed scenarios of one generated set."""
    from sim.scenario import scenario_from_dict

    path = CORPUS / "generated" / name / "scenarios.jsonl.gz"
    lines = read_gz(path).decode("utf-8").splitlines()
    return [scenario_from_dict(json.loads(line), f"<corpus {i}>") for i, line in enumerate(lines)]


# -- writing the corpus ---------------------------------------------------------------------
def write_bundled(tmp: Path) -> None:
    import sim

    for name, build in bundled_cases():
        outputs = run_outputs(sim.load_scenario(name), build, "batch", tmp)
        for form, data in outputs.items():
            write_gz(CORPUS / "bundled" / name / f"{build}.{form}.gz", data)
        print(f"bundled {name} {build}: {len(outputs['trace'])} trace bytes", file=sys.stderr)


def _ties_strategy() -> Any:
    """Scenarios on a half-second grid, with ``until`` (written for the corpus only)."""
    import math

    from hypothesis import strategies as st

    from sim.core import LoggingLevel
    from sim.scenario import validate

    def halves(top: float, low: float = 0.0) -> Any:
        return st.integers(0, int((top - low) * 2)).map(lambda k: low + k / 2)

    @st.composite
    def draw(d: Any) -> Any:
        blocks = d(st.integers(2, 8))
        groups = [
            {
                "name": f"peer-{i + 1}",
                "at": d(halves(5.0)),
                "count": d(st.integers(1, 30)),
                "process": d(st.sampled_from(["fixed", "poisson"])),
                "interval": d(halves(3.0)),
                "rate": d(st.sampled_from([1.0, 2.0, 0.5, 4.0])),
                "hold": d(st.one_of(halves(5.0), st.just(math.inf))),
                "give_up": d(st.one_of(st.just(math.inf), halves(10.0, 0.5))),
                "latency": d(halves(1.0)),
                "latency_jitter": d(st.sampled_from([0.0, 0.5])),
                "data_units": d(st.integers(0, 3)),
                "close": d(st.sampled_from(["close", "reset"])),
            }
            for i in range(d(st.integers(1, 4)))
        ]
        data = {
            "name": "ties",
            "seed": d(st.integers(0, 2**16)),
            "until": d(st.one_of(st.just(math.inf), halves(60.0, 0.5))),
            "winsock": {"response_timeout": d(halves(10.0, 0.5)), "backlog": d(st.integers(1, 10))},
            "mta": {
                "control_blocks": blocks,
                "open_associations": d(st.integers(0, blocks - 1)),
                "threads": d(st.integers(1, 4)),
                "ok_delay": d(halves(10.0)),
                "ok_delay_jitter": d(st.sampled_from([0.0, 0.5, 2.0])),
                "accept_time": d(halves(1.0)),
                "logging": d(st.sampled_from([lv.label for lv in reversed(LoggingLevel)])),
            },
            "peers": groups,
        }
        return validate(data, "<ties>")

    return draw()


def draw_scenarios(name: str, count: int) -> list[Any]:
    """Draw ``count`` distinct scenarios (once, when the corpus is made; they are committed)."""
    from hypothesis import HealthCheck, given, settings

    from sim.strategies import builds, scenarios

    strategy = (
        scenarios(max_groups=3, max_connections=30, build=builds())
        if name == "strategies"
        else _ties_strategy()
    )
    found: dict[str, Any] = {}

    @settings(
        max_examples=count * 4,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(scenario: Any) -> None:
        if len(found) < count:
            found.setdefault(scenario.digest(), scenario)

    collect()
    if len(found) < count:
        raise SystemExit(f"only {len(found)} distinct scenarios drawn, wanted {count}")
    return list(found.values())


def write_generated(tmp: Path, name: str, count: int, *, redraw: bool) -> None:
    """The outputs of a generated set; its scenarios are drawn anew only with ``redraw`` (or
    when the set has none yet): a new model version re-runs the same scenarios."""
    folder = CORPUS / "generated" / name
    if redraw or not (folder / "scenarios.jsonl.gz").exists():
        drawn = draw_scenarios(name, count)
        lines = "".join(json.dumps(s.to_dict(), sort_keys=True) + "\n" for s in drawn)
        write_gz(folder / "scenarios.jsonl.gz", lines.encode("utf-8"))
    scenarios = generated_scenarios(name)  # as the test reads them back
    for build in build_aliases():
        rows = []
        for scenario in scenarios:
            outputs = run_outputs(scenario, build, "batch", tmp)
            rows.append(json.dumps({k: v.decode("utf-8") for k, v in outputs.items()}) + "\n")
        write_gz(folder / f"{build}.jsonl.gz", "".join(rows).encode("utf-8"))
        print(f"generated {name} {build}: {len(rows)} scenarios", file=sys.stderr)


#: Live sessions: (name, scenario, build, time scale, the peers' plan). Each is served on
#: 127.0.0.1 and played by real RFC 1006 peers; the trace is what the listener recorded.
LIVE_FIDELITY = """
name = "live-fidelity"
seed = 7
epoch = 2002-02-26T14:00:00
[winsock]
response_timeout = 7.0
[mta]
control_blocks = 3
threads = 1
ok_delay = 5.0
logging = "maximum"
[[peers]]
name = "steady"
count = 2
interval = 2.0
hold = 8.0
[[peers]]
name = "crowd"
at = 7.0
count = 1
hold = 1.0
[[peers]]
name = "impatient"
at = 15.0
count = 1
give_up = 2.0
close = "reset"
"""


def write_live() -> None:
    import trio

    import sim
    from sim.app._atomic import atomic_text
    from sim.app._trace import TraceWriter
    from sim.live import ListenerOptions, LiveServer, PeerOptions, play_scenario, run_peers

    async def session(scenario: Any, build: str, path: Path, scale: float, peers: Any) -> None:
        resolved = sim.resolve_build(build)
        with atomic_text(path) as handle:
            trace = TraceWriter(handle, scenario, resolved)
            server = LiveServer(
                scenario,
                resolved,
                ListenerOptions(host="127.0.0.1", port=0, time_scale=scale, read_timeout=5.0),
                on_step=trace.step,
                log=lambda line: None,
            )
            async with trio.open_nursery() as nursery:
                port = await nursery.start(server.serve)
                await peers(port)
                with trio.fail_after(30):
                    while server.model.held:
                        await trio.sleep(0.01)
                server.stop()
            trace.close()

    kb = sim.load_scenario("kb319936")
    fidelity = sim.parse_scenario(LIVE_FIDELITY)

    async def kb_peers(port: int) -> None:
        # Three peers that give up after 1 s (real) on a 0.1 time scale: 10 virtual s, before
        # the 21 s Winsock timer and the 30 s OK response.
        await run_peers("127.0.0.1", port, PeerOptions(connections=3, rate=2, timeout=1.0))

    async def fidelity_peers(port: int) -> None:
        await play_scenario("127.0.0.1", port, fidelity, time_scale=0.5)

    plans = [
        ("kb319936-give-up-pre-fix", kb, "pre-fix", 0.1, kb_peers),
        ("kb319936-give-up-post-fix", kb, "post-fix", 0.1, kb_peers),
        ("fidelity-pre-fix", fidelity, "pre-fix", 0.5, fidelity_peers),
        ("fidelity-post-sp3", fidelity, "post-sp3", 0.5, fidelity_peers),
    ]
    out = CORPUS / "live"
    out.mkdir(parents=True, exist_ok=True)
    for name, scenario, build, scale, peers in plans:
        raw = out / f"{name}.trace.jsonl"
        trio.run(session, scenario.with_build(build), build, raw, scale, peers)
        write_gz(out / f"{name}.trace.gz", raw.read_bytes())
        raw.unlink()
        print(f"live {name}: recorded", file=sys.stderr)


def main(parts: list[str]) -> int:
    import tempfile

    known = {"bundled", "generated", "live", "redraw"}
    if not parts or not set(parts) <= known:
        print(f"usage: python tests/golden/corpus.py {' '.join(sorted(known))}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        if "bundled" in parts:
            write_bundled(Path(tmp))
        if "generated" in parts or "redraw" in parts:
            for name, count in GENERATED.items():
                write_generated(Path(tmp), name, count, redraw="redraw" in parts)
    if "live" in parts:
        write_live()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
