"""One dotted-key parser: ``--set``, ``sweep --vary`` and the pytest plugin's ``set=`` name
keys with :class:`sim.scenario.KeyPath`, with the same forms and the same refusals."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.app._sweep import Axis, SweepError, plan, point_scenario
from sim.scenario import (
    SCHEMA,
    KeyPath,
    KeyPathError,
    ScenarioError,
    all_keys,
    apply_override,
    load_scenario,
    parse_scenario,
)
from sim.testing._plugin import _scenario as plugin_scenario


def test_the_four_forms_of_a_key():
    seed = KeyPath.parse("seed")
    assert (seed.table, seed.index, seed.name, seed.field) == ("", None, "seed", SCHEMA[""][2])
    threads = KeyPath.parse(" mta.threads ")
    assert (threads.text, threads.table, threads.index, threads.name) == (
        "mta.threads",
        "mta",
        None,
        "threads",
    )
    one = KeyPath.parse("peers.2.count")
    assert (one.table, one.index, one.name) == ("peers", 2, "count")
    every = KeyPath.parse("peers.count")
    assert (every.table, every.index, every.name) == ("peers", None, "count")
    assert str(one) == "peers.2.count"


@pytest.mark.parametrize(
    ("key", "message", "malformed"),
    [
        ("mta.ok_dely", "unknown key 'mta.ok_dely' (did you mean 'mta.ok_delay'?)", False),
        ("winsock", "unknown key 'winsock' (did you mean 'winsock.os'?)", False),
        ("peers.0", "unknown key 'peers.0' (did you mean 'peers.at'?)", False),
        ("bogus", "unknown key 'bogus'", False),
        ("mta.a.b", "unknown key 'mta.a.b'", True),
        ("peers.1.2.count", "unknown key 'peers.1.2.count'", True),
        ("peers.\u0663.count", "unknown key 'peers.\u0663.count'", True),
        ("peers.0000000001.count", "unknown key 'peers.0000000001.count'", True),
        (
            "x" * 1000,
            "unknown key '" + "x" * 39 + "... (1,000 characters)",
            False,
        ),
    ],
)
def test_a_key_that_names_no_field_is_one_line_naming_it(key, message, malformed):
    with pytest.raises(KeyPathError) as raised:
        KeyPath.parse(key)
    assert str(raised.value) == message
    assert raised.value.malformed is malformed
    assert isinstance(raised.value, ValueError)


def test_targets_name_the_places_of_the_data():
    data = {"peers": [{}, {}], "mta": {}}
    assert KeyPath.parse("peers.count").targets(data) == [
        ("peers", 0, "count"),
        ("peers", 1, "count"),
    ]
    assert KeyPath.parse("peers.1.hold").targets(data) == [("peers", 1, "hold")]
    assert KeyPath.parse("winsock.backlog").targets(data) == [("winsock", None, "backlog")]
    assert KeyPath.parse("seed").targets(data) == [("", None, "seed")]
    assert KeyPath.parse("peers.count").targets({}) == []
    assert data == {"peers": [{}, {}], "mta": {}}  # looking changes nothing
    with pytest.raises(
        KeyPathError, match=r"^peers\.5\.count: the scenario has 2 \[\[peers\]\] tables$"
    ) as raised:
        KeyPath.parse("peers.5.count").targets(data)
    assert raised.value.groups == 2
    with pytest.raises(KeyPathError, match=r"^mta\.threads: mta is not a table$"):
        KeyPath.parse("mta.threads").targets({"mta": 3})
    with pytest.raises(KeyPathError, match=r"^peers\.count: peers is not an array of tables$"):
        KeyPath.parse("peers.count").targets({"peers": [{}, 3]})


def test_apply_sets_every_place_and_creates_a_missing_table():
    data: dict = {"peers": [{}, {"count": 3}]}
    assert KeyPath.parse("peers.hold").apply(data, math.inf) == [
        ("peers", 0, "hold"),
        ("peers", 1, "hold"),
    ]
    KeyPath.parse("winsock.backlog").apply(data, 5)
    KeyPath.parse("seed").apply(data, 9)
    assert data == {
        "peers": [{"hold": math.inf}, {"count": 3, "hold": math.inf}],
        "winsock": {"backlog": 5},
        "seed": 9,
    }


def test_values_reads_the_places_of_a_scenarios_dict():
    data = parse_scenario("[winsock]\nbacklog = 5\n[[peers]]\ncount = 2\n[[peers]]\n").to_dict()
    assert KeyPath.parse("winsock.backlog").values(data) == [5]
    assert KeyPath.parse("peers.count").values(data) == [2, 1]
    assert KeyPath.parse("peers.1.give_up").values(data) == ["inf"]
    assert KeyPath.parse("seed").values(data) == [0]
    assert KeyPath.parse("mta.threads").values({}) == []


def test_read_types_the_text_by_the_field():
    assert KeyPath.parse("mta.threads").read(" 7 ") == 7
    assert KeyPath.parse("peers.hold").read("inf") == math.inf
    assert KeyPath.parse("mta.logging").read("3") == 3
    assert KeyPath.parse("mta.logging").read("minimum") == "minimum"
    with pytest.raises(ValueError, match=r"^mta\.ok_delay: 'soon' is not a number of seconds$"):
        KeyPath.parse("mta.ok_delay").read("soon")


def _accepted_by_set(key: str) -> bool:
    data: dict = {"peers": [{}, {}]}  # every group position KEYS draws is there
    try:
        apply_override(data, f"{key}=1")
    except KeyPathError:
        return False
    except ValueError as exc:  # no key at all, or the key read and its value refused
        return not str(exc).startswith("expected KEY=VALUE")
    return True


def _accepted_by_vary(key: str) -> bool:
    try:
        Axis.parse(f"{key}=1:1:1")
    except SweepError as exc:  # refused for its key, or read and refused for its range
        return not ("not a numeric scenario key" in str(exc) or "unknown key" in str(exc))
    return True


KEYS = st.one_of(
    st.sampled_from(all_keys()),
    st.builds(
        lambda table, index, key: f"{table}.{index}.{key}",
        st.sampled_from(["peers", "mta", "winsock", ""]),
        st.sampled_from(["0", "1", "00", "\u0663", "0000000001", "-1", "+1", "x"]),
        st.sampled_from([f.key for f in SCHEMA["peers"]] + ["threads", "bogus"]),
    ),
    st.text(alphabet="abcdeilmnoprst._0123", max_size=20),
)


@given(KEYS)
def test_set_and_vary_accept_the_same_keys(key):
    try:
        path = KeyPath.parse(key)
    except KeyPathError:
        path = None
    assert _accepted_by_set(key) is (path is not None)
    assert _accepted_by_vary(key) is (path is not None and path.field.type.numeric)


def test_a_vary_key_written_with_a_leading_dot_is_the_top_level_key_as_for_set():
    # --set .seed=3 always meant seed=3; --vary .seed=... ended in a KeyError traceback.
    base = load_scenario("kb319936")
    assert load_scenario("kb319936", [".seed=3"]).seed == 3
    axis = Axis.parse(".seed=1:2:2")
    assert plan(base, [axis], [base.resolved_build]).total == 2
    assert point_scenario(base.to_dict(), [(".seed", 2)], 0).seed == 2


def test_a_vary_key_with_a_group_past_the_last_names_the_key():
    base = parse_scenario("[[peers]]\n").to_dict()
    with pytest.raises(
        SweepError, match=r"^--vary peers\.3\.count: the scenario has 1 \[\[peers\]\]$"
    ):
        point_scenario(base, [("peers.3.count", 2)], 0)


def test_the_plugins_set_is_a_set_override():
    assert plugin_scenario("kb319936", set={"mta.ok_delay": 10}) == load_scenario(
        "kb319936", ["mta.ok_delay=10"]
    )
    assert plugin_scenario("kb319936", set={"peers.hold": math.inf}).peers[0].hold == math.inf
    with pytest.raises(ScenarioError, match=r"did you mean 'mta\.ok_delay'\?"):
        plugin_scenario("kb319936", set={"mta.ok_dely": 10})


def test_the_plugins_set_refuses_minus_inf_as_set_does():
    # It used to write every infinite float as "inf", so -inf became inf, silently.
    with pytest.raises(ScenarioError) as raised:
        plugin_scenario("kb319936", set={"peers.hold": -math.inf})
    assert str(raised.value) == (
        "--set peers.hold=-inf: peers[0].hold: found float -inf; expected a number of seconds "
        "or inf >= 0 and <= 31622400"
    )
