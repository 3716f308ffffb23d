"""Reading traces for hostile files: :func:`verify`, then the recorded inputs of a replay.

Rules of this module:

* Lines are read with a length cap (:data:`~sim.app._trace._format.MAX_LINE`) and parsed by the
  bounded JSON reader of ``sim.text._input``; each body line is checked as it is read and against
  the header (``_check``). The first problem found is reported after the digest: a damaged
  file says so, an edited one with its digest recomputed gets the line and the field that do
  not agree.
* The digest catches accidental damage; no unkeyed digest can catch a forgery that is
  consistent throughout (``docs/traces.md``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..._version import __version__
from ...core import (
    MODEL_VERSION,
    Build,
    BuildError,
    ConnSpec,
    External,
    Kind,
    resolve_build,
)
from ...scenario import Scenario, ScenarioError, digest_of, scenario_from_dict
from ...text._input import InputError, clip, load_json, quote, read_lines
from ._check import BodyCheck, TraceError
from ._format import FORMAT, MAX_LINE, VERSION


@dataclass(frozen=True, slots=True)
class TraceInfo:
    """What a verified trace's header and footer say."""

    path: str
    scenario: Scenario
    build: Build
    tool: str
    lines: int
    inputs: int
    events: int
    #: The model version the trace was recorded under (``sim.core.MODEL_VERSIONS``).
    model: int = 1


def _parse(path: str, number: int, text: str) -> dict[str, Any]:
    try:
        obj = load_json(text)
    except InputError as exc:
        raise TraceError(f"{path}:{number}: corrupt trace: {exc}") from None
    if not isinstance(obj, dict) or "kind" not in obj:
        if number == 1:
            raise TraceError(f"{path}:1: not an mtasim trace (no header line)")
        raise TraceError(f"{path}:{number}: corrupt trace: not a trace line")
    return obj


def verify(path: str | Path) -> TraceInfo:
    """Read a whole trace, check header, digest, footer and every body line against the
    header; raise :class:`TraceError` (one line, naming the file, the line and the field)."""
    name = clip(str(path))
    try:
        handle = open(path, encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise TraceError(f"{name}: cannot read trace: {exc.strerror or exc}") from None
    digest = hashlib.sha256()
    counts = {"input": 0, "event": 0}
    first: dict[str, Any] | None = None
    footer: dict[str, Any] | None = None
    header: tuple[Scenario, Build] | TraceError | None = None
    check: BodyCheck | None = None
    problem: TraceError | None = None
    lines = 0
    with handle:
        try:
            for number, text in enumerate(read_lines(handle, MAX_LINE), start=1):
                if footer is not None:
                    raise TraceError(f"{name}:{number}: corrupt trace: lines after the footer")
                if not text.endswith("\n"):
                    raise TraceError(
                        f"{name}:{number}: truncated trace: the last line is incomplete"
                    )
                if number == 1:
                    first = _check_header(name, _parse(name, 1, text))
                    header = _header_scenario(name, first)
                    if not isinstance(header, TraceError):
                        check = BodyCheck(name, header[0])
                    digest.update(text.encode("utf-8"))
                    lines = 1
                    continue
                obj: dict[str, Any] | None = None
                try:
                    obj = _parse(name, number, text)
                except TraceError as exc:
                    problem = problem or exc
                if obj is not None and obj["kind"] == "footer":
                    footer = obj
                    continue
                digest.update(text.encode("utf-8"))
                lines += 1
                if obj is None:
                    continue
                if check is not None and problem is None:
                    try:
                        counts[check.line(number, obj, text[:-1])] += 1
                    except TraceError as exc:
                        problem = exc
                elif isinstance(obj["kind"], str) and obj["kind"] in counts:
                    counts[obj["kind"]] += 1
        except UnicodeDecodeError:
            raise TraceError(f"{name}: corrupt trace: not UTF-8 text") from None
        except InputError as exc:
            raise TraceError(f"{name}: corrupt trace: {exc}") from None
    if first is None or header is None:
        raise TraceError(f"{name}: truncated trace: the file is empty")
    if footer is None:
        raise TraceError(f"{name}: truncated trace: no footer line (the run or the copy was cut)")
    if footer.get("sha256") != digest.hexdigest():
        raise TraceError(
            f"{name}: corrupt trace: the digest does not match (the file was damaged or edited)"
        )
    if isinstance(header, TraceError):
        raise header
    if problem is not None:
        raise problem
    for key, found in (("lines", lines), ("inputs", counts["input"]), ("events", counts["event"])):
        said = footer.get(key)
        if said != found or isinstance(said, bool):
            raise TraceError(
                f"{name}: corrupt trace: the footer counts {quote(said, 40)} {key} but the "
                f"file has {found}"
            )
    assert check is not None
    check.finish()
    scenario, build = header
    return TraceInfo(
        name,
        scenario,
        build,
        clip(str(first.get("tool")), 100),
        lines,
        counts["input"],
        counts["event"],
        first.get("model", 1),
    )


def _header_scenario(name: str, first: dict[str, Any]) -> tuple[Scenario, Build] | TraceError:
    """The header's scenario and build, checked against each other (or the error, which
    :func:`verify` reports after the digest)."""
    where = f"{name}:1: corrupt trace header"
    try:
        scenario = scenario_from_dict(first["scenario"], "scenario")
    except ScenarioError as exc:
        problem = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        key = f"scenario.{problem.key}" if problem.key else "scenario"
        return TraceError(f"{where}: {key}: {problem.message}{more}")
    # The digest of the scenario as the header holds it, not as this mtasim would write it: a
    # trace of an older model whose scenario lacks a newer key still reads.
    if digest_of(first["scenario"]) != first["scenario_digest"]:
        return TraceError(f"{where}: the scenario digest does not match")
    raw = first["build"]
    try:
        build = resolve_build(raw) if isinstance(raw, str) and len(raw) <= 40 else None
    except BuildError:
        build = None
    if build is None or build.version != scenario.build:
        return TraceError(
            f"{where}: build {quote(raw, 40)} is not the scenario's build {scenario.build}"
        )
    if first.get("seed") != scenario.seed or isinstance(first.get("seed"), bool):
        return TraceError(
            f"{where}: seed {quote(first.get('seed'), 40)} is not the scenario's seed "
            f"{scenario.seed}"
        )
    if not isinstance(first.get("tool"), str):
        return TraceError(f"{where}: field 'tool': found {quote(first.get('tool'), 40)}")
    return scenario, build


def _check_header(name: str, obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("kind") != "header" or obj.get("format") != FORMAT:
        raise TraceError(f"{name}:1: not an mtasim trace (no header line)")
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise TraceError(f"{name}:1: corrupt trace header: no format version")
    if version > VERSION:
        raise TraceError(
            f"{name}:1: trace format version {quote(version, 40)} is newer than this mtasim "
            f"({__version__}) reads (version {VERSION}); upgrade mtasim"
        )
    if version < 1:
        raise TraceError(f"{name}:1: corrupt trace header: format version {version}")
    model = obj.get("model", 1)  # mtasim 0.1 wrote no model version: model 1
    if not isinstance(model, int) or isinstance(model, bool) or model < 1:
        raise TraceError(f"{name}:1: corrupt trace header: model version {quote(model, 40)}")
    if model > MODEL_VERSION:
        raise TraceError(
            f"{name}:1: recorded under model {model}, newer than this mtasim ({__version__}) "
            f"runs (model {MODEL_VERSION}); upgrade mtasim"
        )
    for key in ("scenario", "build", "scenario_digest"):
        if key not in obj:
            raise TraceError(f"{name}:1: corrupt trace header: no {key!r}")
    return obj


def body_lines(path: str | Path) -> Iterator[str]:
    """The input and event lines of a verified trace, as text without newlines."""
    with open(path, encoding="utf-8", newline="") as handle:
        lines = read_lines(handle, MAX_LINE)
        next(lines, None)
        for text in lines:
            if text.startswith('{"kind":"footer"'):
                return
            yield text.rstrip("\n")


def _body_object(path: str | Path, text: str) -> dict[str, Any]:
    try:
        obj = load_json(text)
    except InputError as exc:  # only if the file changed since it was verified
        raise TraceError(f"{clip(str(path))}: corrupt trace: {exc}") from None
    if not isinstance(obj, dict):
        raise TraceError(f"{clip(str(path))}: corrupt trace: not a trace line")
    return obj


def recorded_arrivals(path: str | Path) -> Iterator[ConnSpec]:
    """The connections of a verified trace, as the run drew them (lazily)."""
    arrival = Kind.ARRIVAL.label
    for text in body_lines(path):
        if not text.startswith('{"kind":"input"'):
            continue
        obj = _body_object(path, text)
        if obj["input"] != arrival or obj.get("external"):
            continue
        yield _spec(obj)


def _spec(obj: dict[str, Any]) -> ConnSpec:
    return ConnSpec(
        conn=obj["conn"],
        arrival=obj["us"],
        service=obj["service"],
        hold=obj["hold"],
        give_up=obj["give_up"],
        latency=obj["latency"],
        data_units=obj["data_units"],
        reset=obj["reset"],
        peer=obj["peer"],
    )


#: Keys of an input line that are not part of an external input's detail.
_FIXED_KEYS = frozenset({"kind", "us", "t", "input", "conn", "external", "dropped"})


def recorded_externals(path: str | Path) -> Iterator[External]:
    """The external inputs of a verified trace (a live session's real peers), in file order.

    An arrival comes back with its connection's spec; data and closes with the detail they
    were recorded with (everything but the fixed keys, in order)."""
    for text in body_lines(path):
        if not text.startswith('{"kind":"input"') or '"external":true' not in text:
            continue
        obj = _body_object(path, text)
        if obj.get("external") is not True:
            continue
        kind = Kind[str(obj["input"]).upper()]
        if kind is Kind.ARRIVAL:
            yield External(obj["us"], kind, obj["conn"], _spec(obj))
        else:
            detail = tuple((k, v) for k, v in obj.items() if k not in _FIXED_KEYS)
            yield External(obj["us"], kind, obj["conn"], None, detail)
