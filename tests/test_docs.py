"""The docs say what the code does: tables and keys are checked against the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.core import BUILDS, Build
from sim.scenario import all_keys, key_tables

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


def _every_key_tables(text: str) -> str:
    """The tables of the "## Every key" section of docs/scenarios.md: from its first ``###``
    heading (after its introduction) to the next ``##`` section."""
    section = text.index("## Every key\n")
    start = text.index("\n### ", section) + 1
    return text[start : text.index("\n\n## ", start)]


def test_scenarios_md_shows_the_key_tables_exactly_as_the_schema_renders_them():
    assert _every_key_tables(_doc("scenarios.md")) == key_tables()


def test_the_key_tables_have_a_row_for_every_key_of_the_schema():
    rows = [line for line in key_tables().splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == all_keys()


if __name__ == "__main__":  # print the tables for docs/model.md and docs/scenarios.md
    for b in BUILDS:
        print(f"#### {b.label}\n\n{table_markdown(b)}\n")
    print(key_tables())
