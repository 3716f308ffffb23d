"""Logs as Windows writes them, read by ``mtasim convert``: nothing the log holds is replaced
by a default; encodings, line ends, Event Viewer copies and exports, ``.evt``; unknown events
kept; pieces that cannot be read skipped with a warning (or refused with --strict); bad input
one line and exit 2; a log read as a stream."""

from __future__ import annotations

import calendar
import contextlib
import importlib.util
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from evt_writer import Record, evt_bytes
from sim.cli import main
from sim.render import DATE_ORDERS, LogReader, Options, ParseError, ev0_block, render
from sim.text import InputError
from sim.text._decode import text_lines

KB = sim.run().events
UP3 = (
    "message NMI4258: Interface Event, severity 8\n\n"
    "       (POP4 POP4 UP(3) Proc 112) 02-26-02 02:43:50pm\n"
    "       Message received at NSI:\n"
    "         cb 12\n"
    "         LPI 1-15-12\n"
    "         Message type Close Request\n"
)
Q266792_COPY = (
    "Event Type:\tWarning\n"
    "Event Source:\tMSExchangeMTA\n"
    "Event Category:\tInterface \n"
    "Event ID:\t4283\n"
    "Date:\t\t2/26/2002\n"
    "Time:\t\t2:43:50 PM\n"
    "User:\t\tN/A\n"
    "Computer:\tMAILSRV02\n"
    "Description:\n"
    "Unable to recognize an internal message identifier. Internal connection\n"
    "handle (LPI) 1-15-4 Error code: 8465 [POP4 POP4 UP 6 228] (14)\n"
    "\n"
    "For more information, see Help and Support Center at "
    "http://go.microsoft.com/fwlink/events.asp.\n"
)
CSV_ROWS = (
    "26/02/02,14:43:50,MSExchangeMTA,Information,Interface,4258,N/A,MAILSRV02,A message was "
    "received at the network services interface. Control block index = 12  Internal "
    "Connection Handle (LPI) = 1-15-12  Message type = Close Request [POP4 POP4 UP 7 228] (8)\n"
    "26/02/02,14:43:51,MSExchangeMTA,Warning,Interface,4283,N/A,MAILSRV02,Unable to recognize "
    "an internal message identifier. Internal connection handle (LPI) 1-15-12 Error code: "
    "8464 [POP4 POP4 UP 7 228] (14)\n"
)


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def converted(path: Path, *options: str) -> tuple[list[dict[str, object]], str]:
    code, out, err = cli("convert", str(path), *options)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()], err


def refused(*argv: str) -> str:
    code, out, err = cli(*argv)
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.rstrip("\n")


def test_the_task_header_and_the_computer_are_the_logs(tmp_path):
    path = tmp_path / "up3.log"
    path.write_text(UP3)
    (event,), _ = converted(path)
    assert (event["instance"], event["proc"]) == (3, 112)
    assert "(POP4 POP4 UP(3) Proc 112)" in event["text"]
    assert event["description"].endswith("[POP4 POP4 UP 3 112] (8)")
    _, out, _ = cli("convert", str(path), "--to", "ev0")
    assert out == UP3
    copy = tmp_path / "copy.txt"
    copy.write_text(Q266792_COPY)
    (event,), _ = converted(copy)
    assert event["computer"] == "MAILSRV02" and event["instance"] == 6
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text(cli("convert", str(copy))[1])
    _, out, _ = cli("convert", str(jsonl), "--to", "eventviewer")
    assert "Computer:\tMAILSRV02\n" in out and "[POP4 POP4 UP 6 228] (14)" in out


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("utf-16", "\r\n"), ("utf-16-le", "\n"),
     ("utf-16-be", "\r\n")],
)  # fmt: skip
def test_encodings_and_line_ends(tmp_path, encoding, newline):
    text = render(KB, "ev0").replace("\n", newline)
    path = tmp_path / "ev0.log"
    path.write_bytes(text.encode(encoding))
    events, err = converted(path)
    assert [e["event_id"] for e in events] == [4258, 4283]
    assert err == f"mtasim convert: {path}: 2 events read\n"


def test_an_event_viewer_copy_with_its_help_line_and_a_wrapped_description(tmp_path):
    path = tmp_path / "q266792.txt"
    path.write_bytes(Q266792_COPY.replace("\n", "\r\n").encode("utf-16"))
    (event,), _ = converted(path)
    assert (event["lpi"], event["error_code"], event["cb"]) == ("1-15-4", 8465, 4)


def test_text_before_the_first_event_and_t_from_the_first_event(tmp_path):
    path = tmp_path / "notes.log"
    later = ev0_block(KB[1]).replace("02:43:50pm", "02:44:05pm")
    path.write_text("Pasted from the server on Monday:\n\n" + ev0_block(KB[0]) + "\n" + later)
    events, _ = converted(path)
    assert [e["t"] for e in events] == [0.0, 15.0]
    events, _ = converted(path, "--epoch", "2002-02-26T14:43:00")
    assert [e["t"] for e in events] == [50.0, 65.0]


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_save_as_exports_with_the_date_order(tmp_path, delimiter):
    path = tmp_path / "export.txt"
    path.write_text(CSV_ROWS.replace(",", delimiter) if delimiter == "\t" else CSV_ROWS)
    events, _ = converted(path, "--date-order", "dmy")
    assert [(e["event_id"], e["timestamp"], e["computer"]) for e in events] == [
        (4258, "2002-02-26T14:43:50", "MAILSRV02"),
        (4283, "2002-02-26T14:43:51", "MAILSRV02"),
    ]
    # Read as M/D/Y (the default), month 26 is no date: each line is skipped, named.
    assert refused("convert", str(path)).endswith(
        "line 1: bad date '26/02/02' (month must be in 1..12; dates read as M/D/Y, see "
        "--date-order)"
    )


def test_unknown_events_are_kept_and_counted(tmp_path):
    unknown = ev0_block(KB[0]).replace("NMI4258", "NMI9297")
    path = tmp_path / "u.log"
    path.write_text("\n".join([ev0_block(KB[0]), unknown, ev0_block(KB[1])]))
    events, err = converted(path)
    assert [e["event_id"] for e in events] == [4258, 9297, 4283]
    assert events[1]["known"] is False and events[1]["text"] == unknown
    assert err.endswith(f"{path}: 2 events read, 1 unknown kept (9297)\n")
    _, out, _ = cli("convert", str(path), "--to", "ev0")
    assert unknown in out
    jsonl = tmp_path / "u.jsonl"
    jsonl.write_text(cli("convert", str(path))[1])
    events, err = converted(jsonl)
    assert [e["event_id"] for e in events] == [4258, 9297, 4283]
    target = tmp_path / "out.jsonl"
    code, _, err = cli("convert", str(path), "--strict", "--output", str(target))
    assert code == 2 and err.endswith("line 9: event 9297 is not one the model knows\n")
    assert not target.exists()


def test_a_line_that_cannot_be_read_is_skipped_with_a_warning(tmp_path):
    bad = ev0_block(KB[0]).replace("cb 12", "cb twelve")
    path = tmp_path / "bad.log"
    path.write_text("\n".join([bad, ev0_block(KB[1])]))
    events, err = converted(path)
    assert [e["event_id"] for e in events] == [4283]
    assert err.splitlines() == [
        f"mtasim convert: warning: {path}: line 5: expected a number from 0 to 4294967295, "
        "found 'twelve' (skipped)",
        f"mtasim convert: {path}: 1 event read, 1 skipped",
    ]
    assert refused("convert", str(path), "--strict") == (
        f"mtasim convert: {path}: line 5: expected a number from 0 to 4294967295, found 'twelve'"
    )


# -- .evt -----------------------------------------------------------------------------------
needs_evt = pytest.mark.skipif(
    importlib.util.find_spec("pyevt") is None,
    reason="reading .evt files needs the optional evt extra (the libevt-python package), "
    "which is not installed here",
)
WHEN = calendar.timegm((2002, 2, 26, 13, 43, 50))  # 14:43:50 in Berlin


def evt_log(tmp_path: Path, records: list[Record], name: str = "mta.evt") -> Path:
    path = tmp_path / name
    path.write_bytes(evt_bytes(records))
    return path


@needs_evt
def test_an_evt_file_with_qualifier_bits_and_a_time_zone(tmp_path):
    path = evt_log(
        tmp_path,
        [
            Record(0x400010A2, WHEN, ("12", "1-15-12", "Close Request", "POP4 POP4 UP", "3", "112")),
            Record(0x800010BB, WHEN, ("1-15-12", "8464")),
            Record(0xC0002451, WHEN + 1, ("anything",)),
        ],
    )  # fmt: skip
    events, err = converted(path, "--tz", "Europe/Berlin")
    assert [(e["event_id"], e["timestamp"]) for e in events] == [
        (4258, "2002-02-26T14:43:50"),
        (4283, "2002-02-26T14:43:50"),
        (9297, "2002-02-26T14:43:51"),
    ]
    assert (events[0]["instance"], events[0]["proc"], events[0]["computer"]) == (
        3,
        112,
        "MAILSRV02",
    )
    assert events[1]["error_code"] == 8464 and events[1]["instance"] == 7
    assert err.endswith("2 events read, 1 unknown kept (9297)\n")
    events, _ = converted(path)  # without --tz: UTC, as the file holds it
    assert events[0]["timestamp"] == "2002-02-26T13:43:50"


@needs_evt
def test_an_evt_record_with_too_few_strings_is_skipped_by_its_number(tmp_path):
    path = evt_log(
        tmp_path, [Record(0x800010BB, WHEN, ("1-15-12",)), Record(0x800010BB, WHEN, ("1-15-9", "8465"))]
    )  # fmt: skip
    events, err = converted(path)
    assert [e["lpi"] for e in events] == ["1-15-9"]
    assert "record 1: event 4283 holds 1 insertion strings, expected 2 (lpi, error_code)" in err


def test_bad_binary_input_is_one_line(tmp_path):
    whole = evt_bytes([Record(0x800010BB, WHEN, ("1-15-12", "8464"))])
    truncated = tmp_path / "cut.evt"
    truncated.write_bytes(whole[:100])
    assert refused("convert", str(truncated)).startswith(f"mtasim convert: {truncated}: ")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 40)
    assert refused("convert", str(junk)).endswith("not a text event log")
    assert refused("convert", str(junk), "--from", "evt").endswith(
        "not an .evt event log (no event log file header at byte 0)"
    )
    empty = tmp_path / "empty.log"
    empty.write_text("nothing here\n")
    assert refused("convert", str(empty)).endswith(": no event found (expected EV0.LOG text, an "
                                                   "Event Viewer copy or export, JSON Lines or "
                                                   "an .evt file)")  # fmt: skip
    huge = tmp_path / "huge.log"
    with huge.open("w") as handle:
        handle.write("message NMI4258: " + "x" * (3 << 20))
    assert refused("convert", str(huge)).endswith("line 1: longer than 1,048,576 characters")


def test_a_log_is_read_as_a_stream():
    """The reader takes lines as it needs them: after the first event of an endless log, it
    has read that event's lines and one more, not the rest."""
    taken = 0

    def endless():
        nonlocal taken
        block = render(KB, "ev0").splitlines()
        while True:
            for line in block:
                taken += 1
                yield line

    events = LogReader().lines(endless())
    first = next(events)
    assert first.event_id == 4258 and taken <= 10
    for _ in range(1000):
        next(events)
    assert taken < 8 * 1000


# -- anything at all -------------------------------------------------------------------------
@st.composite
def log_lines(draw: st.DrawFn) -> list[str]:
    """Lines of a real-looking log of any form, some replaced by anything."""
    form = draw(st.sampled_from(["ev0", "eventviewer", "csv", "jsonl"]))
    text = {"ev0": render(KB, "ev0"), "eventviewer": Q266792_COPY, "csv": CSV_ROWS}.get(
        form, render(KB, "jsonl")
    )
    lines = text.splitlines()
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(st.text(max_size=40))
    return lines


@given(
    log_lines(),
    st.sampled_from(["auto", "ev0", "eventviewer", "csv", "tab", "jsonl"]),
    st.sampled_from(DATE_ORDERS),
)
def test_any_lines_are_events_or_warnings_and_strict_only_parse_errors(lines, fmt, order):
    reader = LogReader(fmt, options=Options(date_order=order))
    events = list(reader.lines(lines))
    assert reader.known + sum(reader.unknown.values()) == len(events)
    assert len(reader.warnings) == min(reader.skipped, 20)
    with contextlib.suppress(ParseError):
        list(LogReader(fmt, strict=True, options=Options(date_order=order)).lines(lines))


@given(st.binary(max_size=400))
def test_any_bytes_are_lines_or_an_input_error(data):
    with contextlib.suppress(InputError):
        list(text_lines(io.BufferedReader(io.BytesIO(data)), 1 << 10))  # type: ignore[arg-type]


def test_an_unknown_time_zone_is_one_line(tmp_path):
    path = tmp_path / "kb.log"
    path.write_text(render(KB, "ev0"))
    assert refused("convert", str(path), "--tz", "Mars/Olympus") == (
        "mtasim convert: --tz: unknown time zone 'Mars/Olympus' (expected a name like "
        "'Europe/Berlin')"
    )
