"""Pictures of the race: per-connection sequence diagrams (terminal timeline and SVG), the
HTML report, the explorer (``_explore``, ``_explore_page``), the animation (``_animate``), the
guided demo and the phase map.

Layering: ``sim.report`` sits beside ``sim.render`` and above the drivers: it runs scenarios
(:func:`capture`) and draws what they did. :mod:`._sequence` is the pure model every picture
shares; the renderers decide nothing about the race.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._capture import RunLog, capture
    from ._diagram import Action, Arrow, Lane, Note, Race, Row, Sequence, Span, SpanKind, Winner
    from ._phase import (
        PhaseGrid,
        PlotUnavailable,
        grid_from_rows,
        phase_grid,
        phase_png,
        plot_phase_map,
    )
    from ._picks import conn_for_lpi, connections, default_conn, interesting_conns, lpis
    from ._sequence import sequence
else:
    from .._lazy import lazy_exports

    # Imported when first used (sim/_lazy.py): a command imports only the pictures it draws.
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "._capture": ("RunLog", "capture"),
            "._diagram": (
                "Action",
                "Arrow",
                "Lane",
                "Note",
                "Race",
                "Row",
                "Sequence",
                "Span",
                "SpanKind",
                "Winner",
            ),
            "._phase": (
                "PhaseGrid",
                "PlotUnavailable",
                "grid_from_rows",
                "phase_grid",
                "phase_png",
                "plot_phase_map",
            ),
            "._picks": ("conn_for_lpi", "connections", "default_conn", "interesting_conns", "lpis"),
            "._sequence": ("sequence",),
        },
    )

__all__ = [
    "Action",
    "Arrow",
    "Lane",
    "Note",
    "PhaseGrid",
    "PlotUnavailable",
    "Race",
    "Row",
    "RunLog",
    "Sequence",
    "Span",
    "SpanKind",
    "Winner",
    "capture",
    "conn_for_lpi",
    "connections",
    "default_conn",
    "grid_from_rows",
    "interesting_conns",
    "lpis",
    "phase_grid",
    "phase_png",
    "plot_phase_map",
    "sequence",
]
