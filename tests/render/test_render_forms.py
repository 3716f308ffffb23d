"""The three text forms of events."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

import sim
from sim.core import EventId, Lpi
from sim.render import ev0_block, ev0_timestamp, eventviewer_block, jsonl_line, render


def test_kb_scenario_pre_fix_is_the_kb_text_byte_for_byte(kb_pre_fix_text):
    assert render(sim.run().events) == kb_pre_fix_text


def test_kb_scenario_post_fix_is_the_4258_block_alone(kb_post_fix_text):
    assert render(sim.run(build="post-fix").events) == kb_post_fix_text


def test_golden_copy_matches_the_shared_seed(kb_pre_fix_text):
    from pathlib import Path

    seed = Path(__file__).resolve().parents[3] / "shared" / "seed" / "Q319936-events.txt"
    if not seed.is_file():
        pytest.skip("../shared/seed is not beside this checkout (only in the project workspace)")
    assert seed.read_text(encoding="utf-8").replace("later\n", "") == kb_pre_fix_text


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (datetime(2002, 2, 26, 14, 43, 50), "02-26-02 02:43:50pm"),
        (datetime(2002, 2, 26, 0, 5, 1), "02-26-02 12:05:01am"),
        (datetime(2002, 2, 26, 12, 0, 0), "02-26-02 12:00:00pm"),
        (datetime(1999, 12, 31, 11, 59, 59, 999999), "12-31-99 11:59:59am"),
    ],
)
def test_ev0_timestamp(when, text):
    assert ev0_timestamp(when) == text


def _kb_events():
    return sim.run().events


def test_event_viewer_form_of_4283_matches_kb_q266792_wording():
    block = eventviewer_block(_kb_events()[1])
    assert block == (
        "Event Type:\tWarning\n"
        "Event Source:\tMSExchangeMTA\n"
        "Event Category:\tInterface\n"
        "Event ID:\t4283\n"
        "Date:\t\t2/26/2002\n"
        "Time:\t\t2:43:50 PM\n"
        "User:\t\tN/A\n"
        "Computer:\tEXCHANGE1\n"
        "Description:\n"
        "Unable to recognize an internal message identifier. Internal connection handle (LPI) "
        "1-15-12 Error code: 8464 [POP4 POP4 UP 7 228] (14)\n"
    )


def test_jsonl_has_the_documented_fields():
    first, second = (json.loads(jsonl_line(e)) for e in _kb_events())
    assert first["t"] == 21.0
    assert first["timestamp"] == "2002-02-26T14:43:50"
    assert (first["event_id"], first["severity"], first["type"]) == (4258, 8, "Information")
    assert (second["event_id"], second["severity"], second["type"]) == (4283, 14, "Warning")
    for obj in (first, second):
        assert obj["category"] == "Interface"
        assert obj["source"] == "MSExchangeMTA"
        assert obj["cb"] == 12
        assert obj["lpi"] == "1-15-12"
    assert first["message_type"] == "Close Request"
    assert second["error_code"] == 8464
    assert second["text"] == ev0_block(_kb_events()[1])


def test_9156_renders_in_every_form():
    event = sim.Event(
        EventId.NO_FREE_CONTROL_BLOCKS,
        0,
        datetime(2002, 2, 26, 14, 0, 0),
        network=1,
        configured_count=20,
    )
    assert ev0_block(event) == (
        "message BASE9156: Resource Event, severity 10\n\n"
        "       (BASE IL MAIN BASE(1) Proc 282) 02-26-02 02:00:00pm\n"
        "       No free control blocks\n"
        "         Network type 1\n"
        "         Configured count 20\n"
    )
    assert eventviewer_block(event).endswith(
        "A resource limit has been reached while attempting to open an association. There are "
        "no free control blocks available for network type 1. The configured count is 20. "
        "[BASE IL MAIN BASE 1 282] (10)\n"
    )
    assert json.loads(jsonl_line(event))["configured_count"] == 20


def test_blocks_are_separated_by_one_blank_line():
    e = sim.Event(
        EventId.BAD_LPI, 0, datetime(2002, 1, 1), cb=3, lpi=Lpi.for_cb(3), error_code=8464
    )
    text = render([e, e, e], "eventviewer")
    assert text.count("\n\nEvent Type:") == 2
    assert not text.endswith("\n\n")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render([], "xml")
