"""The docs say what the code does: tables and keys are checked against the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.core import BUILDS, Build
from sim.scenario import all_keys

DOCS = Path(__file__).resolve().parents[1] / "docs"


def table_markdown(build: Build) -> str:
    lines = ["| state | input | next state | effects | source |", "|---|---|---|---|---|"]
    for (state, event), row in build.table().items():
        effects = "; ".join(e.value for e in row.effects)
        lines.append(
            f"| {state.value} | {event.value} | {row.next_state.value} | {effects} | {row.source} |"
        )
    return "\n".join(lines)


def _doc(name: str) -> str:
    path = DOCS / name
    if not path.exists():
        pytest.skip(f"docs/{name} is not part of this installation")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("build", BUILDS, ids=lambda b: b.alias)
def test_model_md_shows_each_builds_table_as_the_code_has_it(build):
    assert table_markdown(build) in _doc("model.md")


def test_every_scenario_key_is_documented():
    text = _doc("scenarios.md")
    missing = [key for key in all_keys() if f"`{key}`" not in text]
    assert missing == []


if __name__ == "__main__":  # print the tables for docs/model.md
    for b in BUILDS:
        print(f"#### {b.label}\n\n{table_markdown(b)}\n")
