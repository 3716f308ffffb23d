"""``mtasim diagnose`` on logs written by hand from the KB formats: the verdict and the
counts of each, ``--format text|json`` and ``--fail-on``."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sim.cli import main

GOLDEN = Path(__file__).parent.parent / "golden"
MORNING = datetime(2002, 2, 26, 8, 0, 0)


def ev0_time(when: datetime) -> str:
    return when.strftime("%m-%d-%y %I:%M:%S") + ("pm" if when.hour >= 12 else "am")


def close(when: datetime, cb: int) -> str:
    """A 4258 Close Request as KB Q319936 prints it."""
    return (
        "message NMI4258: Interface Event, severity 8\n\n"
        f"       (POP4 POP4 UP(7) Proc 228) {ev0_time(when)}\n"
        "       Message received at NSI:\n"
        f"         cb {cb}\n"
        f"         LPI 1-15-{cb}\n"
        "         Message type Close Request\n"
    )


def bad_lpi(when: datetime, cb: int, code: int = 8464) -> str:
    return (
        "message NMI4283: Interface Event, severity 14\n\n"
        f"       (POP4 POP4 UP(7) Proc 228) {ev0_time(when)}\n"
        "       Bad LPIs in message\n"
        f"       Bad LPI 1-15-{cb}\n"
        f"       Error code = {code}\n"
    )


def unknown(when: datetime) -> str:
    return (
        "message NMI9297: Interface Event, severity 14\n\n"
        f"       (POP4 POP4 UP(7) Proc 228) {ev0_time(when)}\n"
        "       Something the model does not know\n"
    )


def no_cb(when: datetime) -> str:
    return (
        "message BASE9156: Resource Event, severity 10\n\n"
        f"       (BASE IL MAIN BASE(1) Proc 282) {ev0_time(when)}\n"
        "       No free control blocks\n"
        "         Network type 1\n"
        "         Configured count 40\n"
    )


def morning(pairs_per_hour: tuple[int, ...], closes_per_hour: int = 10) -> str:
    """From 08:00: per hour, ``closes_per_hour`` normal closes, the pairs, one unknown event."""
    blocks: list[str] = []
    cb = 1
    for hour, pairs in enumerate(pairs_per_hour):
        start = MORNING + timedelta(hours=hour)
        for i in range(closes_per_hour):
            blocks.append(
                close(start + timedelta(minutes=60 * i / closes_per_hour, seconds=1), cb % 40)
            )
            cb += 1
        for i in range(pairs):
            when = start + timedelta(minutes=2 + 50 * i / max(pairs, 1), seconds=7)
            blocks += [close(when, cb % 40), bad_lpi(when, cb % 40)]
            cb += 1
        blocks.append(unknown(start + timedelta(minutes=59)))
    return "\n".join(blocks)


def diagnose(path: Path, *options: str) -> tuple[int, dict[str, object]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["diagnose", str(path), "--format", "json", *options])
    assert code in (0, 1), err.getvalue()
    return code, json.loads(out.getvalue())


KEYS = {
    "format", "events", "unknown_kept", "signature_pairs", "lone_4283", "error_8465",
    "events_9156", "first", "last", "per_hour", "verdict",
}  # fmt: skip


def test_the_kb_blocks(tmp_path):
    path = tmp_path / "kb.ev0"
    path.write_bytes((GOLDEN / "kb319936-pre-fix.ev0").read_bytes())
    _, found = diagnose(path)
    assert set(found) >= KEYS
    assert {k: found[k] for k in ("format", "events", "signature_pairs", "lone_4283")} == {
        "format": "ev0", "events": 2, "signature_pairs": 1, "lone_4283": 0,
    }  # fmt: skip
    assert (found["first"], found["last"], found["verdict"]) == (
        "2002-02-26T14:43:50", "2002-02-26T14:43:50", "q319936",
    )  # fmt: skip
    assert found["lpis"] == ["1-15-12"] and found["control_blocks"] == [12]


def test_a_morning_of_pairs_normal_closes_and_unknown_events_in_crlf(tmp_path):
    path = tmp_path / "morning.log"
    path.write_bytes(morning((2, 7, 3, 0)).replace("\n", "\r\n").encode())
    _, found = diagnose(path)
    assert found["verdict"] == "q319936"
    assert (found["signature_pairs"], found["lone_4283"], found["unknown_kept"]) == (12, 0, 4)
    assert found["events"] == 4 * 10 + 12 * 2
    assert [h["signature_pairs"] for h in found["per_hour"]] == [2, 7, 3, 0]
    assert [h["close_requests"] for h in found["per_hour"]] == [12, 17, 13, 10]
    assert found["busiest_hour"] == {"hour": "2002-02-26T09:00", "signature_pairs": 7}
    assert found["pattern"] == "pairs between 08:00-11:00 (on 1 day)"
    assert found["first"] == "2002-02-26T08:02:07"


def test_q266792s_lone_4283_with_8465_as_a_utf16_event_viewer_copy(tmp_path):
    copy = (
        "Event Type:\tWarning\r\nEvent Source:\tMSExchangeMTA\r\nEvent Category:\tInterface\r\n"
        "Event ID:\t4283\r\nDate:\t\t5/8/2002\r\nTime:\t\t9:12:01 AM\r\nUser:\t\tN/A\r\n"
        "Computer:\tMAILSRV02\r\nDescription:\r\n"
        "Unable to recognize an internal message identifier. Internal connection\r\n"
        "handle (LPI) 1-15-4 Error code: 8465 [POP4 POP4 UP 6 228] (14)\r\n\r\n"
        "For more information, see Help and Support Center at "
        "http://go.microsoft.com/fwlink/events.asp.\r\n"
    )
    path = tmp_path / "q266792.txt"
    path.write_bytes(copy.encode("utf-16"))
    _, found = diagnose(path)
    assert (found["format"], found["verdict"]) == ("eventviewer", "not-q319936")
    assert (found["signature_pairs"], found["lone_4283"], found["error_8465"]) == (0, 1, 1)
    assert "Q266792" in found["kb"]


def test_an_nt4_csv_export(tmp_path):
    rows = []
    for i, cb in enumerate((12, 13, 14)):
        when = f"2:4{i}:50 PM"
        rows.append(
            f"2/26/02,{when},MSExchangeMTA,Information,Interface,4258,N/A,MAILSRV02,A message "
            "was received at the network services interface. Control block index = "
            f"{cb}  Internal Connection Handle (LPI) = 1-15-{cb}  Message type = Close "
            "Request [POP4 POP4 UP 7 228] (8)"
        )
        if cb != 13:  # 13 closed normally
            rows.append(
                f"2/26/02,{when},MSExchangeMTA,Warning,Interface,4283,N/A,MAILSRV02,Unable to "
                "recognize an internal message identifier. Internal connection handle (LPI) "
                f"1-15-{cb} Error code: 8464 [POP4 POP4 UP 7 228] (14)"
            )
    path = tmp_path / "nt4.csv"
    path.write_text("\n".join(rows) + "\n")
    _, found = diagnose(path)
    assert (found["format"], found["verdict"], found["signature_pairs"]) == ("csv", "q319936", 2)
    assert found["lpis"] == ["1-15-12", "1-15-14"]


def test_pairs_followed_by_a_run_of_9156(tmp_path):
    start = datetime(2002, 2, 26, 10, 0, 0)
    blocks = [close(start, 5), bad_lpi(start, 5), close(start, 6), bad_lpi(start, 6, 8465)]
    blocks += [no_cb(start + timedelta(minutes=10, seconds=i)) for i in range(20)]
    path = tmp_path / "leak.log"
    path.write_text("\n".join(blocks))
    code, found = diagnose(path, "--fail-on", "q319936")
    assert (code, found["verdict"], found["events_9156"]) == (1, "q266792-leak", 20)
    assert (found["signature_pairs"], found["lone_4283"], found["error_8465"]) == (1, 1, 1)
    # The 9156s before any pair: no leak after a 4283.
    path.write_text(
        "\n".join([no_cb(start - timedelta(hours=1)), close(start, 5), bad_lpi(start, 5)])
    )
    assert diagnose(path)[1]["verdict"] == "q319936"


@pytest.mark.parametrize(
    ("blocks", "verdict"),
    [
        ([close(MORNING, 3)], "inconclusive"),
        ([close(MORNING, 3), bad_lpi(MORNING + timedelta(seconds=2), 3)], "not-q319936"),
        ([close(MORNING, 3), bad_lpi(MORNING + timedelta(seconds=1), 3)], "q319936"),
        ([close(MORNING, 3), bad_lpi(MORNING, 4)], "not-q319936"),
    ],
)
def test_the_pair_window_and_the_same_lpi(tmp_path, blocks, verdict):
    path = tmp_path / "w.log"
    path.write_text("\n".join(blocks))
    code, found = diagnose(path, "--fail-on", "q319936")
    assert found["verdict"] == verdict
    assert code == (1 if verdict == "q319936" else 0)


def test_the_text_form_has_the_verdict_and_a_chart_per_hour(tmp_path):
    path = tmp_path / "morning.log"
    path.write_text(morning((2, 8, 4)))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["diagnose", str(path)]) == 0
    text = out.getvalue()
    assert "Verdict: q319936" in text
    assert "  2002-02-26 09:00  " + "█" * 40 + " 8" in text
    assert "  2002-02-26 08:00  " + "█" * 10 + " " * 30 + " 2" in text
    assert "5.5.2656.20" in text and "mtasim fit LOG --output my.toml" in text


def test_a_log_without_events_is_one_line(tmp_path, capsys):
    path = tmp_path / "empty.log"
    path.write_text("")
    assert main(["diagnose", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"mtasim diagnose: {path}: no event found")
