"""The property-testing toolkit: hypothesis strategies for scenarios and their parts
(``_strategies``), the pytest plugin's fixtures (``_plugin``), and the hypothesis entry point
that registers the strategies for ``st.from_type`` (``_hook``).

The documented import paths are ``sim.strategies`` and ``sim.pytest_plugin`` (thin
re-exports of these modules, and the ``pytest11`` entry point); ``docs/testing.md``. This
package imports nothing itself: hypothesis loads ``_hook`` while it is being imported.
"""
