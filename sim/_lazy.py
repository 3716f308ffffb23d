"""Lazy re-exports for a package's ``__init__`` (PEP 562): a public name is imported from its
module the first time it is used, not when the package is.

Rules of this module:

* ``mtasim --help`` and ``mtasim scenarios`` start in a fraction of a second because importing a
  package costs only what its ``__init__`` itself needs: ``import sim`` does not import trio,
  hypothesis or the drivers until ``sim.run`` (or another name that needs them) is looked up
  (``docs/performance.md``, "Start-up"; ``tests/test_startup.py`` guards it).
* A package writes its re-exports twice, in one place: the plain ``from .x import y`` lines in
  an ``if TYPE_CHECKING:`` block, for type checkers and readers, and the same names in the
  ``exports`` mapping of :func:`lazy_exports` in its ``else:`` branch. ``__all__`` lists them
  all; ``tests/test_startup.py`` checks that every name of ``__all__`` resolves and that the
  mapping holds exactly the names of ``__all__`` the package does not bind itself.
* A name, once looked up, is bound in the package's namespace: later lookups are plain attribute
  reads. ``dir(package)`` lists the lazy names with the bound ones.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence


def lazy_exports(
    package: str,
    exports: Mapping[str, Sequence[str]],
    *,
    aliases: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: ``exports`` maps a module (relative
    to the package, ``"._run"``) to the names the package re-exports from it; ``aliases`` maps a
    name the package gives to ``(module, name in that module)``."""
    if any(isinstance(names, str) for names in exports.values()):
        raise TypeError("lazy_exports: each module maps to a tuple of names, not one string")
    where: dict[str, tuple[str, str]] = {
        name: (module, name) for module, names in exports.items() for name in names
    }
    where.update(aliases or {})

    def __getattr__(name: str) -> object:
        try:
            module, attribute = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module, package), attribute)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
