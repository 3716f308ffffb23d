"""The docs say what the code does: tables and keys are checked against the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import sim
from sim.core import (
    BUILDS,
    CATALOG,
    KNOWN_EVENTS,
    RULES,
    Build,
    events_markdown,
    inferred_markdown,
    rules_markdown,
    versions_markdown,
)
from sim.scenario import all_keys, key_tables

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: The KB article as the simulator was built from it, beside the checkout when there is one.
SEED = ROOT.parent / "shared" / "seed" / "000_46cab67bd8512695.txt"


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


def test_the_bundled_library_table_lists_every_bundled_scenario():
    text = _doc("scenarios.md")
    section = text[text.index("## The bundled library\n") :]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert sorted(row.split("`")[1] for row in rows) == sim.bundled_names()


def test_model_md_shows_the_rules_the_inferred_list_and_the_model_versions_as_rendered():
    text = _doc("model.md")
    assert rules_markdown() in text
    assert inferred_markdown() in text
    assert versions_markdown() in text


def test_every_rule_has_a_source_or_a_reason_and_a_unique_key():
    keys = [r.key for r in RULES]
    assert len(keys) == len(set(keys))
    for r in RULES:
        assert r.sources or r.inferred, r.key
        assert r.rule.strip() and all(c.quote.strip() and c.cite.strip() for c in r.sources)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.key)
def test_each_rule_names_its_home_and_the_home_names_the_rule(rule):
    path = ROOT / rule.home
    assert path.is_file(), f"rule {rule.key}: no module {rule.home}"
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert f"``{rule.key}``" in docstring, f"{rule.home}'s docstring does not name {rule.key}"


def _words(text: str) -> str:
    """The text with quote marks of Markdown and line breaks taken out: spaces only."""
    text = re.sub(r"^\s*> ?", " ", text, flags=re.M)
    return " ".join(text.split())


def _citations():
    return [(r.key, c) for r in RULES for c in r.sources]


@pytest.mark.parametrize(("key", "citation"), _citations(), ids=lambda v: getattr(v, "cite", v))
def test_every_quoted_passage_is_in_sources_md(key, citation):
    assert _words(citation.quote) in _words(_doc("sources.md")), f"rule {key}: {citation.cite}"


@pytest.mark.parametrize(
    ("key", "citation"),
    [(k, c) for k, c in _citations() if c.cite == "KB Q319936"],
    ids=lambda v: getattr(v, "cite", v),
)
def test_the_passages_of_kb_q319936_are_the_articles_words(key, citation):
    if not SEED.is_file():
        pytest.skip(
            "the copy of KB Q319936 the simulator was built from is not beside this checkout "
            f"({SEED}); docs/sources.md still holds its words"
        )
    assert _words(citation.quote) in _words(SEED.read_text(encoding="utf-8")), f"rule {key}"


def test_events_md_shows_the_known_events_exactly_as_the_catalog_renders_them():
    assert events_markdown() in _doc("events.md")


def test_every_event_of_the_catalog_is_a_modelled_row_of_events_md():
    modelled = [known.modelled for known in KNOWN_EVENTS if known.modelled is not None]
    assert sorted(modelled) == sorted(CATALOG)


#: The events issue 15 asks docs/events.md to list (the send-side NSI event has no id).
ISSUE_EVENTS = ("4258", "4283", "4282", "4284", "4287", "9156", "9202", "9224", "9301", "9298")


def test_events_md_lists_every_event_the_kbs_document_around_the_race():
    listed = [known.event for known in KNOWN_EVENTS]
    assert all(event in listed for event in ISSUE_EVENTS)
    assert any("send-side NSI event" in event for event in listed)


@pytest.mark.parametrize("known", [k for k in KNOWN_EVENTS if k.modelled is None], ids=str)
def test_every_kb_form_events_md_quotes_is_in_sources_md(known):
    sources = _words(_doc("sources.md"))
    for form in (known.eventviewer, known.ev0):
        if form != "not documented":
            quoted = form.split(" (BASE ")[0]  # the EV0 cell names its task after the lines
            for part in quoted.split(" / "):
                assert _words(part) in sources, f"{known.event}: {part}"


if __name__ == "__main__":  # print the tables for docs/model.md and docs/scenarios.md
    for b in BUILDS:
        print(f"#### {b.label}\n\n{table_markdown(b)}\n")
    print(key_tables())
