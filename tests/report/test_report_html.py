"""``mtasim report``: one self-contained HTML file, checked as text and in headless Chromium."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from browser_helpers import CHROMIUM, require_chromium

import sim
from sim.cli import main
from sim.report import capture, interesting_conns
from sim.report._html import report_html
from sim.report._svg import RACE_COLOUR, sequence_svg

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
    "--log-level=0",
]


def run_cli(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def kb_runs(name=None):
    scenario = sim.load_scenario(name)
    return [capture(scenario, build) for build in ("pre-fix", "post-fix")]


def test_report_is_self_contained():
    page = report_html(kb_runs(), [0])
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert re.findall(r"https?://[^\s\"'<>]+", page) == ["http://www.w3.org/2000/svg"] * 2
    assert " src=" not in page
    assert re.findall(r"<link[^>]*>", page) == ['<link rel="icon" href="data:,">']
    assert "@import" not in page and "url(" not in page


def test_report_holds_scenario_diagrams_logs_and_comparison(kb_pre_fix_text):
    page = report_html(kb_runs(), [0])
    sections = [
        page.index(f'<section id="{name}">')
        for name in ("scenario", "race", "comparison", "events")
    ]
    assert sections == sorted(sections)
    assert page.count("<svg ") == 2
    assert page.count(f'fill="{RACE_COLOUR}"') == 2  # the timer bar on each build
    # The EV0 blocks exactly as the KB shows them, and the Event Viewer form.
    assert kb_pre_fix_text in page
    assert "[POP4 POP4 UP 7 228] (14)" in page
    assert (
        '<tr class="key"><td>4283 logged</td><td class="n">1</td><td class="n">0</td></tr>' in page
    )
    assert "The Winsock timer won the race at 21 s" in page


def test_report_is_deterministic():
    assert report_html(kb_runs(), [0]) == report_html(kb_runs(), [0])


def test_svg_marks_the_race_and_the_loser():
    run = kb_runs()[0]
    from sim.report import sequence

    svg = sequence_svg(sequence(run, 0))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "✗ OK response, 9 s late" in svg
    assert "✓ timer fires: wins the race" in svg
    assert "4283 Bad LPIs in message (1-15-12, 8464)" in svg


def test_heavy_load_report_limits_the_event_log():
    runs = kb_runs("heavy-load")
    page = report_html(runs, interesting_conns(runs[0]), events_limit=5)
    assert page.count("<svg ") == 2 * len(interesting_conns(runs[0]))
    assert "The first 5 of 593 events" in page


def test_cli_report_writes_the_file_atomically(capsys, tmp_path):
    target = tmp_path / "r.html"
    code, out, err = run_cli(capsys, "report", "--output", str(target))
    assert (code, out) == (0, "")
    assert err == f"mtasim report: wrote {target}\n"
    assert target.read_text(encoding="utf-8") == report_html(kb_runs(), [0])
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--output", "/nonexistent/dir/r.html"], "no such directory"),
        (["--events", "-1"], "--events must be 0 or more"),
        (["--lpi", "9-9-9"], "no connection used it"),
        (["--builds", "nope"], "nope"),
    ],
)
def test_cli_report_bad_usage_is_one_line_exit_2(capsys, tmp_path, argv, message):
    code, out, err = run_cli(capsys, "report", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err


# -- headless Chromium -----------------------------------------------------------------------
def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """A tiny PNG decoder (8-bit RGB/RGBA, not interlaced): width, height, rows of pixels
    as RGBA bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = color = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = 4 if color == 6 else 3
    stride = width * channels
    raw = zlib.decompress(idat)
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upleft = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - upleft
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else upleft
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line) if channels == 4 else _rgba(bytes(line)))
        previous = line
    return width, height, rows


def _rgba(rgb: bytes) -> bytes:
    return b"".join(rgb[i : i + 3] + b"\xff" for i in range(0, len(rgb), 3))


def count_colour(rows: list[bytes], hex_colour: str) -> int:
    target = bytes.fromhex(hex_colour.lstrip("#")) + b"\xff"
    return sum(1 for row in rows for i in range(0, len(row), 4) if row[i : i + 4] == target)


def chromium_screenshot(page: Path, tmp_path: Path, name: str) -> tuple[bytes, str]:
    shot = tmp_path / f"{name}.png"
    result = subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / ('profile-' + name)}",
            f"--screenshot={shot}",
            "--window-size=1280,1100",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, "HOME": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return shot.read_bytes(), result.stderr


def console_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def test_chromium_renders_the_report_with_the_diagram_and_no_console_errors(tmp_path):
    require_chromium()  # skips without it, fails with CI=true
    page = tmp_path / "r.html"
    assert main(["report", "--output", str(page)]) == 0
    # A control page proves that this Chromium reports console errors in its log.
    control = tmp_path / "control.html"
    control.write_text(
        "<!DOCTYPE html><p>control</p><script>console.error('boom'); missing();</script>"
    )
    _, control_log = chromium_screenshot(control, tmp_path, "control")
    assert len(console_lines(control_log)) == 2, control_log[-2000:]

    png, log = chromium_screenshot(page, tmp_path, "report")
    assert console_lines(log) == []
    width, height, rows = read_png(png)
    assert (width, height) == (1280, 1100)
    # The race: the Winsock timer's bar in its own colour on the first build's diagram (the
    # diagrams stack; the second is below the fold).
    assert count_colour(rows, RACE_COLOUR) > 400


def test_png_reader_reads_what_it_should():
    # A 2x1 RGB image with filter 1 (sub): red, then red + (0, 255, 0) = yellow.
    raw = b"\x01" + bytes([255, 0, 0, 0, 255, 0])

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    assert read_png(data) == (2, 1, [bytes([255, 0, 0, 255, 255, 255, 0, 255])])
