"""``mtasim animate``: the race of one connection on several builds side by side, as a GIF
(or an MP4 when ffmpeg is there) for slides. The frames are ``sim.report._animate``'s; the
file is written atomically."""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import Any

from ..text._plural import plural
from ._common import (
    UsageError,
    add_builds_argument,
    add_scenario_arguments,
    check_writable,
    parse_builds,
)
from ._connection_args import add_connection_arguments, pick_connection
from ._limits import add_max_connections_argument, load_bounded


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "animate",
        description="Draw one connection's race on each build side by side as an animation: "
        "time runs down the lanes one second per frame, the Winsock timer and the kernel's OK "
        "response race, and the events appear as they are logged. The file's suffix chooses "
        "the format: .gif (Pillow) or .mp4 (needs ffmpeg). Needs matplotlib.",
    )
    add_scenario_arguments(parser)
    add_builds_argument(parser, "pre-fix,post-fix")
    add_connection_arguments(parser)
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        default="race.gif",
        help="the animation to write, atomically: FILE.gif or FILE.mp4 (default: race.gif)",
    )
    add_max_connections_argument(parser)
    parser.set_defaults(handler=animate_main)


def animate_main(args: argparse.Namespace) -> int:
    from ..report import capture, sequence
    from ..report._animate import FPS, frames, write_animation
    from ..report._phase import require_matplotlib

    require_matplotlib()
    lower = str(args.output).lower()
    if not lower.endswith((".gif", ".mp4")):
        raise UsageError(f"--output {args.output}: the name must end in .gif or .mp4")
    if lower.endswith(".mp4") and shutil.which("ffmpeg") is None:
        raise UsageError(
            "--output: an MP4 needs ffmpeg, which is not installed (Debian: apt-get install "
            "ffmpeg); a .gif needs nothing more"
        )
    builds = parse_builds(args.builds)
    check_writable(args.output, "--output")
    scenario = load_bounded(args)
    runs = [capture(scenario, b) for b in builds]
    conn = pick_connection(runs[0], args.lpi, args.conn)
    seqs = [sequence(run, conn) for run in runs]
    try:
        write_animation(seqs, args.output)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    count = len(frames(seqs))
    print(
        f"mtasim animate: wrote {args.output} (connection {conn} on "
        f"{plural(len(builds), 'build')}, {plural(count, 'frame')} of 1 s at {FPS} per second)",
        file=sys.stderr,
    )
    return 0
