"""Hypothesis profiles for the property suite.

``ci`` (the default) keeps the whole suite within a few minutes on 2 cores; run
``pytest --hypothesis-profile=thorough tests/laws`` for many more examples.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")
