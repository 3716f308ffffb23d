"""The byte-for-byte corpus (``corpus.py`` says what it holds and how it was made): every file
is reproduced exactly, by both drivers, through the command for the bundled scenarios; the tool
version in a trace header is the one thing allowed to differ."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus import (
    CORPUS,
    FORMS,
    GENERATED,
    build_aliases,
    bundled_cases,
    generated_scenarios,
    normalise,
    read_gz,
    run_outputs,
)

from sim.app._run import replay
from sim.cli import main

DRIVERS = ("batch", "trio")


def assert_same(what: str, got: bytes, expected: bytes) -> None:
    got, expected = normalise(got), normalise(expected)
    if got == expected:
        return
    got_lines, expected_lines = got.splitlines(), expected.splitlines()
    for number, (a, b) in enumerate(zip(got_lines, expected_lines, strict=False), start=1):
        if a != b:
            pytest.fail(
                f"{what}: line {number} differs\n  corpus: {b[:300]!r}\n  now:    {a[:300]!r}"
            )
    pytest.fail(
        f"{what}: {len(got_lines)} lines now, {len(expected_lines)} in the corpus "
        "(the rest is identical)"
    )


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(("name", "build"), list(bundled_cases()))
def test_bundled_scenarios_through_the_command(name, build, driver, tmp_path, capsys):
    folder = CORPUS / "bundled" / name
    trace = tmp_path / "trace.jsonl"
    for form in FORMS:
        out = tmp_path / f"events.{form}"
        args = ["run", name, "--build", build, "--driver", driver, "--format", form]
        args += ["--output", str(out)]
        if form == "ev0":
            args += ["--record", str(trace)]
        assert main(args) == 0, capsys.readouterr().err
        assert_same(
            f"{name} {build} {form}", out.read_bytes(), read_gz(folder / f"{build}.{form}.gz")
        )
    assert_same(f"{name} {build} trace", trace.read_bytes(), read_gz(folder / f"{build}.trace.gz"))
    # The committed trace (this model's) passes replay --check.
    recorded = tmp_path / "recorded.jsonl"
    recorded.write_bytes(read_gz(folder / f"{build}.trace.gz"))
    assert main(["replay", str(recorded), "--check", "--quiet", "--driver", driver]) == 0
    assert "identical to the recording" in capsys.readouterr().err


def test_the_corpus_holds_every_case():
    assert len(list((CORPUS / "bundled").glob("*/*.gz"))) == len(list(bundled_cases())) * 4
    for name, count in GENERATED.items():
        assert len(generated_scenarios(name)) == count
    assert len(list((CORPUS / "live").glob("*.trace.gz"))) >= 4


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("build", build_aliases())
@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_scenarios(name, build, driver, tmp_path):
    generated = generated_scenarios(name)
    lines = read_gz(CORPUS / "generated" / name / f"{build}.jsonl.gz").decode("utf-8").splitlines()
    assert len(lines) == len(generated)
    for index, (scenario, line) in enumerate(zip(generated, lines, strict=True)):
        expected = json.loads(line)
        outputs = run_outputs(scenario, build, driver, tmp_path)
        for form, data in outputs.items():
            assert_same(f"{name} #{index} {build} {form}", data, expected[form].encode("utf-8"))
        # The recorded trace replays to itself.
        recorded, again = tmp_path / "recorded.jsonl", tmp_path / "again.jsonl"
        recorded.write_text(expected["trace"], encoding="utf-8")
        replay(recorded, driver=driver, record=again, keep=False)
        assert_same(f"{name} #{index} {build} replay", again.read_bytes(), recorded.read_bytes())


LIVE = sorted(p.name[: -len(".trace.gz")] for p in (CORPUS / "live").glob("*.trace.gz"))


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("name", LIVE)
def test_live_sessions_replay_byte_for_byte(name, driver, tmp_path: Path, capsys):
    recorded = tmp_path / f"{name}.jsonl"
    recorded.write_bytes(read_gz(CORPUS / "live" / f"{name}.trace.gz"))
    again = tmp_path / "again.jsonl"
    replay(recorded, driver=driver, record=again, keep=False)
    assert_same(f"live {name}", again.read_bytes(), recorded.read_bytes())
    assert main(["replay", str(recorded), "--check", "--quiet", "--driver", driver]) == 0
    assert "identical to the recording" in capsys.readouterr().err
