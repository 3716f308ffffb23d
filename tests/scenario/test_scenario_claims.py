"""Every claim of sim/scenarios/_claims.toml holds: each bundled scenario shows what it says it
shows, on the builds it names, counter for counter."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

import sim
from sim.core import Summary

CLAIMS = tomllib.loads(
    resources.files("sim").joinpath("scenarios", "_claims.toml").read_text(encoding="utf-8")
)["claims"]
COUNTERS = set(Summary.empty().as_dict()) - {"events"}
BUILD_ALIASES = {b.alias for b in sim.BUILDS}


def _cases():
    for number, claim in enumerate(CLAIMS, start=1):
        for build in claim["builds"]:
            yield pytest.param(claim, build, id=f"{number}-{claim['scenario']}-{build}")


def test_the_claims_file_is_well_formed():
    for claim in CLAIMS:
        assert set(claim) <= {"scenario", "builds", "says", "expect", "set"}, claim
        assert claim["scenario"] in sim.bundled_names(), claim
        assert claim["builds"] and set(claim["builds"]) <= BUILD_ALIASES, claim
        assert claim["says"].strip().endswith("."), claim
        assert claim["expect"] and set(claim["expect"]) <= COUNTERS, claim


def test_every_bundled_scenario_claims_something_on_the_pre_and_the_post_fix_build():
    for name in sim.bundled_names():
        builds = {
            b for c in CLAIMS if c["scenario"] == name and "set" not in c for b in c["builds"]
        }
        assert {"pre-fix", "post-fix"} <= builds, name


@pytest.mark.parametrize(("claim", "build"), list(_cases()))
def test_the_claim_holds(claim, build):
    scenario = sim.load_scenario(claim["scenario"], claim.get("set", []))
    summary = sim.run(scenario, build, driver="batch", keep=False).summary.as_dict()
    got = {key: summary[key] for key in claim["expect"]}
    assert got == claim["expect"], claim["says"]
