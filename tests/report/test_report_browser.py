"""The HTML report in a real headless Chromium: readable at 1024 px, no overlapping labels,
descriptions wrapped, and printed to PDF with nothing clipped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import MEASURE_SVGS, browser, pdftotext

from sim.cli import main


@pytest.fixture(scope="module")
def chromium():
    yield from browser()


def write_report(tmp_path: Path, *argv: str) -> Path:
    target = tmp_path / "r.html"
    assert main(["report", *argv, "--output", str(target)]) == 0
    return target


@pytest.mark.parametrize(
    "scenario", ["kb319936", "heavy-load", "remote-gives-up", "backlog-overflow"]
)
def test_diagram_text_is_body_size_at_1024_px_and_no_labels_overlap(chromium, tmp_path, scenario):
    page = chromium.new_page(viewport={"width": 1024, "height": 768})
    page.goto(write_report(tmp_path, scenario).as_uri())
    body = float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))
    assert body == 16
    measured = page.evaluate(MEASURE_SVGS)
    assert len(measured) >= 2
    for svg in measured:
        assert svg["smallest"] >= body, svg
        assert svg["overlaps"] == [], svg
    # The diagrams stack: each is as wide as the page's column, one under the other.
    boxes = page.evaluate(
        "Array.from(document.querySelectorAll('figure')).map(f => f.getBoundingClientRect())"
        ".map(r => [r.left, r.top, r.width])"
    )
    assert boxes[0][0] == boxes[1][0] and boxes[1][1] > boxes[0][1]
    # Captions are no larger than the diagram text.
    caption = float(
        page.evaluate("parseFloat(getComputedStyle(document.querySelector('figcaption')).fontSize)")
    )
    assert caption <= body
    # Descriptions wrap: no block of event text scrolls sideways.
    scrolled = page.evaluate(
        "Array.from(document.querySelectorAll('pre')).filter(p => p.scrollWidth > p.clientWidth)"
        ".length"
    )
    assert scrolled == 0
    page.close()


def test_the_builds_captions_say_which_is_fixed(chromium, tmp_path):
    page = chromium.new_page(viewport={"width": 1024, "height": 768})
    page.goto(write_report(tmp_path).as_uri())
    figures = page.evaluate(
        "Array.from(document.querySelectorAll('figcaption')).map(c => [c.querySelector('.badge')"
        ".textContent, getComputedStyle(c.querySelector('.badge')).backgroundColor,"
        " getComputedStyle(c.querySelector('.build + span')).color,"
        " getComputedStyle(c.querySelector('.build + span')).fontWeight])"
    )
    (pre_badge, pre_bg, pre_colour, pre_weight), (post_badge, post_bg, post_colour, post_weight) = (
        figures
    )
    assert (pre_badge, post_badge) == ("without the fix", "fixed build")
    assert pre_bg != post_bg and pre_colour != post_colour
    assert (pre_weight, post_weight) == ("700", "400")
    page.close()


def test_event_viewer_trailer_is_on_screen_at_1024_px(chromium, tmp_path):
    page = chromium.new_page(viewport={"width": 1024, "height": 768})
    page.goto(write_report(tmp_path).as_uri())
    right = page.evaluate(
        """() => {
          const pre = Array.from(document.querySelectorAll('pre'))
            .find(p => p.textContent.includes('[POP4 POP4 UP 7 228] (14)'));
          const range = document.createRange();
          const node = Array.from(pre.childNodes)[0];
          const at = node.textContent.indexOf('[POP4 POP4 UP 7 228] (14)');
          range.setStart(node, at); range.setEnd(node, at + 25);
          return [range.getBoundingClientRect().right, pre.getBoundingClientRect().right];
        }"""
    )
    assert right[0] <= right[1] <= 1024
    page.close()


def test_printed_report_has_one_diagram_per_page_and_no_clipped_text(
    chromium, tmp_path, kb_pre_fix_text
):
    page = chromium.new_page()
    page.goto(write_report(tmp_path).as_uri())
    pdf = tmp_path / "r.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.close()
    text = pdftotext(pdf)
    pages = text.split("\f")
    with_diagram = [i for i, p in enumerate(pages) if "t (s)" in p]
    assert len(with_diagram) == 2
    assert all(pages[i].count("t (s)") == 1 for i in with_diagram)
    flat = re.sub(r"\s+", " ", text)
    # Every word of the KB's event blocks is in the PDF, in order (wrapping may break lines).
    assert re.sub(r"\s+", " ", kb_pre_fix_text).strip() in flat
    assert "[POP4 POP4 UP 7 228] (14)" in flat
    assert "4283 Bad LPIs in message (1-15-12, 8464)" in flat


def test_the_overlap_measure_finds_overlapping_labels(chromium, tmp_path):
    control = tmp_path / "control.html"
    control.write_text(
        '<!DOCTYPE html><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" '
        'width="400"><text x="10" y="20" font-size="12">first label</text>'
        '<text x="40" y="24" font-size="12">second</text>'
        '<text x="10" y="80" font-size="12">apart</text></svg>'
    )
    page = chromium.new_page(viewport={"width": 1024, "height": 768})
    page.goto(control.as_uri())
    assert page.evaluate(MEASURE_SVGS) == [
        {"index": 0, "smallest": 24, "overlaps": [["first label", "second"]]}
    ]
    page.close()


def test_without_chromium_ci_fails_and_a_user_gets_a_reason(monkeypatch):
    import browser_helpers

    monkeypatch.setattr(browser_helpers, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but headless Chromium not found"):
        next(browser_helpers.browser())
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        next(browser_helpers.browser())
