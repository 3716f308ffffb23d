"""Shared fixtures: the golden KB text and a scenario factory."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import sim

GOLDEN = Path(__file__).parent / "golden"

# Hypothesis profiles. "ci" (the default) keeps the suite within a few minutes on 2 cores;
# `pytest --hypothesis-profile=thorough` runs the property tests with many more examples
# (this conftest is loaded before hypothesis reads the option, so the option wins).
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")


@pytest.fixture
def kb_pre_fix_text() -> str:
    """The KB Q319936 event blocks, 'later' removed (copied from shared/seed)."""
    return (GOLDEN / "kb319936-pre-fix.ev0").read_text(encoding="utf-8")


@pytest.fixture
def kb_post_fix_text() -> str:
    return (GOLDEN / "kb319936-post-fix.ev0").read_text(encoding="utf-8")


def scenario(text: str = "", **_: object) -> sim.Scenario:
    """A scenario from TOML text (helper for tests)."""
    return sim.parse_scenario(text, "<test>")


pytest_plugins = ["pytester"]
