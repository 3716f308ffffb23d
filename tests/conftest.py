"""Shared fixtures: the golden KB text and a scenario factory."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim

GOLDEN = Path(__file__).parent / "golden"


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
