"""The key tables of ``docs/scenarios.md``, rendered from the schema.

Rules of this module:

* :func:`key_tables` is the text of the doc's "Every key" section: one Markdown table per
  table of :data:`~sim.scenario.SCHEMA`, a row per field (its dotted key, its type's name, its
  unit, its default as TOML writes it, what it accepts, its meaning). A test checks that the
  doc holds exactly this text, so the docs cannot drift from the schema: change the schema,
  then paste the output of ``python tests/test_docs.py`` into the doc.
"""

from __future__ import annotations

from ._field import Field
from ._schema import ARRAY_TABLES, SCHEMA

_HEADER = (
    "| key | type | unit | default | range / values | meaning |",
    "|---|---|---|---|---|---|",
)


def _title(table: str) -> str:
    if not table:
        return "Top level"
    if table in ARRAY_TABLES:
        return f"`[[{table}]]` (each group)"
    return f"`[{table}]`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _row(table: str, f: Field) -> str:
    key = f"{table}.{f.key}" if table else f.key
    cells = (
        f"`{key}`",
        f.type.name,
        f.shown_unit,
        f"`{f.type.toml(f.default)}`",
        f.expected(),
        f.doc,
    )
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def key_tables() -> str:
    """The Markdown of every key, table by table (no trailing newline)."""
    blocks = [
        "\n".join((f"### {_title(table)}", "", *_HEADER, *(_row(table, f) for f in fields)))
        for table, fields in SCHEMA.items()
    ]
    return "\n\n".join(blocks)
