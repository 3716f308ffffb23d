"""Start-up: what ``mtasim --help``, ``mtasim scenarios`` and ``import sim`` import.

``docs/performance.md`` ("Start-up"): a command imports what it needs when it runs, so the
commands that only print (``--help``, ``scenarios``) start in a fraction of a second. These
tests check what is imported, in a fresh interpreter, never how long it takes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

import pytest

import sim
import sim.app
import sim.live
import sim.report
from sim.cli._app import build_parser
from sim.cli._commands import COMMANDS

#: What no command may import before it runs: the async runtime, the search, the test runner,
#: the terminal toolkit, the numeric and plotting libraries, and the drivers, the live mode
#: and the hunt of mtasim itself.
HEAVY = (
    "trio",
    "hypothesis",
    "pytest",
    "_pytest",
    "rich",
    "numpy",
    "matplotlib",
    "sim.drivers",
    "sim.live._server",
    "sim.live._peer",
    "sim.testing._hunt",
)

#: The packages whose ``__init__`` re-exports lazily (``sim/_lazy.py``).
LAZY_PACKAGES = ("sim", "sim.app", "sim.report", "sim.live")


def fresh(code: str) -> dict[str, object]:
    """Run ``code`` in a new interpreter; it sets ``result`` (JSON), which is returned. The
    helper ``heavy()`` lists the modules of :data:`HEAVY` imported so far."""
    prelude = textwrap.dedent(
        f"""
        import contextlib, io, json, sys
        HEAVY = {HEAVY!r}

        def heavy():
            return sorted(
                m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in HEAVY)
            )

        def command(*argv):
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                from sim.cli import main

                try:
                    status = main(list(argv))
                except SystemExit as exc:
                    status = exc.code
            return status, out.getvalue()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code) + "\nprint(json.dumps(result))"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def command_modules(modules: object) -> list[str]:
    assert isinstance(modules, list)
    return sorted(m for m in modules if m.startswith("sim.cli._") and m.endswith(("_cmd", "_cmds")))


def test_help_imports_no_command_and_nothing_heavy():
    result = fresh(
        """
        status, out = command("--help")
        result = {"status": status, "out": out, "heavy": heavy(), "modules": sorted(sys.modules)}
        """
    )
    assert result["status"] == 0
    assert str(result["out"]).startswith("usage: mtasim")
    assert result["heavy"] == []
    assert command_modules(result["modules"]) == []  # every command is a stub in --help


def test_scenarios_imports_its_own_command_only_and_nothing_heavy():
    result = fresh(
        """
        status, out = command("scenarios")
        result = {"status": status, "out": out, "heavy": heavy(), "modules": sorted(sys.modules)}
        """
    )
    assert result["status"] == 0
    assert "kb319936" in str(result["out"])
    assert result["heavy"] == []
    assert command_modules(result["modules"]) == ["sim.cli._scenario_cmds"]


def test_no_command_help_imports_anything_heavy():
    """Registering a command (its ``--help``) imports none of what it needs to run; the heavy
    modules seen after each command's ``--help``, all in one interpreter."""
    names = [name for name, _, _ in COMMANDS]
    result = fresh(
        f"""
        result = {{}}
        for name in {names!r}:
            status, out = command(name, "--help")
            assert status == 0 and out.startswith("usage: mtasim " + name), (name, out)
            result[name] = heavy()
        """
    )
    assert sorted(result) == sorted(names)
    assert {name: found for name, found in result.items() if found} == {}


def test_import_sim_imports_nothing_heavy_and_its_names_still_work(kb_pre_fix_text):
    result = fresh(
        """
        import sim

        before = {"heavy": heavy(), "sim": sorted(m for m in sys.modules if m.startswith("sim"))}
        events = sim.run().events  # the KB case, on the trio driver
        result = {
            **before,
            "builds": [b.alias for b in sim.BUILDS],
            "text": sim.render_events(events),
            "post_fix": [int(e.event_id) for e in sim.run(build=sim.POST_FIX).events],
            "after": heavy(),
        }
        """
    )
    assert result["heavy"] == []
    assert result["sim"] == ["sim", "sim._lazy", "sim._version"]
    assert "pre-fix" in result["builds"]
    assert result["text"] == kb_pre_fix_text
    assert result["post_fix"] == [4258]
    assert "trio" in result["after"]  # imported by the run, when it ran


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_public_name_resolves(package):
    """Every name of ``__all__`` resolves, ``dir()`` lists it, and the lazy names are exactly
    the names of ``__all__`` the package does not bind when it is imported."""
    result = fresh(
        f"""
        import importlib

        pkg = importlib.import_module({package!r})
        bound = sorted(vars(pkg))
        listed = sorted(dir(pkg))
        missing = [n for n in pkg.__all__ if not hasattr(pkg, n)]
        try:
            pkg.no_such_name
            unknown = None
        except AttributeError as exc:
            unknown = str(exc)
        star = {{}}
        exec("from {package} import *", star)
        result = {{
            "all": list(pkg.__all__), "bound": bound, "dir": listed, "missing": missing,
            "unknown": unknown, "star": sorted(n for n in star if not n.startswith("__")),
        }}
        """
    )
    names = set(result["all"])
    assert result["missing"] == []
    assert names <= set(result["dir"])
    lazy = set(result["dir"]) - set(result["bound"])
    assert lazy <= names, f"lazy names not in __all__: {sorted(lazy - names)}"
    assert result["unknown"] == f"module {package!r} has no attribute 'no_such_name'"
    assert set(result["star"]) == {n for n in names if not n.startswith("__")}


def test_the_public_names_are_the_objects_of_their_modules():
    from sim.app._run import run
    from sim.core import BUILDS
    from sim.render import render

    assert sim.run is run
    assert sim.BUILDS is BUILDS
    assert sim.render_events is render
    assert sim.app.run is run
    for package in (sim, sim.app, sim.report, sim.live):
        for name in package.__all__:
            assert getattr(package, name) is not None


def test_a_lazy_package_lists_its_names_once():
    from sim._lazy import lazy_exports

    with pytest.raises(TypeError, match="tuple of names"):
        lazy_exports("sim", {".core": "BUILDS"})


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def handlers(words: set[str] | None) -> dict[str, bool]:
    """Each command of the parser: registered in full (it has a handler) or a stub."""
    return {
        name: sub.get_default("handler") is not None
        for name, sub in subparsers(build_parser(words)).items()
    }


def test_the_command_table_names_every_command_and_its_module():
    names = [name for name, _, _ in COMMANDS]
    assert handlers(None) == dict.fromkeys(names, True)
    assert handlers(set()) == dict.fromkeys(names, False)
    for name, module, _ in COMMANDS:
        same_module = {n for n, m, _ in COMMANDS if m == module}
        assert handlers({name}) == {n: n in same_module for n in names}, name


def test_a_lazily_built_parser_prints_the_help_of_the_full_one():
    full = build_parser()
    assert build_parser(set()).format_help() == full.format_help()
    for name, _, _ in COMMANDS:
        lazy = build_parser({name})
        assert lazy.format_help() == full.format_help()
        assert subparsers(lazy)[name].format_help() == subparsers(full)[name].format_help()
