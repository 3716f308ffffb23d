"""The rules the model adds around POP4's tables, each with its source or its reason.

Rules of this module:

* :data:`RULES` is every rule of the model that is not a row of POP4's tables (those carry
  their source in ``_state.py`` and ``_builds.py``): what the model does, the sources it
  rests on, quoted verbatim (``docs/sources.md`` holds every passage, with where it was
  found), and, where no source says it, **[inferred]** with the reason.
* Each rule names the module that carries it out (``home``); that module's docstring names the
  rule by its key (``rule `response-timer```), so that the code and the list point at each
  other. ``tests/test_docs.py`` checks both, and that ``docs/model.md`` shows the tables
  :func:`rules_markdown` and :func:`inferred_markdown` render, byte for byte.
"""

from __future__ import annotations

from ._rule import Citation, Rule
from ._rules_halfopen import HALF_OPEN_RULES
from ._rules_race import RACE_RULES
from ._rules_records import RECORD_RULES

__all__ = ["RULES", "Citation", "Rule", "inferred_markdown", "rule", "rules_markdown"]

RULES: tuple[Rule, ...] = RACE_RULES + HALF_OPEN_RULES + RECORD_RULES

TOPICS: tuple[str, ...] = tuple(dict.fromkeys(rule.topic for rule in RULES))


def rule(key: str) -> Rule:
    """The rule ``key``; ``KeyError`` if there is none."""
    for candidate in RULES:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def rules_markdown() -> str:
    """The rules, as ``docs/model.md`` shows them: a table per topic."""
    parts: list[str] = []
    for topic in TOPICS:
        lines = [
            f"#### {topic[0].upper()}{topic[1:]}",
            "",
            "| rule | what the model does | source |",
        ]
        lines.append("|---|---|---|")
        for r in (r for r in RULES if r.topic == topic):
            cites = [s.markdown() for s in r.sources]
            if r.inferred:
                cites.append(f"**[inferred]** {r.inferred}")
            lines.append(f"| `{r.key}` | {r.rule} | {'; '.join(cites)} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def inferred_markdown() -> str:
    """Every inferred rule, numbered, as ``docs/model.md``'s list shows them."""
    lines = []
    for number, r in enumerate((r for r in RULES if r.inferred), start=1):
        lines.append(f"{number}. `{r.key}`: {r.inferred}")
    return "\n".join(lines)
