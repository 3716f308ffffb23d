"""docs/make_images.py, the script that makes docs/training.md's pictures, run into a
temporary directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from browser_helpers import browser
from PIL import Image

SCRIPT = Path(__file__).parents[2] / "docs" / "make_images.py"


@pytest.fixture(scope="module")
def chromium():
    # The script launches its own browser; this only fails (CI) or skips when there is none.
    yield from browser()


def test_the_script_makes_the_pictures_it_names(chromium, tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), "--only", "report,timeline,phase-load"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "phase-load.png",
        "report.png",
        "timeline.png",
    ]
    with Image.open(tmp_path / "report.png") as shot:
        assert shot.size == (1024, 768)
    with Image.open(tmp_path / "timeline.png") as shot:
        assert shot.size == (760, 590)


def test_an_unknown_picture_is_a_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), "--only", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "--only: unknown nope" in result.stderr
    assert list(tmp_path.iterdir()) == []
