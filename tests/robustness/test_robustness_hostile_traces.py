"""Hostile traces: a trace edited with its digests recomputed, damaged, deep, huge or not a
trace at all is one line naming the file, the line and the field, exit 2; never a traceback.
Every trace mtasim writes still replays (replay --check exits 0)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.app._run import run
from sim.app._trace import verify
from sim.cli import main
from sim.strategies import scenarios


def record(tmp_path: Path, scenario: str = "kb319936", name: str = "t.jsonl") -> Path:
    path = tmp_path / name
    run(scenario, record=path, keep=False)
    return path


def redigest(lines: list[str], header: bool = True) -> list[str]:
    """Recompute the header's scenario digest (``header``) and the footer (counts and
    SHA-256): what a forger who knows the format does."""
    body = list(lines[:-1])
    if header:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            head = json.loads(body[0])
            canonical = json.dumps(head["scenario"], sort_keys=True, separators=(",", ":"))
            head["scenario_digest"] = hashlib.sha256(canonical.encode()).hexdigest()
            body[0] = json.dumps(head, ensure_ascii=False, separators=(",", ":")) + "\n"
    footer = {
        "kind": "footer",
        "lines": len(body),
        "inputs": sum(line.startswith('{"kind":"input"') for line in body),
        "events": sum(line.startswith('{"kind":"event"') for line in body),
        "sha256": hashlib.sha256("".join(body).encode()).hexdigest(),
    }
    return [*body, json.dumps(footer, separators=(",", ":")) + "\n"]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def refused(path: Path) -> str:
    """The one line ``replay --check`` prints for a refused trace (exit 2, nothing on stdout)."""
    code, out, err = cli("replay", str(path), "--check", "-q")
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.removeprefix("mtasim replay: ").rstrip("\n")


def edited(tmp_path: Path, edit, scenario: str = "kb319936") -> Path:
    path = record(tmp_path, scenario)
    lines = path.read_text().splitlines(keepends=True)
    lines = edit(lines)
    path.write_text("".join(redigest(lines)))
    return path


def sub(line: str, old: str, new: str) -> str:
    assert old in line, (old, line)
    return line.replace(old, new, 1)


# kb319936's trace: 1 header, 2 arrival, 3 accept, 4 response_timeout, 5 and 6 events,
# 7 ok_ready, 8 footer.
BODY_EDITS = [
    (1, lambda s: '{"kind":[1]}\n', "corrupt trace: unknown line kind [1]"),
    (1, lambda s: sub(s, '"service":30000000', '"service":"x"'), "field 'service': found 'x'"),
    (1, lambda s: sub(s, '"service":30000000', '"service":-1'), "field 'service': found -1"),
    (1, lambda s: sub(s, ',"latency":0', ""), "field 'latency': missing"),
    (1, lambda s: sub(s, '"reset":false', '"reset":0'), "field 'reset': found 0"),
    (1, lambda s: sub(s, '"reset":false', '"reset":false,"x":1'), "unknown field 'x'"),
    (1, lambda s: sub(s, '"conn":0', '"conn":1'), "connection 1 arrives as number 0"),
    (1, lambda s: sub(s, '"t":0.0', '"t":0.5'), "field 't': found 0.5; expected 0.0"),
    (1, lambda s: sub(s, '"t":0.0', '"t":0'), "field 't': found 0; expected 0.0"),
    (1, lambda s: sub(s, '"peer":"remote-mta"', '"peer":"other"'), "peer 'other' is not a group"),
    (1, lambda s: sub(s, '"hold":5000000', '"hold":6000000'), "not those of peer group"),
    (1, lambda s: sub(s, '"service":30000000', '"service":30000001'), "longer than the header's"),
    (1, lambda s: sub(s, '"input":"arrival"', '"input":"arrive"'), "field 'input': found 'arrive'"),
    (2, lambda s: sub(s, '"cb":12', '"cb":20'), "control block 20: the header's MTA has 20"),
    (2, lambda s: sub(s, '"cb":12', '"cb":"12"'), "field 'cb': found '12'"),
    (2, lambda s: sub(s, '"conn":0', '"conn":3'), "connection 3 has not arrived"),
    (4, lambda s: sub(s, '"lpi":"1-15-12"', '"lpi":5'), "field 'lpi': found 5"),
    (4, lambda s: sub(s, '"event_id":4258', '"event_id":"4258"'), "field 'event_id': found '4258'"),
    (4, lambda s: sub(s, '"event_id":4258', '"event_id":9298'), "event 9298 is not one the model"),
    (4, lambda s: sub(s, '"severity":8', '"severity":9'), "field 'severity': found 9; expected 8"),
    (4, lambda s: sub(s, "14:43:50", "14:43:51"), "is not the header's epoch plus 21000000 µs"),
    (
        4,
        lambda s: sub(s, '"cb":12', '"cb":' + "9" * 50),
        "field 'cb': found <an integer of 50 digits>",
    ),
    (4, lambda s: sub(s, '"cb":12', '"cb":' + "9" * 5000), "field 'cb': an integer of 5,000 dig"),
    (4, lambda s: sub(s, '"t":21.0', '"t":1e400'), "field 't': the number 1e400 is too large"),
    (4, lambda s: sub(s, '"t":21.0', '"t":NaN'), "field 't': NaN is not a JSON number"),
    (6, lambda s: sub(s, '"worker":0', '"worker":4'), "worker 4: the header's MTA has 4 kernel"),
    (6, lambda s: "[" * 100_000 + "]" * 100_000 + "\n", "nested more than 32 levels deep"),
    (6, lambda s: '{"kind":"input","x":"' + "y" * 3_000_000 + '"}\n', "field 'us': found None"),
    (6, lambda s: "not json\n", "corrupt trace: not JSON (Expecting value at column 1)"),
]


@pytest.mark.parametrize(("index", "edit", "message"), BODY_EDITS)
def test_an_edited_body_line_with_recomputed_digests_is_one_line(tmp_path, index, edit, message):
    def change(lines: list[str]) -> list[str]:
        lines[index] = edit(lines[index])
        return lines

    path = edited(tmp_path, change)
    line = refused(path)
    assert line.startswith(f"{path}:{index + 1}: corrupt trace: "), line
    assert message in line, line
    assert len(line) < len(str(path)) + 300


def test_time_that_goes_back_is_refused(tmp_path):
    def change(lines: list[str]) -> list[str]:
        lines[3] = sub(lines[3], '"us":21000000,"t":21.0', '"us":22000000,"t":22.0')
        return lines

    path = edited(tmp_path, change)
    assert (
        refused(path) == f"{path}:5: corrupt trace: time goes back: 21000000 µs after 22000000 µs"
    )


HEADER_EDITS = [
    (
        lambda h: h["scenario"]["peers"][0].update(count=5),
        "the header's scenario has 5 connections in peer group 'burst' but the body has 300",
    ),
    (lambda h: h.update(seed=1), ":1: corrupt trace header: seed 1 is not the scenario's seed"),
    (lambda h: h.update(build="post-fix"), ":1: corrupt trace header: build 'post-fix' is not"),
    (
        lambda h: h["scenario"]["mta"].update(threads=1),
        ": corrupt trace: worker 1: the header's MTA has 1 kernel threads",
    ),
    (
        lambda h: h["scenario"].update(epoch="2002-02-26T14:43:30"),
        "is not the header's epoch plus",
    ),
    (
        lambda h: h["scenario"].update(epoch="9999-12-31T23:59:00"),
        ":1: corrupt trace header: scenario.epoch: the run can reach",
    ),
    (
        lambda h: h["scenario"]["peers"][0].update(count="many"),
        ":1: corrupt trace header: scenario.peers[0].count: found string 'many'; expected",
    ),
    (
        lambda h: h["scenario"].update(seed=2**63),
        ":1: corrupt trace header: scenario.seed: found integer 9223372036854775808; expected an "
        "integer >= 0 and <= 9223372036854775807",
    ),
]


@pytest.mark.parametrize(("edit", "message"), HEADER_EDITS)
def test_a_header_that_disagrees_with_its_body_is_refused_with_recomputed_digests(
    tmp_path, edit, message
):
    def change(lines: list[str]) -> list[str]:
        header = json.loads(lines[0])
        edit(header)
        lines[0] = json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n"
        return lines

    path = edited(tmp_path, change, "heavy-load")
    line = refused(path)
    assert line.startswith(str(path))
    assert message in line, line


def test_a_damaged_trace_says_damaged_before_any_line_problem(tmp_path):
    path = record(tmp_path)
    text = path.read_text()
    path.write_text(text.replace('"service":30000000', '"service":"x"'))
    assert refused(path) == (
        f"{path}: corrupt trace: the digest does not match (the file was damaged or edited)"
    )


def test_a_footer_that_miscounts_is_refused(tmp_path):
    path = record(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    lines[-1] = sub(lines[-1], '"events":2', '"events":3')
    path.write_text("".join(lines))
    assert refused(path) == f"{path}: corrupt trace: the footer counts 3 events but the file has 2"
    lines[-1] = sub(lines[-1], '"events":3', '"events":true')
    path.write_text("".join(lines))
    assert "the footer counts True events" in refused(path)


def test_a_trace_of_a_scenario_named_inf_replays(tmp_path):
    # "inf" came back as a float for every key, so such a trace could not be replayed.
    path = tmp_path / "inf.jsonl"
    scenario = sim.parse_scenario(
        'name = "inf"\n[mta]\ncomputer = "inf"\n[[peers]]\nname = "inf"\n'
    )
    run(scenario, record=path, keep=False)
    assert verify(path).scenario.name == "inf"
    assert cli("replay", str(path), "--check", "-q")[0] == 0


def test_dev_zero_as_a_trace_is_read_with_a_cap():
    line = refused(Path("/dev/zero"))
    assert line == "/dev/zero: corrupt trace: line 1: longer than 16,777,216 characters"


def test_a_not_utf8_trace_and_a_directory_are_one_line(tmp_path):
    path = tmp_path / "bin.jsonl"
    path.write_bytes(b"\xff\xfe\n")
    assert refused(path) == f"{path}: corrupt trace: not UTF-8 text"
    assert refused(tmp_path).startswith(f"{tmp_path}: cannot read trace: ")


# -- traces mtasim writes --------------------------------------------------------------------
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scenarios(max_connections=12),
    st.sampled_from(list(sim.BUILDS)),
    st.sampled_from(["trio", "batch"]),
)
def test_every_trace_mtasim_writes_replays_identically(tmp_path_factory, scenario, build, driver):
    path = tmp_path_factory.mktemp("w") / "t.jsonl"
    run(scenario, build, driver=driver, record=path, keep=False)
    info = verify(path)
    assert info.scenario.digest() == scenario.with_build(build).digest()
    code, _, err = cli("replay", str(path), "--check", "-q", "--driver", driver)
    assert code == 0, err


# -- mutations of a real trace ---------------------------------------------------------------
mutations = st.one_of(
    st.tuples(st.just("byte"), st.integers(0, 10**6), st.characters(codec="utf-8")),
    st.tuples(
        st.just("number"),
        st.integers(0, 10**6),
        st.sampled_from(
            ["-1", "0", "1e400", "1.5", "true", "null", '"x"', "[]", "{}", "9" * 30, "9" * 200]
        ),
    ),
    st.tuples(st.just("drop-key"), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("swap"), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("duplicate"), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.just("")),
)


def mutate(lines: list[str], how: str, where: int, what: str) -> list[str]:
    lines = list(lines)
    body = len(lines) - 1  # the footer is recomputed
    i = where % body
    if how == "byte":
        line = lines[i]
        k = where % (len(line) - 1)
        lines[i] = line[:k] + what.replace("\n", " ") + line[k + 1 :]
    elif how == "number":
        numbers = list(re.finditer(r"(?<=:)-?[0-9][0-9.e+]*", lines[i]))
        if numbers:
            m = numbers[where % len(numbers)]
            lines[i] = lines[i][: m.start()] + what + lines[i][m.end() :]
    elif how == "drop-key":
        lines[i] = re.sub(r',"[a-z_]+":[^,{}]*(?=[,}])', "", lines[i], count=1)
    elif how == "swap" and i + 1 < body:
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    elif how == "duplicate":
        lines.insert(i, lines[i])
    elif how == "delete" and body > 1:
        del lines[i]
    return lines


@pytest.fixture(scope="module")
def real_trace(tmp_path_factory) -> list[str]:
    path = tmp_path_factory.mktemp("real") / "t.jsonl"
    scenario = sim.load_scenario("heavy-load", ("peers.0.count=6",))
    run(scenario, record=path, keep=False)
    return path.read_text().splitlines(keepends=True)


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mutations, min_size=1, max_size=3), st.booleans())
def test_mutated_traces_exit_0_1_or_2_with_one_line(tmp_path_factory, real_trace, edits, header):
    lines = real_trace
    for how, where, what in edits:
        lines = mutate(lines, how, where, what)
    lines = redigest(lines, header)
    path = tmp_path_factory.mktemp("m") / "t.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    code, _, err = cli("replay", str(path), "--check", "-q")
    assert code in (0, 1, 2)
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert len(err) < len(str(path)) + 500
