"""The half-open table's keys and a SYN flood's size are bounded (rule ``half-open-full``): a
value out of range is one line naming the key, exit 2; without ``winsock.max_half_open`` the
OS's default (TcpMaxHalfOpen: 100 on a server, 500 on a workstation) is used."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.cli import main
from sim.core import OPERATING_SYSTEMS
from sim.scenario import ScenarioError, parse_scenario


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "winsock.max_half_open=99",
            "winsock.max_half_open: found integer 99; expected an integer >= 100 and <= 65535",
        ),
        (
            "winsock.max_half_open=65536",
            "winsock.max_half_open: found integer 65536; expected an integer >= 100 and <= 65535",
        ),
        (
            "winsock.syn_ack_retransmissions=6",
            "winsock.syn_ack_retransmissions: found integer 6; expected an integer >= 0 and <= 5",
        ),
        (
            "peers.count=1000001",
            "peers[0].count: found 1,000,001 SYNs in a syn-flood group; expected at most 1,000,000",
        ),
    ],
)
def test_validate_refuses_an_out_of_range_flood_setting_in_one_line(capsys, assignment, message):
    assert main(["validate", "syn-flood", "--set", assignment]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"--set {assignment}: {message}" in err


@pytest.mark.parametrize("os", sorted(OPERATING_SYSTEMS))
def test_a_scenario_without_a_half_open_limit_takes_its_os_default(os):
    backlog = "backlog = 5\n" if os == "nt4-workstation" else ""
    scenario = parse_scenario(f'[winsock]\nos = "{os}"\n{backlog}')
    assert scenario.winsock.max_half_open == OPERATING_SYSTEMS[os].max_half_open
    assert scenario.winsock.syn_ack_retransmissions == 2


def test_server_and_workstation_defaults_are_the_registry_reference_s():
    assert OPERATING_SYSTEMS["nt4-server"].max_half_open == 100
    assert OPERATING_SYSTEMS["nt4-workstation"].max_half_open == 500


@given(limit=st.integers(min_value=-10, max_value=70_000))
def test_a_half_open_limit_is_accepted_exactly_in_its_range(limit):
    text = f"[winsock]\nmax_half_open = {limit}\n"
    if 100 <= limit <= 65535:
        assert parse_scenario(text).winsock.max_half_open == limit
    else:
        with pytest.raises(ScenarioError) as raised:
            parse_scenario(text, "s.toml")
        assert str(raised.value).splitlines() == [
            f"s.toml:2: winsock.max_half_open: found integer {limit}; expected an integer >= "
            "100 and <= 65535"
        ]


def test_a_flood_group_of_a_million_syns_is_accepted_and_one_more_is_not():
    flood = '[[peers]]\nkind = "syn-flood"\ncount = {}\n'
    assert parse_scenario(flood.format(1_000_000)).peers[0].kind == "syn-flood"
    with pytest.raises(ScenarioError, match=r"peers\[0\]\.count: found 1,000,001 SYNs"):
        parse_scenario(flood.format(1_000_001))


def test_an_unknown_group_kind_is_one_line_naming_the_key():
    with pytest.raises(ScenarioError) as raised:
        parse_scenario('[[peers]]\nkind = "flood"\n', "s.toml")
    assert str(raised.value).splitlines() == [
        "s.toml:2: peers[0].kind: found string 'flood'; expected one of 'connect', 'syn-flood'"
    ]


def test_a_connect_group_keeps_its_own_larger_bound():
    assert parse_scenario("[[peers]]\ncount = 1000001\n").peers[0].count == 1_000_001
