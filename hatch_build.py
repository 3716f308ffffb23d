"""The compiled build: the core's modules compiled with mypyc, beside their sources.

Off unless ``MTASIM_COMPILE=1`` (``MTASIM_COMPILE=1 pip install .``); then mypyc (with
``--strict``) compiles the modules ``[tool.mtasim.compile] modules`` lists, in a copy of the
package in a temporary directory, and the wheel takes the extension modules from there. The
source tree is never written to (no stale extension module can shadow an edited source), and
the default build stays pure Python and needs no C compiler.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: What the compiled build needs to type-check and compile the modules (mypy resolves what they
#: are imported with, so the runtime dependencies too).
COMPILE_REQUIRES = ["mypy>=1.10", "setuptools>=68", "trio>=0.25", "rich>=13", "hypothesis>=6.100"]


def wanted() -> bool:
    return os.environ.get("MTASIM_COMPILE", "") == "1"


class CompileHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        return list(COMPILE_REQUIRES) if wanted() else []

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or not wanted():
            return
        modules: list[str] = self.metadata.config["tool"]["mtasim"]["compile"]["modules"]
        self._tmp = tempfile.mkdtemp(prefix="mtasim-mypyc-")
        work = Path(self._tmp)
        shutil.copytree(
            Path(self.root) / "sim", work / "sim", ignore=shutil.ignore_patterns("__pycache__")
        )
        files = [f"{module.replace('.', '/')}.py" for module in modules]
        done = subprocess.run(
            [sys.executable, "-m", "mypyc", "--strict", *files],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"mypyc failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
        built = [p for p in work.rglob("*.so") if "build" not in p.relative_to(work).parts]
        built += [p for p in work.rglob("*.pyd") if "build" not in p.relative_to(work).parts]
        if not built:
            raise RuntimeError("mypyc built no extension module")
        for path in built:
            build_data["force_include"][str(path)] = str(path.relative_to(work))
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
