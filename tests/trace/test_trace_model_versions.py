"""Model versions in traces (sim/core/_model_versions.py, sim/app/_trace): a trace records the
model it was made under; replay --check of an older one says so in one line (exit 2) instead of
reporting a mismatch; a plain replay runs it under this model and says so."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

import sim
from sim.app._run import run
from sim.app._trace import TraceError, verify
from sim.cli import main
from sim.core import MODEL_DOCS, MODEL_VERSION, MODEL_VERSIONS, model_version

MODEL1 = Path(__file__).resolve().parent.parent / "golden" / "model1"


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def model1_trace(tmp_path, name: str) -> Path:
    """A trace mtasim 0.1 recorded (model 1: its header names no model)."""
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(gzip.decompress((MODEL1 / f"{name}.trace.gz").read_bytes()))
    assert '"model"' not in path.read_text().splitlines()[0]
    return path


def with_header(path: Path, edit) -> None:
    """Rewrite a trace's header and recompute its footer's digest (a consistent file)."""
    lines = path.read_text().splitlines(keepends=True)
    header = json.loads(lines[0])
    edit(header)
    lines[0] = json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n"
    footer = json.loads(lines[-1])
    footer["sha256"] = hashlib.sha256("".join(lines[:-1]).encode()).hexdigest()
    lines[-1] = json.dumps(footer, separators=(",", ":")) + "\n"
    path.write_text("".join(lines))


def test_the_versions_are_numbered_in_order_and_each_says_what_changed():
    assert [v.number for v in MODEL_VERSIONS] == list(range(1, MODEL_VERSION + 1))
    assert all(v.changes and all(c.endswith(".") for c in v.changes) for v in MODEL_VERSIONS)
    assert model_version(MODEL_VERSION) is MODEL_VERSIONS[-1]
    with pytest.raises(KeyError):
        model_version(MODEL_VERSION + 1)


def test_a_new_trace_records_this_model(tmp_path):
    path = tmp_path / "t.jsonl"
    run("kb319936", record=path, keep=False)
    assert json.loads(path.read_text().splitlines()[0])["model"] == MODEL_VERSION
    assert verify(path).model == MODEL_VERSION


def test_a_header_without_a_model_is_model_1(tmp_path):
    assert verify(model1_trace(tmp_path, "kb319936-pre-fix")).model == 1


def test_check_of_an_older_model_whose_outcome_changed_says_so_in_one_line(capsys, tmp_path):
    path = model1_trace(tmp_path, "ties-pre-fix")
    code, out, err = cli(capsys, "replay", path, "--check", "--quiet")
    assert (code, out) == (2, "")
    assert err == (
        f"replay: {path} was recorded under model 1; replayed under model {MODEL_VERSION} "
        f"({MODEL_DOCS} says what changed)\n"
        f"mtasim replay: {path}: recorded under model 1, this mtasim runs model "
        f"{MODEL_VERSION}, and the outcome changed from line 5 on ({MODEL_DOCS} says what "
        f"changed); replay without --check to see what model {MODEL_VERSION} does, or record "
        "it again\n"
    )


def test_check_of_an_older_model_that_this_model_reproduces_passes(capsys, tmp_path):
    # The KB case is the same under every model (mtasim 0.1.0's traces of it still check).
    path = model1_trace(tmp_path, "kb319936-pre-fix")
    code, out, err = cli(capsys, "replay", path, "--check", "--quiet")
    assert (code, out) == (0, "")
    assert err.splitlines()[-1] == (
        "replay: identical to the recording (6 lines: 4 inputs, 2 events) on "
        "5.5.2653.23 (Exchange 5.5 SP4)"
    )


def test_a_plain_replay_of_an_older_model_runs_it_under_this_one(capsys, tmp_path):
    # The KB case is the same under every model: its replay is identical to the recording.
    path = model1_trace(tmp_path, "kb319936-pre-fix")
    code, out, err = cli(capsys, "replay", path)
    assert code == 0
    assert out == sim.render_events(sim.run("kb319936").events)
    assert err.splitlines() == [
        f"replay: {path} was recorded under model 1; replayed under model {MODEL_VERSION} "
        f"({MODEL_DOCS} says what changed)",
        "replay: identical to the recording (6 lines: 4 inputs, 2 events) on "
        "5.5.2653.23 (Exchange 5.5 SP4)",
    ]


def test_an_older_trace_whose_outcome_changed_replays_to_the_new_outcome(capsys, tmp_path):
    # A connection that waited 1 s or more to be accepted: under model 1 its timer ran from
    # its arrival; from model 2 on from its accept. The replay shows this model's events.
    path = model1_trace(tmp_path, "ties-pre-fix")
    again = tmp_path / "again.jsonl"
    code, _, err = cli(capsys, "replay", path, "--quiet", "--record", again)
    assert code == 0
    assert f"recorded under model 1; replayed under model {MODEL_VERSION}" in err
    assert "differs from the recording at line" in err
    assert verify(again).model == MODEL_VERSION
    assert verify(again).events == 12 and verify(path).events == 9


def test_a_newer_model_is_refused_with_upgrade_advice(capsys, tmp_path):
    path = tmp_path / "t.jsonl"
    run("kb319936", record=path, keep=False)
    with_header(path, lambda h: h.update(model=MODEL_VERSION + 1))
    code, out, err = cli(capsys, "replay", path)
    assert (code, out) == (2, "")
    assert err == (
        f"mtasim replay: {path}:1: recorded under model {MODEL_VERSION + 1}, newer than this "
        f"mtasim ({sim.__version__}) runs (model {MODEL_VERSION}); upgrade mtasim\n"
    )


@pytest.mark.parametrize("bad", [0, -1, "2", True, None, 2.0])
def test_a_model_that_is_not_a_positive_integer_is_a_corrupt_header(tmp_path, bad):
    path = tmp_path / "t.jsonl"
    run("kb319936", record=path, keep=False)
    with_header(path, lambda h: h.update(model=bad))
    with pytest.raises(TraceError, match=r":1: corrupt trace header: model version "):
        verify(path)


def test_the_digest_is_of_the_header_as_written(tmp_path):
    # A trace of an older mtasim whose scenario lacks a key a newer one writes still reads:
    # its digest is of the scenario it holds, and the missing key takes its default.
    path = tmp_path / "t.jsonl"
    run("kb319936", record=path, keep=False)

    def drop_computer(header):
        del header["scenario"]["mta"]["computer"]
        canonical = json.dumps(header["scenario"], sort_keys=True, separators=(",", ":"))
        header["scenario_digest"] = hashlib.sha256(canonical.encode()).hexdigest()

    with_header(path, drop_computer)
    info = verify(path)
    assert info.scenario.mta.computer == "EXCHANGE1"
    assert info.scenario.digest() != json.loads(path.read_text().splitlines()[0])["scenario_digest"]
