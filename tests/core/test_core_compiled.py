"""The compiled core: the modules the build compiles load compiled, all or none, and the
runtime says which (``sim.core.COMPILED``, ``mtasim --version``).

CI runs the suite twice: on the pure-Python package, then on the compiled build with
``MTASIM_EXPECT_COMPILED=1`` (``.ci/run``), where these tests fail unless every module the
build compiles is an extension module, also in a ``python -m sim`` subprocess.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import sim.core

ROOT = Path(__file__).resolve().parents[2]


def compiled_modules() -> list[str]:
    """The modules the compiled build compiles, as pyproject.toml lists them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["mtasim"]["compile"]["modules"])


def expected() -> bool | None:
    """What CI says this environment runs (None: not said)."""
    flag = os.environ.get("MTASIM_EXPECT_COMPILED")
    return None if flag is None else flag == "1"


def test_all_or_none_of_the_modules_load_compiled():
    modules = compiled_modules()
    assert "sim.core._mta" in modules
    files = {name: str(importlib.import_module(name).__file__) for name in modules}
    compiled = {name for name, file in files.items() if not file.endswith(".py")}
    assert compiled in (set(), set(modules)), files
    assert bool(compiled) == sim.core.COMPILED
    if expected() is not None:
        assert expected() == sim.core.COMPILED, files["sim.core._mta"]


def test_the_command_says_which_core_runs():
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("mtasim ")
    assert ("(compiled core)" in done.stdout) == sim.core.COMPILED


def test_the_values_a_sweep_sends_between_processes_pickle():
    import pickle

    from sim.core import Lpi, Summary

    for value in (Summary.empty(), Lpi.for_cb(12)):
        assert pickle.loads(pickle.dumps(value)) == value
