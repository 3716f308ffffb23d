"""Every event, rendered in any form, parses back to the same event."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.core import BAD_LPI_ERROR_CODE, CATALOG, CLOSE_REQUEST, EventId, Lpi, TaskHeader
from sim.render import (
    ParseError,
    ev0_block,
    eventviewer_block,
    jsonl_line,
    parse,
    parse_ev0,
    parse_eventviewer,
    parse_jsonl,
    render,
)

EPOCH = datetime(2002, 2, 26, 14, 43, 29)


@st.composite
def events(draw):
    """Events of every id, at any microsecond of two centuries (two-digit years)."""
    event_id = draw(st.sampled_from(list(EventId)))
    t = draw(st.integers(0, 3_000_000_000_000))
    epoch = draw(st.datetimes(datetime(1970, 1, 1), datetime(2060, 1, 1)))
    stamp = epoch + timedelta(microseconds=t)
    cb = draw(st.integers(1, 1249))
    component = draw(st.sampled_from([15, 3]))
    # Every field the catalog says the event carries, drawn (by field, not by event id).
    drawn = {
        "cb": cb,
        "lpi": Lpi.for_cb(cb, component),
        "message_type": CLOSE_REQUEST,
        "error_code": draw(st.sampled_from([BAD_LPI_ERROR_CODE, 8465, 10054])),
        "network": 1,
        "configured_count": draw(st.integers(2, 1250)),
    }
    spec = CATALOG[event_id]
    values = {name: drawn[name] for name in spec.fields}
    if draw(st.booleans()):
        task = spec.task
        values["header"] = TaskHeader(task.name, task.instance + 1, draw(st.integers(0, 999)))
    return sim.Event(event_id, t, stamp, **values)


def whole_seconds(event, epoch):
    """What EV0 and Event Viewer keep: the timestamp to the second, t counted from epoch."""
    stamp = event.timestamp.replace(microsecond=0)
    return replace(event, timestamp=stamp, t=int((stamp - epoch).total_seconds()) * 1_000_000)


@given(events())
def test_jsonl_round_trip_is_exact(event):
    assert parse_jsonl(jsonl_line(event)) == [event]


@given(events())
def test_ev0_round_trip(event):
    assert parse_ev0(ev0_block(event), EPOCH) == [whole_seconds(event, EPOCH)]


@given(events())
def test_eventviewer_round_trip(event):
    assert parse_eventviewer(eventviewer_block(event), EPOCH) == [whole_seconds(event, EPOCH)]


@given(st.lists(events(), max_size=5), st.sampled_from(["ev0", "eventviewer", "jsonl"]))
def test_whole_logs_round_trip(events_, fmt):
    back = parse(render(events_, fmt), fmt, EPOCH)
    if fmt == "jsonl":
        assert back == events_
    else:
        assert back == [whole_seconds(e, EPOCH) for e in events_]


def test_the_kb_text_parses():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "golden" / "kb319936-pre-fix.ev0").read_text()
    assert parse_ev0(text, EPOCH) == sim.run().events


def test_unknown_events_are_refused_or_skipped():
    text = (
        "message NMI9298: Interface Event, severity 14\n\n"
        "       (BASE IL MAIN BASE(1) Proc 10) 02-26-02 02:43:50pm\n"
        "       Startup complete\n\n"
    ) + ev0_block(sim.run().events[1])
    import pytest

    with pytest.raises(ParseError, match="line 1: event 9298 is not one the model knows"):
        parse_ev0(text)
    assert [int(e.event_id) for e in parse_ev0(text, strict=False)] == [4283]


@given(st.text(max_size=300))
def test_parsers_raise_only_their_own_error_on_garbage(text):
    for parser in (parse_ev0, parse_eventviewer, parse_jsonl):
        with contextlib.suppress(ParseError):
            parser(text)
