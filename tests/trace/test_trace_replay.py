"""Traces: written atomically, verified on reading, replayed byte for byte."""

from __future__ import annotations

import hashlib
import json

import pytest

import sim
from sim.app._run import replay, run
from sim.app._trace import TraceError, verify
from sim.cli import main


def record(tmp_path, scenario="heavy-load", build=None, name="t.jsonl"):
    path = tmp_path / name
    run(scenario, build, record=path, keep=False)
    return path


def refoot(lines: list[str]) -> list[str]:
    """Recompute the footer of edited trace lines (a 'consistent' forgery)."""
    body = lines[:-1]
    footer = json.loads(lines[-1])
    footer["sha256"] = hashlib.sha256("".join(body).encode()).hexdigest()
    return [*body, json.dumps(footer, separators=(",", ":")) + "\n"]


def test_trace_layout(tmp_path):
    path = record(tmp_path, "kb319936")
    lines = path.read_text().splitlines()
    header, *body, footer = (json.loads(line) for line in lines)
    assert header["kind"] == "header"
    assert header["format"] == "mtasim-trace"
    assert header["version"] == 1
    assert header["model"] == sim.MODEL_VERSION == 4
    assert header["build"] == "5.5.2653.23"
    assert header["seed"] == 0
    assert header["scenario"]["mta"]["ok_delay"] == 30.0
    assert header["scenario_digest"] == sim.load_scenario().digest()
    assert [(b["kind"], b.get("input", b.get("event_id")), b["us"]) for b in body] == [
        ("input", "arrival", 0),
        ("input", "accept", 0),
        ("input", "response_timeout", 21_000_000),
        ("event", 4258, 21_000_000),
        ("event", 4283, 21_000_000),
        ("input", "ok_ready", 30_000_000),
    ]
    assert body[0]["service"] == 30_000_000
    assert footer == {
        "kind": "footer",
        "lines": 7,
        "inputs": 4,
        "events": 2,
        "sha256": hashlib.sha256(("\n".join(lines[:-1]) + "\n").encode()).hexdigest(),
    }


@pytest.mark.parametrize("driver", ["trio", "batch"])
def test_replay_reproduces_the_recording_byte_for_byte(tmp_path, driver):
    path = record(tmp_path)
    again = tmp_path / "again.jsonl"
    replay(path, driver=driver, record=again, keep=False)
    assert again.read_bytes() == path.read_bytes()


def test_replay_on_another_build_uses_identical_inputs(tmp_path):
    path = record(tmp_path)
    post = replay(path, "post-fix")
    direct = run("heavy-load", "post-fix")
    assert post.events == direct.events
    assert post.summary.count(4283) == 0
    assert [r for r in post.records if r.kind is sim.Kind.ARRIVAL] == [
        r for r in direct.records if r.kind is sim.Kind.ARRIVAL
    ]


def test_truncated_trace_is_refused(tmp_path):
    path = record(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]))
    with pytest.raises(TraceError, match="truncated trace: no footer line"):
        verify(path)
    path.write_text("".join(lines)[:-30])
    with pytest.raises(TraceError, match="truncated trace: the last line is incomplete"):
        verify(path)


def test_one_edited_byte_is_detected(tmp_path):
    path = record(tmp_path)
    data = bytearray(path.read_bytes())
    spot = data.index(b'"us":', len(data) // 2) + 5
    data[spot] = ord("9") if data[spot] != ord("9") else ord("8")
    path.write_bytes(bytes(data))
    with pytest.raises(TraceError, match="corrupt trace"):
        verify(path)


def test_newer_format_is_refused(tmp_path):
    path = record(tmp_path, "kb319936")
    lines = path.read_text().splitlines(keepends=True)
    lines[0] = lines[0].replace('"version":1', '"version":2')
    path.write_text("".join(refoot(lines)))
    with pytest.raises(TraceError, match="format version 2 is newer"):
        verify(path)


def test_not_a_trace(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n')
    with pytest.raises(TraceError, match="not an mtasim trace"):
        verify(path)
    path.write_text("")
    with pytest.raises(TraceError, match="empty"):
        verify(path)
    with pytest.raises(TraceError, match="cannot read trace"):
        verify(tmp_path / "missing.jsonl")


def test_interrupted_recording_leaves_no_file(tmp_path):
    target = tmp_path / "t.jsonl"

    def boom(event):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run("heavy-load", record=target, on_event=boom, keep=False)
    assert list(tmp_path.iterdir()) == []


# -- the command ----------------------------------------------------------------------------
def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_record_then_replay_check(capsys, tmp_path):
    trace = tmp_path / "t.jsonl"
    code, out, _ = cli(capsys, "run", "heavy-load", "--record", str(trace))
    assert code == 0
    assert "4283" in out
    code, replayed, err = cli(capsys, "replay", str(trace), "--check")
    assert code == 0
    assert replayed == out
    assert err.startswith(
        "replay: identical to the recording (1800 lines: 1207 inputs, 593 events)"
    )


def test_replay_on_post_fix_shows_no_4283(capsys, tmp_path):
    trace = record(tmp_path)
    code, out, err = cli(capsys, "replay", str(trace), "--build", "post-fix")
    assert code == 0
    assert "NMI4283" not in out
    assert out.count("NMI4258") == 300
    assert "4283 x0" in err


def test_check_names_the_first_differing_line(capsys, tmp_path):
    trace = record(tmp_path, "kb319936")
    lines = trace.read_text().splitlines(keepends=True)
    # A consistent forgery: the connection accepted on control block 13 (the events still say
    # 12), footer recomputed. Every line agrees with the header; the model disagrees.
    lines[2] = lines[2].replace('"cb":12', '"cb":13')
    trace.write_text("".join(refoot(lines)))
    code, _, err = cli(capsys, "replay", str(trace), "--check", "-q")
    assert code == 1
    assert err.startswith("replay: differs from the recording at line 3: expected ")
    code, _, _ = cli(capsys, "replay", str(trace), "-q")
    assert code == 0


def test_check_on_another_build_is_a_usage_error(capsys, tmp_path):
    trace = record(tmp_path, "kb319936")
    code, _, err = cli(capsys, "replay", str(trace), "--check", "--build", "post-fix")
    assert code == 2
    assert "--check compares with the recorded build" in err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: lines[:-1], "truncated trace"),
        (lambda lines: [lines[0], lines[2], lines[1], *lines[3:]], "corrupt trace"),
    ],
)
def test_replay_refuses_damaged_traces_with_exit_2(capsys, tmp_path, edit, message):
    trace = record(tmp_path, "kb319936")
    trace.write_text("".join(edit(trace.read_text().splitlines(keepends=True))))
    code, out, err = cli(capsys, "replay", str(trace))
    assert (code, out) == (2, "")
    assert message in err
    assert err.count("\n") == 1
