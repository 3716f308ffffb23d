"""Hostile scenarios: every bad file, --set or Python value is one ScenarioError line per
problem (exit 2 on the command line), never a traceback, never a quote of more than ~200
characters of the input."""

from __future__ import annotations

import contextlib
import io
import math
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.scenario import (
    MAX_PROBLEMS,
    ScenarioError,
    all_keys,
    latest,
    load_scenario,
    parse_scenario,
)

SEED_MAX = 2**63 - 1
RANGE = "expected an integer >= 0 and <= 9223372036854775807"


def problems(text: str, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "s.toml", overrides)
    return [str(p) for p in raised.value.problems]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# -- huge integers ---------------------------------------------------------------------------
@pytest.mark.parametrize("digits", [20, 400, 4299, 4301, 5000])
@pytest.mark.parametrize("key", ["seed", "[mta]\nthreads", "[winsock]\nresponse_timeout"])
def test_huge_integers_in_a_file_are_one_problem_with_its_line(key, digits):
    head, _, name = key.rpartition("\n")
    text = f"{head}\n{name} = {'9' * digits}\n" if head else f"{name} = {'9' * digits}\n"
    found = problems(text)
    assert len(found) == 1
    line = 2 if head else 1
    assert found[0].startswith(f"s.toml:{line}: ")
    assert len(found[0]) < 300
    if digits > 100:
        assert "a number of" in found[0] and f"{digits:,} digits" in found[0]
    else:
        assert "found integer 9999" in found[0] and "expected" in found[0]


def test_a_huge_hex_integer_is_out_of_range_without_overflow():
    found = problems(f"seed = 0x{'f' * 5000}\n")
    assert found == [f"s.toml:1: seed: found integer of 6,021 digits; {RANGE}"]
    found = problems(f"[mta]\nok_delay = 0x{'f' * 300}\n")
    assert found[0].startswith("s.toml:2: mta.ok_delay: found integer of 362 digits; expected")


def test_digits_inside_strings_and_comments_are_not_numbers():
    text = f'description = "{"9" * 500}"\n# {"1" * 5000}\n[[peers]]\n'
    assert parse_scenario(text).description == "9" * 500


@pytest.mark.parametrize("value", ["9" * 5000, "9" * 400, str(2**63), "-" + "9" * 5000])
def test_huge_integers_in_set_name_the_set(value):
    code, out, err = cli("run", "--set", f"seed={value}")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("mtasim run: --set seed=")
    assert "seed: " in err and "expected an integer >= 0" in err
    assert len(err) < 500


def test_seeds_up_to_the_documented_maximum_are_accepted():
    # 2**63 - 512 and up were refused (a float conversion rounded them up to 2**63).
    for seed in (2**63 - 1024, 2**63 - 512, 2**63 - 100, SEED_MAX):
        assert parse_scenario(f"seed = {seed}\n").seed == seed
        assert load_scenario("kb319936", (f"seed={seed}",)).seed == seed
    assert problems(f"seed = {SEED_MAX + 1}\n") == [
        f"s.toml:1: seed: found integer {SEED_MAX + 1}; {RANGE}"
    ]


# -- deep nesting ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "[" * 500 + "]" * 500,
        "{a = " * 500 + "1" + "}" * 500,
        "[" * 100_000,
        "[" * 33 + "]" * 33,
    ],
)
def test_deep_nesting_is_refused_before_tomllib_recurses(value):
    found = problems(f'name = "x"\nseed = {value}\n')
    assert found == [
        "s.toml:2: not valid TOML here: arrays or inline tables nested more than 32 levels deep"
    ]


def test_nesting_within_the_limit_is_an_ordinary_type_problem():
    found = problems("seed = " + "[" * 32 + "]" * 32 + "\n")
    assert found[0].startswith("s.toml:1: seed: found array [[[[")
    assert len(found) == 1


def test_brackets_in_strings_do_not_count_as_nesting():
    text = f'description = "{"[" * 200}"\n[mta]\ncomputer = """{"{" * 100}"""\n'
    s = parse_scenario(text)
    assert s.description == "[" * 200
    assert s.mta.computer == "{" * 100


# -- the epoch and the last timestamp --------------------------------------------------------
def test_an_epoch_whose_timestamps_pass_year_9999_fails_validation():
    code, out, err = cli("validate", "kb319936", "--set", "epoch=9999-12-31T23:59:59")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("mtasim validate: --set epoch=9999-12-31T23:59:59: epoch: the run can ")
    assert "expected an epoch at most 9999-12-31T23:59:08" in err
    code, out, err = cli("run", "--set", "epoch=9999-12-31T23:59:59")
    assert (code, out) == (2, "")
    assert "Traceback" not in err and err.count("\n") == 1


def test_the_latest_epoch_validation_allows_runs():
    kb = load_scenario()
    assert latest(kb) == 51_000_000  # 30 s OK delay + 21 s timer, an upper bound
    late = load_scenario("kb319936", ("epoch=9999-12-31T23:59:08",))
    assert [e.timestamp.year for e in sim.run(late).events] == [9999, 9999]
    with pytest.raises(ScenarioError, match="expected an epoch at most 9999-12-31T23:59:08"):
        load_scenario("kb319936", ("epoch=9999-12-31T23:59:09",))


def test_a_finite_until_bounds_the_run():
    text = (
        "epoch = 9999-12-31T23:00:00\nuntil = 60.0\n[[peers]]\ncount = 100000000\ninterval = 1e6\n"
    )
    assert parse_scenario(text).until == 60.0
    found = problems(text.replace("until = 60.0\n", ""))
    assert found[0].startswith("s.toml:1: epoch: the run can reach ")


def test_arrivals_no_epoch_can_show_are_refused_whatever_the_epoch():
    found = problems("[[peers]]\ncount = 100000000\ninterval = 31622400\n")
    assert found[0].startswith("s.toml: epoch: the run can reach ")
    assert "no epoch leaves that much room" in found[0]


def test_poisson_arrivals_past_the_last_instant_stop_the_run_with_one_line(tmp_path):
    path = tmp_path / "late.toml"
    path.write_text(
        "epoch = 9999-12-31T00:00:00\n[[peers]]\nprocess = 'poisson'\nrate = 0.001\n"
        "count = 1000\nhold = 0.5\n"
    )
    assert cli("validate", str(path))[0] == 0  # drawn arrivals: no bound before the run
    code, _, err = cli("run", str(path), "--record", str(tmp_path / "t.jsonl"))
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"mtasim run: {path}: peers[0].rate: the Poisson arrivals of this ")
    assert not (tmp_path / "t.jsonl").exists()


# -- many problems ---------------------------------------------------------------------------
def test_twenty_thousand_unknown_keys_give_fifty_lines_and_a_count():
    text = "".join(f"k{i:05d}x = {i}\n" for i in range(20_000))
    assert len(text) > 270_000
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "big.toml")
    lines = str(raised.value).splitlines()
    assert len(lines) == MAX_PROBLEMS + 1
    assert lines[0] == "big.toml:1: k00000x: unknown key"
    assert lines[49] == "big.toml:50: k00049x: unknown key"
    assert lines[50] == "big.toml: ... and 19,950 more problems"
    assert raised.value.more == 19_950


def test_the_cap_keeps_file_order_and_suggestions():
    text = "".join(f"[[peers]]\ncont = {i}\n" for i in range(60))
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "p.toml")
    lines = [str(p) for p in raised.value.problems]
    assert lines[0] == "p.toml:2: peers[0].cont: unknown key (did you mean 'count'?)"
    assert lines[-1] == "p.toml: ... and 10 more problems"


# -- where a value came from -----------------------------------------------------------------
def test_a_bad_set_value_names_the_set_not_the_bundled_file():
    code, out, err = cli("run", "--set", "mta.threads=0")
    assert (code, out) == (2, "")
    assert err == (
        "mtasim run: --set mta.threads=0: mta.threads: found integer 0; expected an integer "
        ">= 1 and <= 10000\n"
    )
    found = problems("[[peers]]\n[[peers]]\n", ("peers.count=0",))
    assert found == [
        "--set peers.count=0: peers[0].count: found integer 0; expected an integer >= 1 and "
        "<= 100000000",
        "--set peers.count=0: peers[1].count: found integer 0; expected an integer >= 1 and "
        "<= 100000000",
    ]


def test_the_file_line_is_kept_for_values_the_set_did_not_touch():
    found = problems("[mta]\nthreads = 0\n", ("mta.ok_delay=2",))
    assert found == [
        "s.toml:2: mta.threads: found integer 0; expected an integer >= 1 and <= 10000"
    ]


# -- quoting ---------------------------------------------------------------------------------
def test_a_long_value_is_quoted_in_at_most_about_200_characters():
    long = "x" * 1_000_000
    for text, overrides in (
        (f'[mta]\nthreads = "{long}"\n', ()),
        (f'name = "{long}"\n', ()),
        (f'build = "{long}"\n', ()),
        ("", (f"mta.threads={long}",)),
        ("", (f"{long}=1",)),
        ("", (f"mta.ok_delay={long}",)),
        (f"{long} = 1\n", ()),
    ):
        found = problems(text, overrides)
        assert len(found) == 1
        assert len(found[0]) < 450, found[0][:500]


def test_an_impossible_path_is_one_line():
    for spec in ("a" * 5000, "a/" * 3000, "nul\x00name"):
        with pytest.raises(ScenarioError) as raised:
            load_scenario(spec)
        assert len(str(raised.value)) < 450


# -- anything at all -------------------------------------------------------------------------
toml_values = st.recursive(
    st.one_of(
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True).map(lambda f: "nan" if math.isnan(f) else repr(f)),
        st.sampled_from(["inf", "-inf", "+inf", "nan", "true", "false", "0x" + "f" * 40]),
        st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
        st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31)).map(lambda d: d.isoformat()),
        st.dates().map(str),
        st.just("2002-02-26T14:43:29+01:00"),
        st.integers(0, 200).map(lambda n: "9" * n or "0"),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(inner, max_size=2).map(
            lambda xs: "{" + ", ".join(f"k{i} = {x}" for i, x in enumerate(xs)) + "}"
        ),
    ),
    max_leaves=8,
)


@given(
    st.lists(
        st.tuples(st.sampled_from([*all_keys(), "bogus", "peers.bogus"]), toml_values),
        max_size=8,
    ),
    st.lists(st.tuples(st.sampled_from(all_keys()), st.text(max_size=12)), max_size=2),
)
def test_generated_values_are_a_scenario_or_a_scenario_error(pairs, sets):
    lines: list[str] = []
    for key, value in pairs:
        table, _, name = key.rpartition(".")
        header = f"[[{table}]]" if table == "peers" else f"[{table}]" if table else ""
        lines += [header, f"{name} = {value}"] if header else [f"{name} = {value}"]
    text = "\n".join(lines) + "\n"
    overrides = tuple(f"{k}={v}" for k, v in sets)
    lengths = [0]
    try:
        parse_scenario(text, "g.toml", overrides)
    except ScenarioError as exc:
        lengths = [len(str(p)) for p in exc.problems]
    assert max(lengths) < 600


@given(st.text(max_size=400))
def test_any_text_is_a_scenario_or_a_scenario_error(text):
    with contextlib.suppress(ScenarioError):
        parse_scenario(text, "t.toml")


@pytest.mark.parametrize(
    "prefix",
    ['a = "x\\\n', "a = '''\n", 'a = """\n', "# \n", "a = 'x\n", 'a = """x""""\n', "a = '\\'\n"],
)
def test_strings_and_comments_before_deep_nesting_cannot_hide_it(prefix):
    with contextlib.suppress(ScenarioError):
        parse_scenario(prefix + "b = " + "[" * 600 + "]" * 600 + "\n")


@given(st.text(alphabet="[]{}\"'\\#\n=a1 ,.", max_size=3000))
def test_bracket_and_quote_soup_is_a_scenario_or_a_scenario_error(text):
    with contextlib.suppress(ScenarioError):
        parse_scenario(text, "soup.toml")
