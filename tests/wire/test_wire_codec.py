"""The RFC 1006 / class 0 codec: exact bytes out, liberal in, FrameError as the only error."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.wire import (
    ConnectionConfirm,
    ConnectionRequest,
    Data,
    Decoder,
    DisconnectConfirm,
    DisconnectRequest,
    ErrorTpdu,
    FrameError,
    Reassembler,
    encode_cc,
    encode_cr,
    encode_dr,
    encode_dt,
    segment,
    tpkt,
)

# KB Q151626: a real Exchange CC (its reserved byte 0x11 was a bug, KB Q157015).
KB_CC = bytes.fromhex(
    "0311002C27D001CA002900C10D"
    + b"SWISSLIFETSAP".hex()
    + "C20D"
    + b"EXCHANGETSAP1".hex()
    + "C0010B"
)


def decode(data: bytes) -> list:
    return Decoder().feed(data)


def error(data: bytes, decoder: Decoder | None = None) -> FrameError:
    with pytest.raises(FrameError) as info:
        (decoder or Decoder()).feed(data)
    return info.value


# -- exact bytes out -------------------------------------------------------------------------
def test_cc_is_the_kb_cc_with_a_zero_reserved_byte():
    ours = encode_cc(0x01CA, 0x0029, b"SWISSLIFETSAP", b"EXCHANGETSAP1", 2048)
    assert ours == KB_CC[:1] + b"\x00" + KB_CC[2:]


def test_exact_cr_dt_dr_bytes():
    assert encode_cr(0x0001, b"PEER", b"MTA", 1024) == bytes.fromhex(
        "0300 0019 14 E0 0000 0001 00 C104 50454552 C203 4D5441 C001 0A".replace(" ", "")
    )
    assert encode_dt(b"hi") == bytes.fromhex("030000090 2F080 6869".replace(" ", ""))
    assert encode_dt(b"", eot=False) == bytes.fromhex("03000007 02F000")
    assert encode_dr(0x0001, 0x0000, 1) == bytes.fromhex("0300000B 06 80 0001 0000 01")


def test_segmentation_at_the_tpdu_size_and_eot_on_the_last_only():
    tsdu = bytes(range(256)) * 2
    pieces = segment(tsdu, 128)
    assert [len(p) for p in pieces] == [132, 132, 132, 132, 19]
    assert [p[6] for p in pieces] == [0, 0, 0, 0, 0x80]
    assert all(len(p) - 4 <= 128 for p in pieces)
    reassembler = Reassembler()
    out = [reassembler.add(t) for p in pieces for t in decode(p)]
    assert out[:-1] == [None] * 4
    assert out[-1] == tsdu
    assert segment(b"", 128) == [encode_dt(b"")]


def test_the_byte_examples_of_docs_live_md_are_what_the_encoders_send():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "live.md").read_text(encoding="utf-8")
    tsaps = (b"MTASIMPEER", b"EXCHANGETSAP1", 2048)
    for frame in (
        encode_cr(1, *tsaps),
        encode_cc(1, 1, *tsaps),
        encode_dt(b"hello"),
        encode_dr(1, 0, 1),
    ):
        assert f"\n{frame.hex(' ').upper()}\n" in doc
    heads = [p[:7].hex(" ").upper() for p in segment(bytes(300), 128)]
    assert heads == ["03 00 00 84 02 F0 00", "03 00 00 84 02 F0 00", "03 00 00 39 02 F0 80"]
    assert all(f"`{h} …`" in doc for h in heads)


def test_encoders_refuse_what_would_not_be_exact():
    with pytest.raises(ValueError, match="power of two"):
        encode_cr(1, tpdu_size=1000)
    with pytest.raises(ValueError, match="254 at most"):
        encode_cc(1, 2, b"x" * 200, b"y" * 60)
    with pytest.raises(ValueError, match=r"0\.\.65535"):
        encode_dr(70000, 0, 1)


# -- liberal in ------------------------------------------------------------------------------
def test_the_kb_cc_with_its_odd_reserved_byte_is_accepted():
    (cc,) = decode(KB_CC)
    assert cc == ConnectionConfirm(
        4, 0x01CA, 0x0029, 0, b"SWISSLIFETSAP", b"EXCHANGETSAP1", 2048, ()
    )


@pytest.mark.parametrize("reserved", [0x00, 0x11, 0xFF])
def test_reserved_byte_is_anything(reserved):
    frame = bytearray(encode_cr(7, b"A", b"B", 128))
    frame[1] = reserved
    (cr,) = decode(bytes(frame))
    assert cr.src_ref == 7


def cr_with(params: bytes, credit: int = 0, dst_ref: int = 0) -> bytes:
    header = bytes((0xE0 | credit,)) + dst_ref.to_bytes(2, "big") + b"\x00\x09\x00" + params
    return tpkt(bytes((len(header),)) + header)


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_parameters_in_any_order_unknown_ones_skipped(order):
    params = [b"\xc1\x03ABC", b"\xc2\x02XY", b"\xc0\x01\x0d", b"\x85\x02\x00\x10"]
    (cr,) = decode(cr_with(b"".join(params[i] for i in order), credit=3, dst_ref=99))
    assert (cr.calling_tsap, cr.called_tsap, cr.tpdu_size, cr.skipped) == (
        b"ABC",
        b"XY",
        8192,
        (0x85,),
    )
    assert cr.src_ref == 9


@pytest.mark.parametrize("length", [0, 1, 16, 32, 100, 240])
def test_tsaps_of_any_length_the_header_allows(length):
    tsap = bytes(range(length))
    (cr,) = decode(encode_cr(1, tsap, None, None))
    assert cr.calling_tsap == tsap
    assert cr.tpdu_size is None


@pytest.mark.parametrize(("code", "size"), [(7 + k, 128 << k) for k in range(7)])
def test_every_tpdu_size_from_128_to_8192(code, size):
    (cr,) = decode(cr_with(bytes((0xC0, 1, code))))
    assert cr.tpdu_size == size


def test_other_tpdus_decode():
    assert decode(encode_dr(5, 6, 3)) == [DisconnectRequest(4, 5, 6, 3)]
    assert decode(tpkt(b"\x05\xc0\x00\x05\x00\x06")) == [DisconnectConfirm(4, 5, 6)]
    assert decode(tpkt(b"\x04\x70\x00\x05\x02")) == [ErrorTpdu(4, 5, 2)]
    assert decode(encode_dt(b"abc", eot=False)) == [Data(4, False, b"abc")]


def test_frames_split_anywhere_and_offsets_count_the_stream():
    stream = encode_cr(1) + encode_dt(b"x" * 10) + encode_dt(b"y")
    decoder = Decoder()
    out = []
    for byte in stream:
        out += decoder.feed(bytes((byte,)))
    assert [t.offset for t in out] == [4, 11 + 4, 11 + 17 + 4]
    assert decoder.offset == len(stream) and decoder.buffered == 0


# -- checked ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "offset", "message"),
    [
        (b"\x04\x00\x00\x07\x02\xf0\x80", 0, "bad TPKT version 4"),
        (b"\x03\x00\x00\x06\x01\xf0", 2, "below the minimum of 7"),
        (b"\x03\x00\xff\xff", 2, "above the limit of 8196"),
        (b"\x03\x00\x00\x0b\x14\xe0\x00\x00\x00\x01\x00", 4, "inconsistent with the TPKT length"),
        (b"\x03\x00\x00\x07\x00\xf0\x80", 4, "length indicator 0"),
        (b"\x03\x00\x00\x07\xff\xf0\x80", 4, "reserved"),
        (b"\x03\x00\x00\x07\x02\x30\x80", 5, "unknown TPDU code 0x30"),
        (b"\x03\x00\x00\x07\x02\x60\x80", 5, "(AK) is not used in class 0"),
        (b"\x03\x00\x00\x0b\x06\xe0\x00\x00\x00\x01\x20", 10, "asks for class 2"),
        (b"\x03\x00\x00\x09\x04\xe0\x00\x00\x00", 4, "CR header too short"),
        (b"\x03\x00\x00\x08\x03\xf0\x80\x00", 4, "a class 0 DT header has LI 2"),
        (
            b"\x03\x00\x00\x0d\x08\xe0\x00\x00\x00\x01\x00\xc1\x05",
            11,
            "overruns the header",
        ),
        (
            b"\x03\x00\x00\x0c\x07\xe0\x00\x00\x00\x01\x00\xc1",
            11,
            "no length octet",
        ),
        (
            b"\x03\x00\x00\x0e\x09\xe0\x00\x00\x00\x01\x00\xc0\x01\x0e",
            13,
            "outside 0x07..0x0D",
        ),
        (
            b"\x03\x00\x00\x0f\x0a\xe0\x00\x00\x00\x01\x00\xc0\x02\x0a\x0a",
            11,
            "TPDU size parameter of 2 octets",
        ),
    ],
)
def test_what_is_checked_names_the_offset(data, offset, message):
    exc = error(data)
    assert exc.offset == offset
    assert message in exc.message
    assert f"at byte offset {offset}" in str(exc)


def test_offsets_are_stream_offsets_and_the_error_is_sticky():
    decoder = Decoder()
    good = encode_dt(b"abc")
    assert len(decoder.feed(good)) == 1
    exc = error(b"\x07", decoder)
    assert exc.offset == len(good)
    with pytest.raises(FrameError) as again:
        decoder.feed(encode_dt(b"fine"))
    assert again.value is exc


def test_version_checked_on_the_first_byte_length_on_the_fourth():
    decoder = Decoder()
    assert decoder.feed(b"\x03\x00\x00") == []
    assert error(b"\x05", decoder).offset == 2
    assert error(b"\x09").offset == 0


def test_memory_is_bounded():
    decoder = Decoder()
    assert decoder.feed(b"\x03\x00\x20\x04" + b"\x02\xf0\x80" + b"x" * 8000) == []
    assert decoder.buffered == 8007  # one TPKT of at most 8196 octets, never more
    reassembler = Reassembler(max_tsdu=100)
    reassembler.add(Data(0, False, b"x" * 60))
    with pytest.raises(FrameError, match="TSDU longer than 100"):
        reassembler.add(Data(70, False, b"x" * 60))


# -- fuzzing ---------------------------------------------------------------------------------
def feed_split(data: bytes, cuts: list[int]) -> tuple[list, FrameError | None]:
    decoder = Decoder()
    out: list = []
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces = [data[a:b] for a, b in itertools.pairwise([0, *points, len(data)])]
    try:
        for piece in pieces:
            out += decoder.feed(piece)
    except FrameError as exc:
        return out + list(exc.tpdus), exc
    return out, None


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=12))
def test_fuzz_arbitrary_bytes_raise_only_frame_error(data, cuts):
    whole, whole_error = feed_split(data, [])
    split, split_error = feed_split(data, cuts)
    assert split == whole
    assert (whole_error is None) == (split_error is None)
    if whole_error is not None:
        assert split_error is not None and split_error.offset == whole_error.offset


tsaps = st.none() | st.binary(max_size=60)
sizes = st.none() | st.sampled_from([128 << k for k in range(7)])


@st.composite
def tpdu_frames(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["cr", "cc", "dt", "dr"]))
    ref = st.integers(0, 0xFFFF)
    if kind == "cr":
        return encode_cr(draw(ref), draw(tsaps), draw(tsaps), draw(sizes))
    if kind == "cc":
        return encode_cc(draw(ref), draw(ref), draw(tsaps), draw(tsaps), draw(sizes))
    if kind == "dr":
        return encode_dr(draw(ref), draw(ref), draw(st.integers(0, 3)))
    return encode_dt(draw(st.binary(max_size=300)), draw(st.booleans()))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(tpdu_frames(), max_size=6),
    st.lists(st.integers(0, 3000), max_size=10),
    st.binary(max_size=20),
)
def test_fuzz_valid_streams_decode_the_same_however_split(frames, cuts, tail):
    data = b"".join(frames)
    split, split_error = feed_split(data + tail, cuts)
    whole, whole_error = feed_split(data + tail, [])
    assert split == whole
    assert len(whole) >= len(frames)
    assert (split_error is None) == (whole_error is None)
    if whole_error is not None:
        assert whole_error.offset >= len(data)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 0xFFFF), tsaps, tsaps, sizes)
def test_fuzz_cr_round_trip(ref, calling, called, size):
    (cr,) = decode(encode_cr(ref, calling, called, size))
    assert cr == ConnectionRequest(4, ref, 0, 0, calling, called, size, ())
