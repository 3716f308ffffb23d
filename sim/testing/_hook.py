"""The ``hypothesis`` entry point of mtasim: lets ``st.from_type`` draw the scenario types.

Hypothesis calls :func:`setup` while it is being imported, possibly because
``sim.strategies`` itself is being imported, so this module imports nothing heavy and the
strategies are looked up lazily (``st.deferred``) on first use.
"""

from __future__ import annotations

import importlib
from typing import Any


def _lazy(name: str) -> Any:
    from hypothesis import strategies as st

    # The lambda is the point: sim.strategies is imported on first draw, not now.
    return st.deferred(lambda: getattr(importlib.import_module("sim.strategies"), name)())  # noqa: PLW0108


def setup() -> None:
    from hypothesis import strategies as st

    from ..core import Build
    from ..scenario import MtaSettings, PeerGroup, Scenario, WinsockSettings

    st.register_type_strategy(Scenario, _lazy("scenarios"))
    st.register_type_strategy(PeerGroup, _lazy("peer_groups"))
    st.register_type_strategy(MtaSettings, _lazy("mta_loads"))
    st.register_type_strategy(WinsockSettings, _lazy("winsock_settings"))
    st.register_type_strategy(Build, _lazy("builds"))
