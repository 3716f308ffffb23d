"""docs/testing.md's worked example: the same text as tests/user_example/, green in a fresh
project that knows nothing of this repository's conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "user_example" / "test_user_example.py"


def test_docs_show_the_example_verbatim():
    docs = ROOT / "docs" / "testing.md"
    if not docs.exists():
        pytest.skip("docs/ is not part of this installation")
    text = docs.read_text(encoding="utf-8")
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    assert block == EXAMPLE.read_text(encoding="utf-8")


def test_the_example_passes_in_a_fresh_project(pytester):
    pytester.makepyfile(test_user=EXAMPLE.read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\ntrio_mode = true\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
