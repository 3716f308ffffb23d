"""A headless Chromium for the browser tests, driven by Playwright with the system browser.

Never ``playwright install`` (it downloads a browser): the browser is Debian's ``chromium``
(``/usr/bin/chromium``, or ``MTASIM_CHROMIUM``), which ``.ci/run`` installs. Without it, or
without the ``playwright`` package, the tests skip saying so; with ``CI=true`` they fail
instead, so that CI can never pass without having run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MTASIM_CHROMIUM", "/usr/bin/chromium")


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true but {what}: .ci/run must install it", pytrace=False)
    pytest.skip(what)


def require_chromium() -> str:
    """The path of the system Chromium; skip (fail with ``CI=true``) without it."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing(
            f"headless Chromium not found at {CHROMIUM} (Debian: apt-get install chromium; "
            ".ci/run installs it)"
        )
    return CHROMIUM


def browser() -> Iterator[object]:
    """A launched Chromium (``playwright.sync_api.Browser``), closed afterwards."""
    require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing(
            "the browser driver is not installed (pip install -e '.[test]' installs playwright)"
        )
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


def pdftotext(pdf: Path) -> str:
    """The text of a PDF as poppler's ``pdftotext -layout`` reads it (pages split by form
    feeds)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        _missing("pdftotext not found (Debian: apt-get install poppler-utils; .ci/run installs it)")
    assert tool is not None
    result = subprocess.run(
        [tool, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


#: For each ``<svg>`` of the page: the rendered size of its smallest text, and every pair of
#: its text boxes that intersect (by more than half a pixel).
MEASURE_SVGS = """
() => Array.from(document.querySelectorAll('svg')).map((svg, index) => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const texts = Array.from(svg.querySelectorAll('text'));
  const sizes = texts.map(t => parseFloat(t.getAttribute('font-size')) * scale);
  const boxes = texts.map(t => t.getBoundingClientRect());
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 0.5 && h > 0.5) overlaps.push([texts[i].textContent, texts[j].textContent]);
    }
  }
  return {index, smallest: Math.min(...sizes), overlaps};
})
"""
