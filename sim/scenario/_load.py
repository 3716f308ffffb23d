"""Loading scenario files (TOML, read with ``tomllib``; nothing is executed), ``--set``
overrides, and checking scenarios that did not come from a file.

Rules of this module:

* The text is looked at before ``tomllib`` reads it (:func:`~sim.scenario._text.prescan`):
  nesting too deep for its recursion and numbers too long for Python's int conversion are
  refused with their line, never a ``RecursionError`` or a ``ValueError`` of Python's.
* ``--set KEY=VALUE`` overrides are applied to the parsed data before validation, the key
  parsed by :class:`~sim.scenario.KeyPath` and the value typed by its field
  (:func:`apply_override`), so an override is validated like the file itself, and a problem
  with its value names the ``--set``, not the file.
* A scenario from anywhere else (a trace header, a sweep point, Python code) is validated by
  the same rules with the same messages: :func:`scenario_from_dict`, :func:`check_scenario`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from ..text._input import clip, quote
from ._check import SHOWN
from ._keys import KeyPath, Target
from ._problem import Problem, ScenarioError
from ._scenario import CLASSES, Scenario
from ._schema import ARRAY_TABLES, SCHEMA, field_for
from ._text import prescan
from ._validate import SetBy, validate

#: The scenario ``mtasim run`` uses without arguments.
DEFAULT_SCENARIO = "kb319936"


# -- bundled scenarios ---------------------------------------------------------------------
def _bundle() -> Any:
    return resources.files("sim").joinpath("scenarios")


def bundled_names() -> list[str]:
    """Names of the scenarios shipped in the package, sorted (a file whose name starts with
    ``_``, such as ``_claims.toml``, is not a scenario)."""
    return sorted(
        entry.name[: -len(".toml")]
        for entry in _bundle().iterdir()
        if entry.name.endswith(".toml") and not entry.name.startswith("_")
    )


def bundled_text(name: str) -> str:
    return str(_bundle().joinpath(f"{name}.toml").read_text(encoding="utf-8"))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the system, a NUL in it
        return False


def load_scenario(
    spec: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()
) -> Scenario:
    """Load a scenario from a path (``str`` or :class:`~pathlib.Path`), a bundled name
    (``heavy-load``) or, with ``None``, the KB Q319936 scenario; ``overrides`` are ``--set``
    assignments. Raises :class:`ScenarioError` naming the file on any problem."""
    if spec is None:
        spec = DEFAULT_SCENARIO
    if not isinstance(spec, (str, Path)):
        raise TypeError(f"expected a path or a bundled scenario name, got {type(spec).__name__}")
    path = Path(spec)
    shown = clip(str(spec))
    if _is_file(path):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(
                [Problem(shown, "", f"cannot read file: {getattr(exc, 'strerror', None) or exc}")]
            ) from None
        return parse_scenario(text, shown, overrides=overrides, default_name=path.stem)
    name = str(spec)
    name = name[: -len(".toml")] if name.endswith(".toml") and "/" not in name else name
    if name not in bundled_names():
        try:
            exists = path.exists()
        except (OSError, ValueError):
            exists = False
        if exists:
            raise ScenarioError([Problem(shown, "", "not a file")])
        known = ", ".join(bundled_names())
        raise ScenarioError(
            [Problem(shown, "", f"no such file or bundled scenario (bundled: {known})")]
        )
    return parse_scenario(
        bundled_text(name), f"<bundled:{name}>", overrides=overrides, default_name=name
    )


def parse_scenario(
    text: str,
    origin: str = "<string>",
    overrides: list[str] | tuple[str, ...] = (),
    default_name: str = "",
) -> Scenario:
    """Validate TOML text as a scenario."""
    found = prescan(text)
    if found is not None:
        raise ScenarioError([Problem(origin, "", found[1], found[0])])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise ScenarioError([Problem(origin, "", f"not valid TOML: {message}", line)]) from None
    except (RecursionError, ValueError):  # pragma: no cover - prescan refuses these first
        raise ScenarioError([Problem(origin, "", "not valid TOML: too deep or too long")]) from None
    problems: list[Problem] = []
    set_by: SetBy = {}
    for override in overrides:
        try:
            for target in apply_override(data, override):
                set_by[target] = override
        except ValueError as exc:
            problems.append(Problem(f"--set {clip(override)}", "", str(exc)))
    if problems:
        raise ScenarioError(problems)
    return validate(data, origin, text, default_name, set_by)


# -- overrides -------------------------------------------------------------------------------
def apply_override(data: dict[str, Any], assignment: str) -> list[Target]:
    """Apply ``KEY=VALUE`` (``winsock.response_timeout=30``, ``peers.0.count=5``) to parsed
    TOML data, typing VALUE by the schema. Returns what it set, as ``(table, group index or
    None, key)``. Raises ``ValueError`` with a one-line reason."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"expected KEY=VALUE, got {quote(assignment, SHOWN)}")
    path = KeyPath.parse(key)
    value = path.read(raw)
    places = path.apply(data, value)
    if not places:  # every group of an array that has none
        raise ValueError(
            f"{path}: the scenario has no [[{path.table}]]; use {path.table}.0.{path.name}"
        )
    return places


# -- scenarios from elsewhere ----------------------------------------------------------------
def scenario_from_dict(data: dict[str, Any], origin: str) -> Scenario:
    """Rebuild a scenario from :meth:`Scenario.to_dict` output (``"inf"`` back to inf where
    the schema allows inf), with the same validation as a file."""
    if not isinstance(data, dict):
        raise ScenarioError([Problem(origin, "", "expected a table of scenario keys")])

    def fix(table: str, section: Any) -> Any:
        if not isinstance(section, dict):
            return section
        out = dict(section)
        for key, value in section.items():
            f = field_for(table, key)
            if f is not None:
                out[key] = f.type.from_json(value)
        return out

    fixed = fix("", data)
    for table in SCHEMA:
        if table in ARRAY_TABLES and isinstance(fixed.get(table), list):
            fixed[table] = [fix(table, group) for group in fixed[table]]
        elif table and table in fixed:
            fixed[table] = fix(table, fixed[table])
    return validate(fixed, origin)


def check_scenario(scenario: Scenario, origin: str = "<python>") -> Scenario:
    """A :class:`Scenario` built or changed in Python, validated with the rules and messages
    of a file (``origin`` names it in them); returns it as a file would give it (durations as
    floats, the build's version, groups named), keeping its ``origin``.

    The last scenario objects checked are remembered by identity (a scenario is frozen), so
    that running one many times (a property test, a sweep) checks it once. (Not by equality:
    ``threads=1.0`` equals ``threads=1`` but is not valid.)"""
    key = (id(scenario), origin)
    seen = _CHECKED.get(key)
    if seen is not None and seen[0] is scenario:
        return seen[1]
    checked = _check_scenario(scenario, origin)
    if len(_CHECKED) >= 128:
        del _CHECKED[next(iter(_CHECKED))]
    _CHECKED[key] = (scenario, checked)  # the scenario is kept, so its id is not reused
    return checked


_CHECKED: dict[tuple[int, str], tuple[Scenario, Scenario]] = {}


def _check_scenario(scenario: Scenario, origin: str) -> Scenario:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"expected a Scenario, got {type(scenario).__name__}")

    def section(obj: Any, table: str) -> Any:
        # Anything may have been given in place of a table: it is validated as it is.
        if not isinstance(obj, CLASSES[table]):
            return obj
        return {f.key: getattr(obj, f.key) for f in SCHEMA[table]}

    data: dict[str, Any] = section(scenario, "")
    for table in filter(None, SCHEMA):
        value: Any = getattr(scenario, table)
        if table not in ARRAY_TABLES:
            value = section(value, table)
        elif isinstance(value, (list, tuple)):
            value = [section(item, table) for item in value]
        data[table] = value
    checked = validate(data, origin)
    return replace(checked, origin=scenario.origin)


def check_value(key: str, value: Any, origin: str) -> Any:
    """One top-level value (``seed``) checked by its schema field, as a file's would be."""
    f = field_for("", key)
    if f is None:
        raise KeyError(key)
    try:
        return f.check(value)
    except ValueError as exc:
        raise ScenarioError([Problem(origin, key, str(exc))]) from None
