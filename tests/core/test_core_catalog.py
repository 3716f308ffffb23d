"""The event catalog is the one home of what each event is: its texts, its fields, its tone.

A scan of ``sim/`` (its syntax trees) finds no event-id literal and no branch on an event id
outside ``sim/core/_catalog.py``: adding an event is adding a catalog entry (and the rule that
logs it), never a new ``if event_id is ...`` somewhere else.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim.core import CATALOG, FIELDS, Event, EventId
from sim.render import ev0_block, eventviewer_block, parse_ev0, parse_eventviewer
from sim.render._forms import fill, pattern

SIM = Path(__file__).resolve().parents[2] / "sim"
CATALOG_MODULE = SIM / "core" / "_catalog.py"
IDS = {int(e) for e in EventId}


def _is_event_id(node: ast.AST) -> bool:
    """``EventId.X`` or an int literal that is an event id."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "EventId"
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value in IDS


def findings(path: Path, root: Path = SIM.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value in IDS:
            found.append(f"{where}: the event id {node.value} as a literal")
        elif isinstance(node, ast.Compare) and any(
            _is_event_id(side) for side in (node.left, *node.comparators)
        ):
            found.append(f"{where}: a comparison with an event id ({ast.unparse(node)})")
        elif isinstance(node, ast.Match) and any(
            _is_event_id(case.pattern.value)
            for case in node.cases
            if isinstance(case.pattern, ast.MatchValue)
        ):
            found.append(f"{where}: a match on event ids")
    return found


def test_no_event_id_literal_or_branch_outside_the_catalog():
    paths = [p for p in sorted(SIM.rglob("*.py")) if p != CATALOG_MODULE]
    assert len(paths) > 50
    assert [f for path in paths for f in findings(path)] == []


def test_the_scan_finds_what_it_looks_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from sim.core import EventId\n"
        "def label(e):\n"
        "    if e.event_id is EventId.BAD_LPI:\n"
        "        return 4283\n"
        "    match e.event_id:\n"
        "        case EventId.NO_FREE_CONTROL_BLOCKS:\n"
        "            return 1\n"
    )
    found = findings(bad, tmp_path)
    assert len(found) == 3, found  # the comparison, the literal, the match


@pytest.mark.parametrize("event_id", list(EventId), ids=lambda e: str(int(e)))
def test_every_entry_is_whole(event_id):
    spec = CATALOG[event_id]
    assert spec.event_id is event_id
    assert spec.symbol.endswith(str(int(event_id)))
    assert set(spec.fields) <= set(FIELDS)
    for template in (spec.title, *spec.lines, spec.description, spec.oneline, spec.label):
        placeholders = set(pattern(template).groupindex)
        assert placeholders <= set(spec.fields), (template, placeholders)
    assert len(spec.short) <= 24 or "{" in spec.short


def _sample(event_id: EventId) -> Event:
    from datetime import datetime

    from sim.core import Lpi

    values = {
        "cb": 12,
        "lpi": Lpi(1, 15, 12),
        "message_type": "Close Request",
        "error_code": 8464,
        "network": 1,
        "configured_count": 20,
    }
    kept = {k: v for k, v in values.items() if k in CATALOG[event_id].fields}
    return Event(event_id, 0, datetime(2002, 2, 26, 14, 43, 50), **kept)  # type: ignore[arg-type]


@pytest.mark.parametrize("event_id", list(EventId), ids=lambda e: str(int(e)))
def test_what_is_written_from_the_catalog_reads_back(event_id):
    event = _sample(event_id)
    assert parse_ev0(ev0_block(event)) == [event]
    assert parse_eventviewer(eventviewer_block(event)) == [event]
    assert fill(event, CATALOG[event_id].title) in ev0_block(event)
    assert fill(event, CATALOG[event_id].description) in eventviewer_block(event)
