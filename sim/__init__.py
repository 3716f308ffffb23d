"""mtasim: a deterministic simulator of the Exchange Server 5.5 MTA event 4283 race
(Microsoft KB Q319936).

Quick use::

    import sim
    result = sim.run()                      # the KB scenario on the pre-fix build
    print(sim.render_events(result.events)) # the KB's two EV0 blocks
    sim.run(build="post-fix").events        # the 4258 alone

Layers (imports point down): ``sim.cli`` -> ``sim.render`` -> ``sim.drivers`` ->
``sim.scenario`` -> ``sim.core`` (sans-IO). See ``docs/model.md``.
"""

from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from .app._run import RunResult, run, run_in_trio
    from .core import (
        BUILDS,
        MODEL_VERSION,
        MODEL_VERSIONS,
        POST_FIX,
        POST_SP3,
        PRE_FIX,
        SP5,
        Build,
        BuildError,
        ConnSpec,
        Event,
        EventId,
        EventType,
        Kind,
        LocalProtocolError,
        LoggingLevel,
        Lpi,
        MtasimError,
        ProtocolError,
        RemoteProtocolError,
        State,
        resolve_build,
    )
    from .render import render as render_events
    from .scenario import Scenario, ScenarioError, bundled_names, load_scenario, parse_scenario
else:
    from ._lazy import lazy_exports

    # Imported when first used (sim/_lazy.py): `import sim` imports neither trio nor the drivers.
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            ".app._run": ("RunResult", "run", "run_in_trio"),
            ".core": (
                "BUILDS",
                "MODEL_VERSION",
                "MODEL_VERSIONS",
                "POST_FIX",
                "POST_SP3",
                "PRE_FIX",
                "SP5",
                "Build",
                "BuildError",
                "ConnSpec",
                "Event",
                "EventId",
                "EventType",
                "Kind",
                "LocalProtocolError",
                "LoggingLevel",
                "Lpi",
                "MtasimError",
                "ProtocolError",
                "RemoteProtocolError",
                "State",
                "resolve_build",
            ),
            ".scenario": (
                "Scenario",
                "ScenarioError",
                "bundled_names",
                "load_scenario",
                "parse_scenario",
            ),
        },
        aliases={"render_events": (".render", "render")},
    )

__all__ = [
    "BUILDS",
    "MODEL_VERSION",
    "MODEL_VERSIONS",
    "POST_FIX",
    "POST_SP3",
    "PRE_FIX",
    "SP5",
    "Build",
    "BuildError",
    "ConnSpec",
    "Event",
    "EventId",
    "EventType",
    "Kind",
    "LocalProtocolError",
    "LoggingLevel",
    "Lpi",
    "MtasimError",
    "ProtocolError",
    "RemoteProtocolError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "State",
    "__version__",
    "bundled_names",
    "load_scenario",
    "parse_scenario",
    "render_events",
    "resolve_build",
    "run",
    "run_in_trio",
]
