"""A scenario's OS bounds its listen backlog (rule ``os-limits``): a value that OS cannot have
is one line naming the key and the limit, exit 2; without a backlog the OS's limit is used."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.cli import main
from sim.core import OPERATING_SYSTEMS
from sim.scenario import ScenarioError, load_scenario, parse_scenario


def test_the_kb_case_refuses_a_backlog_nt4_server_cannot_have(capsys):
    assert main(["validate", "kb319936", "--set", "winsock.backlog=1000000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "winsock.backlog: found 1000000; expected at most 200" in err
    assert "Windows NT 4.0 Server" in err and "KB Q127144" in err


@pytest.mark.parametrize("os", sorted(OPERATING_SYSTEMS))
def test_a_scenario_without_a_backlog_takes_its_os_limit(os):
    scenario = parse_scenario(f'[winsock]\nos = "{os}"\n')
    assert scenario.winsock.os == os
    assert scenario.winsock.backlog == OPERATING_SYSTEMS[os].max_backlog


@given(
    os=st.sampled_from(sorted(OPERATING_SYSTEMS)),
    backlog=st.integers(min_value=1, max_value=1_000_000),
)
def test_a_backlog_is_accepted_exactly_up_to_its_os_limit(os, backlog):
    text = f'[winsock]\nos = "{os}"\nbacklog = {backlog}\n'
    limit = OPERATING_SYSTEMS[os].max_backlog
    if backlog <= limit:
        assert parse_scenario(text).winsock.backlog == backlog
    else:
        with pytest.raises(ScenarioError) as raised:
            parse_scenario(text, "s.toml")
        assert str(raised.value).splitlines() == [
            f"s.toml:3: winsock.backlog: found {backlog}; expected at most {limit}, the listen "
            f"backlog limit of {OPERATING_SYSTEMS[os].title} (winsock.os = {os!r}, "
            f"{OPERATING_SYSTEMS[os].source.strip('[]')})"
        ]


def test_choosing_the_os_by_set_is_blamed_on_that_set():
    with pytest.raises(ScenarioError) as raised:
        load_scenario("kb319936", ["winsock.os=nt4-workstation"])
    assert str(raised.value).startswith("--set winsock.os=nt4-workstation: winsock.backlog:")


def test_a_scenario_that_names_no_os_is_nt4_server_with_the_kb_backlog():
    assert load_scenario("kb319936").winsock.os == "nt4-server"
    assert parse_scenario("").winsock.backlog == 200
