"""Make the pictures of docs/training.md: ``python docs/make_images.py [DIR] [--only A,B]``.

Writes into DIR (default: docs/img beside this script):

  timeline.png   the colour timeline of the KB case, as a terminal shows it
  report.png     the HTML report at 1024 px wide, scrolled to the first diagram
  explore.png    the explorer at the KB's moment (#response_timeout=21&ok_delay=30&build=pre-fix)
  phase-map.png  mtasim phase-map
  phase-load.png mtasim phase-map --load
  race.gif       mtasim animate

Needs the test extra (matplotlib, Playwright) and Debian's chromium at /usr/bin/chromium (or
MTASIM_CHROMIUM); no browser is downloaded. The pages, maps and the animation are
deterministic; the screenshots depend on the fonts installed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from sim.cli import main as mtasim

CHROMIUM = os.environ.get("MTASIM_CHROMIUM", "/usr/bin/chromium")
TERMINAL_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
    "<style>body{{margin:0;background:{background};}} pre{{margin:0;padding:14px 16px;"
    'font-family:"DejaVu Sans Mono",monospace;font-size:15px;line-height:1.15;'
    "color:{foreground};}}</style></head><body><pre>{code}</pre></body></html>"
)


def run(*argv: str) -> None:
    code = mtasim(list(argv))
    if code != 0:
        raise SystemExit(f"mtasim {' '.join(argv)}: exit status {code}")


def screenshot(url: str, target: Path, *, width: int, height: int, scroll_to: str = "") -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url)
            if scroll_to:
                page.evaluate(f"document.querySelector({scroll_to!r}).scrollIntoView()")
            page.screenshot(path=str(target))
        finally:
            browser.close()


def timeline(out: Path, work: Path) -> None:
    from rich.console import Console
    from rich.terminal_theme import MONOKAI

    import sim
    from sim.report import capture, sequence
    from sim.report._timeline import timeline_lines

    with open(os.devnull, "w") as sink:
        console = Console(
            record=True, width=80, force_terminal=True, color_system="truecolor", file=sink
        )
        for line in timeline_lines(sequence(capture(sim.load_scenario(None), "pre-fix"), 0)):
            console.print(line, crop=True)
    page = work / "timeline.html"
    page.write_text(
        console.export_html(theme=MONOKAI, inline_styles=True, code_format=TERMINAL_PAGE)
    )
    screenshot(page.as_uri(), out / "timeline.png", width=760, height=590)


def report(out: Path, work: Path) -> None:
    page = work / "report.html"
    run("report", "--output", str(page))
    screenshot(page.as_uri(), out / "report.png", width=1024, height=768, scroll_to="figure")


def explore(out: Path, work: Path) -> None:
    page = work / "explore.html"
    run("explore", "--output", str(page))
    moment = "#response_timeout=21&ok_delay=30&build=pre-fix"
    screenshot(page.as_uri() + moment, out / "explore.png", width=1024, height=1100)


def phase_map(out: Path, work: Path) -> None:
    run("phase-map", "--output", str(out / "phase-map.png"))


def phase_load(out: Path, work: Path) -> None:
    run("phase-map", "--load", "--output", str(out / "phase-load.png"))


def race(out: Path, work: Path) -> None:
    run("animate", "--output", str(out / "race.gif"))


PICTURES: dict[str, Callable[[Path, Path], None]] = {
    "timeline": timeline,
    "report": report,
    "explore": explore,
    "phase-map": phase_map,
    "phase-load": phase_load,
    "race": race,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(Path(__file__).parent / "img"))
    parser.add_argument("--only", default=",".join(PICTURES), help="pictures to make, by name")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in PICTURES]
    if unknown:
        parser.error(f"--only: unknown {', '.join(unknown)} (known: {', '.join(PICTURES)})")
    out = Path(args.directory)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mtasim-images-") as tmp:
        for name in names:
            PICTURES[name](out, Path(tmp))
            print(f"made {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
