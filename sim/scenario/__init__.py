"""Scenarios: the schema, loading and validation of TOML files, and the plan of a run."""

from ._dump import to_toml
from ._field import Field
from ._keys import KeyPath, KeyPathError, Target
from ._load import (
    DEFAULT_SCENARIO,
    apply_override,
    bundled_names,
    bundled_text,
    check_scenario,
    check_value,
    load_scenario,
    parse_scenario,
    scenario_from_dict,
)
from ._plan import (
    FLOOD,
    ServiceTimes,
    arrivals,
    flood_syns,
    latest,
    model_config,
    room,
    tail_bound,
)
from ._problem import MAX_PROBLEMS, Problem, ScenarioError
from ._scenario import MtaSettings, PeerGroup, Scenario, WinsockSettings, digest_of
from ._schema import SCHEMA, all_keys
from ._tables import key_tables
from ._types import TYPES, Type
from ._validate import validate

__all__ = [
    "DEFAULT_SCENARIO",
    "FLOOD",
    "MAX_PROBLEMS",
    "SCHEMA",
    "TYPES",
    "Field",
    "KeyPath",
    "KeyPathError",
    "MtaSettings",
    "PeerGroup",
    "Problem",
    "Scenario",
    "ScenarioError",
    "ServiceTimes",
    "Target",
    "Type",
    "WinsockSettings",
    "all_keys",
    "apply_override",
    "arrivals",
    "bundled_names",
    "bundled_text",
    "check_scenario",
    "check_value",
    "digest_of",
    "flood_syns",
    "key_tables",
    "latest",
    "load_scenario",
    "model_config",
    "parse_scenario",
    "room",
    "scenario_from_dict",
    "tail_bound",
    "to_toml",
    "validate",
]
