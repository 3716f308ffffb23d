"""``mtasim animate``: the race on both builds side by side, frame by frame (GIF, MP4)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import sim
from sim.cli import main
from sim.report import capture, sequence
from sim.report._animate import frames


def run_cli(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def gifs(tmp_path_factory) -> tuple[Path, Path]:
    """The KB animation written by two processes at once."""
    where = tmp_path_factory.mktemp("animate")
    paths = (where / "a.gif", where / "b.gif")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sim", "animate", "--output", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in paths
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert out == ""
        assert err.startswith("mtasim animate: wrote ")
        assert "(connection 0 on 2 builds, 32 frames of 1 s at 2 per second)" in err
    return paths


def test_the_gif_is_the_same_bytes_from_two_processes(gifs):
    a, b = gifs
    assert a.read_bytes()[:6] == b"GIF89a"
    assert a.read_bytes() == b.read_bytes()


def red_pixels(image: Image.Image) -> tuple[int, int]:
    """Pixels of the alarm's red (the 4283's box and text) in the left and right halves."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    counts = [0, 0]
    for y in range(height):
        for x in range(width):
            r, g, b = rgb.getpixel((x, y))
            if r > 170 and g < 90 and b < 90:
                counts[x >= width // 2] += 1
    return counts[0], counts[1]


def magenta_pixels(image: Image.Image) -> tuple[int, int]:
    """Pixels of the Winsock timer's bar (#e6007e) in the left and right halves."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    counts = [0, 0]
    for y in range(0, height, 2):
        for x in range(width):
            r, g, b = rgb.getpixel((x, y))
            if r > 200 and g < 40 and 90 < b < 160:
                counts[x >= width // 2] += 1
    return counts[0], counts[1]


def test_frames_show_both_builds_and_the_4283_on_sp4_only_from_21_s(gifs):
    with Image.open(gifs[0]) as gif:
        assert gif.size == (960, 540)
        assert gif.n_frames == 32  # 0 to 31 s; the held last frame is merged into one
        gif.seek(10)
        left, right = magenta_pixels(gif)
        assert left > 100 and right > 100  # the timer runs on both builds
        gif.seek(20)
        assert red_pixels(gif) == (0, 0)
        gif.seek(21)
        left, right = red_pixels(gif)
        assert left > 200 and right == 0


def test_the_frames_as_values():
    scenario = sim.load_scenario(None)
    seqs = [sequence(capture(scenario, b), 0) for b in ("pre-fix", "post-fix")]
    shown = frames(seqs)
    assert [f.t for f in shown] == [float(k) for k in range(32)]
    assert [p.build for p in shown[0].panels] == [
        "5.5.2653.23 (Exchange 5.5 SP4)",
        "5.5.2656.20 (Q319936 hotfix)",
    ]
    assert all(p.events == () for p in shown[20].panels)
    pre, post = shown[21].panels
    assert [label for _, label, _ in pre.events] == [
        "4258 Message received at NSI: Close Request",
        "4283 Bad LPIs in message (1-15-12, 8464)",
    ]
    assert [label for _, label, _ in post.events] == ["4258 Message received at NSI: Close Request"]
    # The race: the timer's bar stops at 21 s on both; the kernel's runs on to 30 s, then lost.
    timer = next(b for b in pre.bars if b.kind.value == "timer")
    assert (timer.start, timer.end) == (0.0, 21.0)
    work = next(b for b in shown[31].panels[1].bars if b.kind.value == "work")
    assert (work.end, work.lost) == (30.0, True)


@pytest.mark.skipif(
    shutil.which("ffmpeg") is None,
    reason="ffmpeg is not installed (Debian: apt-get install ffmpeg): no MP4 to check",
)
def test_mp4_when_ffmpeg_is_there(capsys, tmp_path):
    target = tmp_path / "race.mp4"
    code, out, _err = run_cli(capsys, "animate", "--output", str(target))
    assert (code, out) == (0, "")
    assert target.read_bytes()[4:8] == b"ftyp"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--output", "race.png"], "the name must end in .gif or .mp4"),
        (["--output", "/nonexistent/dir/race.gif"], "no such directory"),
        (["--conn", "5"], "--conn 5: the run has connections 0 to 0"),
    ],
)
def test_bad_usage_is_one_line_exit_2(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "animate", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err
    assert list(tmp_path.iterdir()) == []
