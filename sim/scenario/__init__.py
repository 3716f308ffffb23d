"""Scenarios: the schema, loading and validation of TOML files, and the plan of a run."""

from ._dump import to_toml
from ._load import (
    DEFAULT_SCENARIO,
    Problem,
    ScenarioError,
    apply_override,
    bundled_names,
    bundled_text,
    load_scenario,
    parse_scenario,
    scenario_from_dict,
    validate,
)
from ._plan import arrivals, model_config
from ._scenario import MtaSettings, PeerGroup, Scenario, WinsockSettings
from ._schema import SCHEMA, Field, Type, all_keys

__all__ = [
    "DEFAULT_SCENARIO",
    "SCHEMA",
    "Field",
    "MtaSettings",
    "PeerGroup",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Type",
    "WinsockSettings",
    "all_keys",
    "apply_override",
    "arrivals",
    "bundled_names",
    "bundled_text",
    "load_scenario",
    "model_config",
    "parse_scenario",
    "scenario_from_dict",
    "to_toml",
    "validate",
]
