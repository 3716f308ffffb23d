"""Hostile logs for ``mtasim convert``: one line naming the file and the line, exit 2; the
parsers raise nothing but ParseError, whatever the text."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.render import ParseError, ev0_block, eventviewer_block, jsonl_line, parse

EPOCH = datetime(2002, 2, 26, 14, 43, 29)


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def refused(*argv: str) -> str:
    code, out, err = cli("convert", *argv)
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.removeprefix("mtasim convert: ").rstrip("\n")


@pytest.fixture(scope="module")
def kb_events() -> list[sim.Event]:
    return sim.run().events


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_non_ascii_digit_is_a_parse_error(tmp_path, kb_events):
    text = ev0_block(kb_events[0]).replace("cb 12", "cb ²")
    path = write(tmp_path, "sup.ev0", text)
    assert refused(path) == f"{path}: line 5: expected a number from 0 to 4294967295, found '²'"
    viewer = eventviewer_block(kb_events[0]).replace("Event ID:\t4258", "Event ID:\t²")
    assert refused(write(tmp_path, "sup.txt", viewer), "--strict").endswith(
        "line 1: event ² is not one the model knows"
    )
    arabic = ev0_block(kb_events[0]).replace("cb 12", "cb ١٢")
    assert "found '١٢'" in refused(write(tmp_path, "ar.ev0", arabic))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"t": 21.0', '"t": 1e400', "line 1: field 't': the number 1e400 is too large for a float"),
        ('"lpi": "1-15-12"', '"lpi": 5', "line 1: field 'lpi': found 5; expected an LPI"),
        ('"lpi": "1-15-12"', '"lpi": "1-15-' + "9" * 500 + '"', "line 1: field 'lpi': found"),
        ('"lpi": "1-15-12"', '"lpi": "1-15-' + "9" * 11 + '"', "line 1: not an LPI"),
        (
            '"cb": 12',
            '"cb": ' + "9" * 5000,
            "line 1: field 'cb': an integer of 5,000 digits (more than any field holds)",
        ),
        ('"cb": 12', '"cb": ' + "9" * 20, "line 1: field 'cb': found 99999999999999999999;"),
        ('"cb": 12', '"cb": true', "line 1: field 'cb': found True; expected an integer"),
        ('"cb": 12, ', "", "line 1: field 'cb': missing"),
        ('"event_id": 4258', '"event_id": "4258"', "line 1: field 'event_id': found '4258'"),
        (
            '"timestamp": "2002-02-26T14:43:50"',
            '"timestamp": "2002-02-26T14:43:50+01:00"',
            "line 1: field 'timestamp': found '2002-02-26T14:43:50+01:00'; expected a local",
        ),
        ('"timestamp": "2002-02-26T14:43:50"', '"timestamp": 5', "line 1: field 'timestamp'"),
    ],
)
def test_hostile_json_lines(tmp_path, kb_events, old, new, message):
    line = jsonl_line(kb_events[0])
    assert old in line
    path = write(tmp_path, "e.jsonl", line.replace(old, new))
    found = refused(path)
    assert found.startswith(f"{path}: {message}"), found
    assert len(found) < len(path) + 250


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 5000 + "1" + "}" * 5000])
def test_deep_json_is_refused_before_json_recurses(tmp_path, text):
    path = write(tmp_path, "deep.jsonl", text + "\n")
    assert refused(path, "--from", "jsonl") == f"{path}: line 1: nested more than 32 levels deep"


def test_an_epoch_with_a_utc_offset_is_refused(tmp_path, kb_events):
    path = write(tmp_path, "kb.ev0", "\n".join(ev0_block(e) for e in kb_events))
    assert refused(path, "--epoch", "2002-02-26T14:43:29+01:00") == (
        "--epoch: '2002-02-26T14:43:29+01:00' has a UTC offset; expected a local date-time, "
        "like the timestamps the MTA prints"
    )
    with pytest.raises(ParseError, match="has a UTC offset"):
        parse(ev0_block(kb_events[0]), "ev0", datetime.fromisoformat("2002-02-26T14:43:29+01:00"))


def test_dev_zero_is_read_with_a_cap():
    # In process, through the command: the read stops after the cap (1 Mi characters).
    assert refused("/dev/zero") == "/dev/zero: line 1: longer than 1,048,576 characters"


def test_stdin_is_read_with_the_same_cap(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("x" * (2 << 20)))
    assert refused("-") == "-: line 1: longer than 1,048,576 characters"


def test_a_long_line_is_quoted_in_at_most_about_200_characters(tmp_path):
    path = write(tmp_path, "long.ev0", "message " + "x" * 1_000_000 + "\n")
    found = refused(path)
    assert found.startswith(f"{path}: line 1: not an EV0 event title: 'message xxx")
    assert found.endswith("... (1,000,008 characters)")
    assert len(found) < len(path) + 300
    path = write(tmp_path, "junk.ev0", "junk " * 200_000 + "\n")
    assert len(refused(path, "--from", "ev0")) < len(path) + 300


def test_a_huge_event_number_in_ev0(tmp_path, kb_events):
    text = ev0_block(kb_events[0]).replace("NMI4258", "NMI" + "9" * 5000)
    found = refused(write(tmp_path, "n.ev0", text))
    assert "line 1: expected a number from 0 to 4294967295, found '9999" in found
    assert len(found) < 400


# -- anything at all -------------------------------------------------------------------------
def real_text(events: list[sim.Event]) -> st.SearchStrategy[str]:
    forms = [
        "\n".join(ev0_block(e) for e in events),
        "\n".join(eventviewer_block(e) for e in events),
        "".join(jsonl_line(e) for e in events),
    ]
    return st.sampled_from(forms)


@st.composite
def mangled(draw: st.DrawFn) -> str:
    """A real log with a few characters replaced by anything (digits of other scripts, line
    ends, brackets)."""
    text = draw(real_text(sim.run().events))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + draw(st.text(min_size=0, max_size=3)) + text[i + 1 :]
    return text


@given(
    st.one_of(st.text(max_size=300), mangled()),
    st.sampled_from(["auto", "ev0", "eventviewer", "jsonl"]),
    st.sampled_from([None, EPOCH]),
    st.booleans(),
)
def test_any_text_is_events_or_a_parse_error(text, fmt, epoch, strict):
    with contextlib.suppress(ParseError):
        parse(text, fmt, epoch, strict=strict)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@given(st.sampled_from(list(json.loads(jsonl_line(sim.run().events[1])))), json_values)
def test_any_json_field_value_is_an_event_or_a_parse_error(key, value):
    obj = json.loads(jsonl_line(sim.run().events[1]))
    obj[key] = value
    with contextlib.suppress(ParseError):
        parse(json.dumps(obj) + "\n", "jsonl")
