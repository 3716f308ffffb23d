"""The class 0 connection object: fed bytes, it returns events; asked, it returns bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.wire import (
    DR_CONGESTION,
    Class0Connection,
    ConnectRequested,
    Decoder,
    DisconnectRequest,
    Phase,
    ProtocolViolation,
    TsduReceived,
    encode_cc,
    encode_cr,
    encode_dt,
    segment,
    tpkt,
)

CR = encode_cr(0x1234, b"SWISSLIFETSAP", b"EXCHANGETSAP1", 8192)


def opened(max_tpdu: int = 1024) -> Class0Connection:
    conn = Class0Connection(7, max_tpdu=max_tpdu)
    (event,) = conn.receive_data(CR)
    assert isinstance(event, ConnectRequested)
    conn.confirm()
    return conn


def test_cr_then_cc_echoes_tsaps_and_grants_the_smaller_tpdu_size():
    conn = Class0Connection(7, max_tpdu=1024)
    assert conn.phase is Phase.CR
    (event,) = conn.receive_data(CR)
    assert isinstance(event, ConnectRequested)
    assert (event.cr.src_ref, event.tpdu_size) == (0x1234, 1024)
    assert conn.phase is Phase.OPENING
    assert conn.confirm() == encode_cc(0x1234, 7, b"SWISSLIFETSAP", b"EXCHANGETSAP1", 1024)
    assert conn.phase is Phase.OPEN


def test_a_cr_without_a_tpdu_size_gets_128():
    conn = Class0Connection(1)
    (event,) = conn.receive_data(encode_cr(5))
    assert isinstance(event, ConnectRequested) and event.tpdu_size == 128


def test_refuse_is_a_class_0_dr_and_closes():
    conn = Class0Connection(1)
    conn.receive_data(encode_cr(0x42))
    (dr,) = Decoder().feed(conn.refuse(DR_CONGESTION))
    assert dr == DisconnectRequest(4, 0x42, 0, DR_CONGESTION)
    assert conn.phase is Phase.CLOSING
    # What the peer sends afterwards is ignored.
    assert conn.receive_data(encode_dt(b"late")) == []


def test_tsdus_are_reassembled_and_sent_back_segmented():
    conn = opened(max_tpdu=128)
    tsdu = bytes(range(256))
    pieces = segment(tsdu, 128)
    got = []
    for piece in pieces:
        got += conn.receive_data(piece)
    assert got == [TsduReceived(tsdu)]
    assert conn.send_data(tsdu) == pieces


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (encode_dt(b"x"), "expected a CR, got a DT"),
        (CR + encode_dt(b"x"), "DT before the CC"),
        (CR + CR, "a second CR on the same connection"),
        (CR + tpkt(b"\x04\x70\x00\x00\x01"), "the peer sent an ER (reject cause 1)"),
        (CR + tpkt(b"\x06\x80\x00\x00\x00\x00\x00"), "unexpected DR from the peer"),
        (b"\x04\x00\x00\x07\x02\xf0\x80", "bad TPKT version 4"),
    ],
)
def test_violations_are_one_event_naming_the_offset(data, message):
    conn = Class0Connection(1)
    events = conn.receive_data(data)
    violation = events[-1]
    assert isinstance(violation, ProtocolViolation)
    assert message in violation.message
    assert conn.phase is Phase.ERROR
    assert conn.receive_data(CR) == []


def test_the_events_before_a_fault_come_first():
    conn = Class0Connection(1)
    events = conn.receive_data(CR + b"\x04\x00\x00\x07")
    assert isinstance(events[0], ConnectRequested)
    assert isinstance(events[1], ProtocolViolation) and events[1].offset == len(CR)


def test_answers_out_of_turn_are_refused():
    conn = Class0Connection(1)
    with pytest.raises(RuntimeError, match="cannot confirm"):
        conn.confirm()
    conn.receive_data(CR)
    with pytest.raises(RuntimeError, match="cannot send data"):
        conn.send_data(b"x")
    conn.confirm()
    with pytest.raises(RuntimeError, match="cannot refuse"):
        conn.refuse(DR_CONGESTION)


@given(st.binary(max_size=400), st.integers(1, 50))
def test_any_bytes_in_any_pieces_give_the_same_events(data, cut):
    """Whatever a peer sends, and however the stream is split, the same events come out."""
    whole = Class0Connection(1).receive_data(CR + data)
    split = Class0Connection(1)
    stream = CR + data
    pieces = [stream[i : i + cut] for i in range(0, len(stream), cut)]
    events = [e for piece in pieces for e in split.receive_data(piece)]
    assert events == whole
