"""One schema: the dataclasses' defaults are the schema's, and each type of field is one
object that checks, reads, writes and describes its values."""

from __future__ import annotations

import math
import tomllib
from dataclasses import fields
from datetime import date, datetime

import pytest

from sim.core import LoggingLevel
from sim.scenario import (
    SCHEMA,
    TYPES,
    MtaSettings,
    PeerGroup,
    Scenario,
    WinsockSettings,
    parse_scenario,
    to_toml,
)

CLASSES = {"": Scenario, "winsock": WinsockSettings, "mta": MtaSettings, "peers": PeerGroup}
EVERY_FIELD = [(table, f) for table, fs in SCHEMA.items() for f in fs]
IDS = [f"{table}.{f.key}".lstrip(".") for table, f in EVERY_FIELD]


@pytest.mark.parametrize(("table", "f"), EVERY_FIELD, ids=IDS)
def test_the_dataclass_default_is_the_schemas(table, f):
    cls = CLASSES[table]
    (attribute,) = [a for a in fields(cls) if a.name == f.key]
    assert attribute.default == f.built_default
    assert getattr(cls(), f.key) == f.built_default


def test_the_defaults_are_the_values_a_scenario_holds():
    assert MtaSettings().logging is LoggingLevel.MAXIMUM
    assert Scenario().epoch == datetime(2002, 2, 26, 14, 43, 29)
    assert math.isinf(Scenario().until) and math.isinf(PeerGroup().give_up)
    # A group built alone in Python is the first; a file's unnamed group is named by position.
    assert PeerGroup().name == "peer-1"
    assert parse_scenario("[[peers]]\nname = 'a'\n[[peers]]\n").peers[1].name == "peer-2"


@pytest.mark.parametrize(("table", "f"), EVERY_FIELD, ids=IDS)
def test_each_default_passes_its_own_check_and_writes_back_to_itself(table, f):
    held = f.check(f.default)
    assert f.type.is_default(f, f.default)
    assert f.type.is_default(f, held) or f.type.name == "build name"  # the alias, checked
    written = tomllib.loads(f"v = {f.type.toml(held)}")["v"]
    assert f.check(written) == held
    assert f.check(f.type.from_json(f.type.json(held))) == held


def test_every_field_has_one_of_the_types_and_the_table_names_them():
    assert sorted(TYPES) == sorted(
        [
            "integer",
            "seconds",
            "seconds or inf",
            "string",
            "date-time",
            "one of",
            "build name",
            "logging level",
        ]
    )
    assert {f.type for _, f in EVERY_FIELD} == set(TYPES.values())
    numeric = {name for name, t in TYPES.items() if t.numeric}
    assert numeric == {"integer", "seconds", "seconds or inf"}
    assert [name for name, t in TYPES.items() if t.integral] == ["integer"]


def field(table: str, key: str):
    (found,) = [f for f in SCHEMA[table] if f.key == key]
    return found


@pytest.mark.parametrize(
    ("table", "key", "value", "message"),
    [
        ("mta", "threads", "four", "found string 'four'; expected an integer >= 1 and <= 10000"),
        ("mta", "threads", True, "found boolean True; expected an integer >= 1 and <= 10000"),
        ("", "seed", 2**63, "found integer 9223372036854775808; expected an integer >= 0 and <= 9223372036854775807"),
        ("winsock", "response_timeout", 0, "found integer 0; expected a number of seconds or inf > 0 and <= 31622400"),
        ("winsock", "response_timeout", -math.inf, "found float -inf; expected a number of seconds or inf > 0 and <= 31622400"),
        ("peers", "hold", math.nan, "found float nan; expected a number of seconds or inf >= 0 and <= 31622400"),
        ("peers", "process", "burst", "found string 'burst'; expected one of 'fixed', 'poisson'"),
        ("mta", "logging", 2, "found integer 2; expected 'none', 'minimum', 'medium', 'maximum' or 0, 1, 3, 5"),
        ("", "build", ["x"], "found array ['x']; expected a build version or alias (e.g. 'pre-fix', '5.5.2656.20')"),
        ("", "epoch", date(2002, 1, 1), "found date 2002-01-01; expected a TOML date-time like 2002-02-26T14:43:29 (a date and a time)"),
        ("", "epoch", "2002-02-26T14:43:29+01:00", "found string '2002-02-26T14:43:29+01:00'; expected a local date-time without a UTC offset"),
        ("", "name", "n" * 1001, "found string of 1,001 characters 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn'...; expected a string of at most 1000 characters"),
    ],
)  # fmt: skip
def test_each_type_refuses_with_found_and_expected(table, key, value, message):
    with pytest.raises(ValueError, match=r"^found ") as raised:
        field(table, key).check(value)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("table", "key", "raw", "message"),
    [
        ("mta", "threads", "1.5", "mta.threads: '1.5' is not an integer"),
        ("mta", "threads", "9" * 101, "mta.threads: an integer of 101 digits; expected an integer >= 1 and <= 10000"),
        ("mta", "ok_delay", "soon", "mta.ok_delay: 'soon' is not a number of seconds"),
        ("", "epoch", "yesterday", "epoch: 'yesterday' is not a date-time like 2002-02-26T14:43:29"),
    ],
)  # fmt: skip
def test_each_type_reads_a_set_text_or_says_why_not(table, key, raw, message):
    dotted = f"{table}.{key}".lstrip(".")
    with pytest.raises(ValueError, match=rf"^{dotted}: ") as raised:
        field(table, key).read(raw, dotted)
    assert str(raised.value) == message


def test_a_scenario_writes_by_its_fields_types():
    s = Scenario(mta=MtaSettings(logging=LoggingLevel.MINIMUM), peers=(PeerGroup(hold=math.inf),))
    assert s.to_dict()["mta"]["logging"] == "minimum"
    assert s.to_dict()["peers"][0]["hold"] == "inf"
    assert s.to_dict()["epoch"] == "2002-02-26T14:43:29"
    text = to_toml(s)
    assert '\n[mta]\nlogging = "minimum"\n' in text
    assert '\n[[peers]]\nname = "peer-1"\nhold = inf\n' in text
