"""Loading and validating scenario files (TOML, read with ``tomllib``; nothing is executed).

Rules of this module:

* Every problem becomes one :class:`Problem` line: ``FILE:LINE: KEY: what was found; expected
  WHAT``. All problems of a file are collected before :class:`ScenarioError` is raised, so a
  user fixes them in one go.
* Unknown keys get a "did you mean" suggestion from the schema when one is close.
* ``--set KEY=VALUE`` overrides are applied to the parsed data before validation, typed by the
  schema (:func:`apply_override`), so an override is validated like the file itself.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any

from .._plural import plural
from ..core import BuildError, LoggingLevel, MtasimError, resolve_build
from ._scenario import MtaSettings, PeerGroup, Scenario, WinsockSettings
from ._schema import ARRAY_TABLES, SCHEMA, Field, Type, all_keys, field_for

#: The scenario ``mtasim run`` uses without arguments.
DEFAULT_SCENARIO = "kb319936"


@dataclass(frozen=True, slots=True)
class Problem:
    origin: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.origin if self.line is None else f"{self.origin}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ScenarioError(MtasimError):
    """One or more problems in a scenario; ``str()`` gives one line per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# -- bundled scenarios ---------------------------------------------------------------------
def _bundle() -> Any:
    return resources.files("sim").joinpath("scenarios")


def bundled_names() -> list[str]:
    """Names of the scenarios shipped in the package, sorted."""
    return sorted(
        entry.name[: -len(".toml")] for entry in _bundle().iterdir() if entry.name.endswith(".toml")
    )


def bundled_text(name: str) -> str:
    return str(_bundle().joinpath(f"{name}.toml").read_text(encoding="utf-8"))


def load_scenario(
    spec: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()
) -> Scenario:
    """Load a scenario from a path, a bundled name (``heavy-load``) or, with ``None``, the KB
    Q319936 scenario. Raises :class:`ScenarioError` naming the file on any problem."""
    if spec is None:
        spec = DEFAULT_SCENARIO
    path = Path(spec)
    if path.is_file():
        origin = str(spec)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError([Problem(origin, "", f"cannot read file: {exc}")]) from None
        default_name = path.stem
    else:
        name = str(spec)
        name = name[: -len(".toml")] if name.endswith(".toml") and "/" not in name else name
        if name not in bundled_names():
            if path.exists():
                raise ScenarioError([Problem(str(spec), "", "not a file")])
            known = ", ".join(bundled_names())
            raise ScenarioError(
                [Problem(str(spec), "", f"no such file or bundled scenario (bundled: {known})")]
            )
        origin = f"<bundled:{name}>"
        text = bundled_text(name)
        default_name = name
    return parse_scenario(text, origin, overrides=overrides, default_name=default_name)


def parse_scenario(
    text: str,
    origin: str = "<string>",
    overrides: list[str] | tuple[str, ...] = (),
    default_name: str = "",
) -> Scenario:
    """Validate TOML text as a scenario."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise ScenarioError([Problem(origin, "", f"not valid TOML: {message}", line)]) from None
    problems: list[Problem] = []
    for override in overrides:
        try:
            apply_override(data, override)
        except ValueError as exc:
            problems.append(Problem("--set", "", str(exc)))
    if problems:
        raise ScenarioError(problems)
    return validate(data, origin, text, default_name)


def validate(data: dict[str, Any], origin: str, text: str = "", default_name: str = "") -> Scenario:
    """Check parsed TOML against the schema; build a :class:`Scenario` or raise."""
    problems: list[Problem] = []
    lines = text.splitlines()

    def problem(table: str, key: str, message: str, index: int | None = None) -> None:
        dotted = (
            key
            if not table
            else (f"{table}[{index}].{key}" if index is not None else f"{table}.{key}")
        )
        problems.append(Problem(origin, dotted, message, _find_line(lines, table, key, index)))

    top = _section(data, "", problem)
    winsock = _section(_table(data, "winsock", problem), "winsock", problem)
    mta = _section(_table(data, "mta", problem), "mta", problem)
    peers: list[dict[str, Any]] = []
    raw_peers = data.get("peers", [])
    if not isinstance(raw_peers, list) or not all(isinstance(p, dict) for p in raw_peers):
        problem("", "peers", "expected an array of tables ([[peers]])")
        raw_peers = []
    for index, raw in enumerate(raw_peers):
        peers.append(_section(raw, "peers", problem, index))

    for key in data:
        if key not in ("winsock", "mta", "peers") and field_for("", key) is None:
            problem("", key, "unknown key" + _did_you_mean(key, ""))

    # Cross-field checks.
    if mta["open_associations"] > mta["control_blocks"] - 1:
        problem(
            "mta",
            "open_associations",
            f"{plural(mta['open_associations'], 'association')} "
            f"need{'s' if mta['open_associations'] == 1 else ''} more control blocks than the "
            f"{mta['control_blocks']} configured (one is the listener's); expected at most "
            f"{mta['control_blocks'] - 1}",
        )
    if problems:
        # In file order; problems without a line (missing keys) last, in schema order.
        order = {id(p): i for i, p in enumerate(problems)}
        problems.sort(key=lambda p: (p.line is None, p.line or 0, order[id(p)]))
        raise ScenarioError(problems)

    name = top["name"] or default_name
    groups = tuple(
        PeerGroup(**{**p, "name": p["name"] or f"peer-{i + 1}"}) for i, p in enumerate(peers)
    )
    return Scenario(
        name=name,
        description=top["description"],
        seed=top["seed"],
        epoch=top["epoch"],
        build=top["build"],
        until=top["until"],
        winsock=WinsockSettings(**winsock),
        mta=MtaSettings(**mta),
        peers=groups,
        origin=origin,
    )


def _table(data: dict[str, Any], name: str, problem: Any) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        problem("", name, f"expected a table [{name}], found {_kind(value)}")
        return {}
    return value


def _section(
    raw: dict[str, Any], table: str, problem: Any, index: int | None = None
) -> dict[str, Any]:
    """Validate one table's keys; return the values (defaults filled in)."""
    out: dict[str, Any] = {}
    for f in SCHEMA[table]:
        if f.key not in raw:
            out[f.key] = _coerce(f, f.default)
            continue
        try:
            out[f.key] = _coerce(f, raw[f.key])
        except ValueError as exc:
            problem(table, f.key, str(exc), index)
            out[f.key] = _coerce(f, f.default)
    if table:
        for key in raw:
            if field_for(table, key) is None:
                problem(table, key, "unknown key" + _did_you_mean(key, table), index)
    return out


def _coerce(f: Field, value: Any) -> Any:
    """The value as the field's type, or ``ValueError`` saying found/expected."""
    found = f"found {_kind(value)} {_show(value)}"
    expected = f"expected {f.expected()}"
    if f.type is Type.STRING:
        if not isinstance(value, str):
            raise ValueError(f"{found}; {expected}")
        return value
    if f.type is Type.CHOICE:
        if not isinstance(value, str) or value not in f.choices:
            raise ValueError(f"{found}; {expected}")
        return value
    if f.type is Type.BUILD:
        if not isinstance(value, str):
            raise ValueError(f"{found}; {expected}")
        try:
            return resolve_build(value).version
        except BuildError as exc:
            raise ValueError(str(exc)) from None
    if f.type is Type.LOGGING:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValueError(f"{found}; {expected}")
        try:
            return LoggingLevel.parse(value)
        except ValueError:
            raise ValueError(f"{found}; {expected}") from None
    if f.type is Type.DATETIME:
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                raise ValueError(
                    f"{found}; expected a local date-time without a UTC offset "
                    "(the MTA prints local time)"
                )
            return value
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{found}; {expected}") from None
            if parsed.tzinfo is not None:
                raise ValueError(f"{found}; expected a local date-time without a UTC offset")
            return parsed
        if isinstance(value, (date, time)):
            raise ValueError(f"{found}; {expected} (a date and a time)")
        raise ValueError(f"{found}; {expected}")
    if f.type is Type.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{found}; {expected}")
        _check_range(f, float(value), found, expected)
        return value
    # seconds
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{found}; {expected}")
    number = float(value)
    if math.isnan(number):
        raise ValueError(f"{found}; {expected}")
    if math.isinf(number):
        if f.type is Type.SECONDS_OR_INF and number > 0:
            return number
        raise ValueError(f"{found}; {expected}")
    _check_range(f, number, found, expected)
    return number


def _check_range(f: Field, number: float, found: str, expected: str) -> None:
    if f.minimum is not None and (
        number < f.minimum or (f.exclusive_minimum and number == f.minimum)
    ):
        raise ValueError(f"{found}; {expected}")
    if f.maximum is not None and number > f.maximum:
        raise ValueError(f"{found}; {expected}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "date-time"
    if isinstance(value, (date, time)):
        return "date" if isinstance(value, date) else "time"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _did_you_mean(key: str, table: str) -> str:
    candidates = [f.key for f in SCHEMA.get(table, ())]
    if not table:
        candidates += ["winsock", "mta", "peers"]
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    if not close and table == "":
        # A section key written at the top level ("response_timeout = 5").
        for name, fields in SCHEMA.items():
            if name and any(f.key == key for f in fields):
                return f" (did you mean {name}.{key}?)"
    return f" (did you mean {close[0]!r}?)" if close else ""


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$")


def _find_line(lines: list[str], table: str, key: str, index: int | None) -> int | None:
    """The 1-based line where ``key`` is set in ``table`` (the ``index``-th array table)."""
    current = ""
    seen = -1
    key_re = re.compile(rf"^\s*(?:{re.escape(table)}\.)?{re.escape(key)}\s*=")
    top_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number, line in enumerate(lines, start=1):
        header = _HEADER.match(line)
        if header:
            current = header.group(1)
            if current == table:
                seen += 1
            continue
        if table == "" and current == "" and top_re.match(line):
            return number
        if table and current == table and (index is None or index == seen) and key_re.match(line):
            return number
        if (
            table
            and current == ""
            and re.match(rf"^\s*{re.escape(table)}\.{re.escape(key)}\s*=", line)
        ):
            return number
    return None


# -- overrides -------------------------------------------------------------------------------
def apply_override(data: dict[str, Any], assignment: str) -> None:
    """Apply ``KEY=VALUE`` (``winsock.response_timeout=30``, ``peers.0.count=5``) to parsed
    TOML data, typing VALUE by the schema. Raises ``ValueError`` with a one-line reason."""
    key, sep, raw = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"expected KEY=VALUE, got {assignment!r}")
    parts = key.split(".")
    index: int | None = None
    if len(parts) == 3 and parts[0] in ARRAY_TABLES and parts[1].isdigit():
        table, index, name = parts[0], int(parts[1]), parts[2]
    elif len(parts) == 2:
        table, name = parts
    elif len(parts) == 1:
        table, name = "", parts[0]
    else:
        raise ValueError(f"unknown key {key!r}")
    f = field_for(table, name)
    if f is None:
        close = difflib.get_close_matches(key, all_keys(), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown key {key!r}{hint}")
    value = _parse_value(f, raw.strip(), key)
    if table in ARRAY_TABLES:
        groups = data.setdefault(table, [])
        if not isinstance(groups, list):
            raise ValueError(f"{key}: {table} is not an array of tables")
        if index is None:
            if not groups:
                raise ValueError(f"{key}: the scenario has no [[{table}]]; use {table}.0.{name}")
            targets = groups
        elif index >= len(groups):
            raise ValueError(f"{key}: the scenario has {len(groups)} [[{table}]] tables")
        else:
            targets = [groups[index]]
        for group in targets:
            group[name] = value
    elif table:
        section = data.setdefault(table, {})
        if not isinstance(section, dict):
            raise ValueError(f"{key}: {table} is not a table")
        section[name] = value
    else:
        data[name] = value


def _parse_value(f: Field, raw: str, key: str) -> Any:
    if f.type is Type.INT:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{key}: {raw!r} is not an integer") from None
    if f.type in (Type.SECONDS, Type.SECONDS_OR_INF):
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{key}: {raw!r} is not a number of seconds") from None
    if f.type is Type.LOGGING and raw.isdigit():
        return int(raw)
    if f.type is Type.DATETIME:
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(
                f"{key}: {raw!r} is not a date-time like 2002-02-26T14:43:29"
            ) from None
    return raw


def scenario_from_dict(data: dict[str, Any], origin: str) -> Scenario:
    """Rebuild a scenario from :meth:`Scenario.to_dict` output (``"inf"`` back to inf), with
    the same validation as a file."""

    def fix(value: Any) -> Any:
        if value == "inf":
            return math.inf
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    fixed = fix(data)
    if not isinstance(fixed, dict):
        raise ScenarioError([Problem(origin, "", "expected a table of scenario keys")])
    return validate(fixed, origin)
