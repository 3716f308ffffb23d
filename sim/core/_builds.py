"""MTA builds (Emsmta.exe versions) as policies over the POP4 table.

Rules of this module:

* A :class:`Build` is a version string, a name, aliases, and the rows it changes in
  ``_state.BASE_TABLE`` (which is the SP4 table). The diff between two builds is the diff of
  their override rows: :func:`diff`.
* The builds and their sources (DOMAIN.md has the table):

  - ``5.5.2653.23``, Exchange 5.5 SP4, alias ``pre-fix``: the base table. KB Q319936.
  - ``5.5.2656.20``, the Q319936 hotfix, alias ``post-fix``, also spelled ``6.0.2656.20``: a
    Close Request while the OK response is pending logs 4258 only; the pending open is
    cancelled, the control block returned, the late OK response discarded. KB Q319936
    (the fix exists: "it is only intended to correct the problem that is described in this
    article"); **[inferred]** the exact handling (cancel, release, discard) is not
    documented. The two spellings: the article's table of file attributes prints "Emsmta.exe
    | 6.0.2656.20" and notes "this fix requires Microsoft Exchange Server version 5.5 Service
    Pack 4"; a later revision of the article, "XCON: The MTA Generates an Event ID 4283
    Message Under a Heavy Load", lists Emsmta.exe at 5.5.2656.20 (docs/sources.md). Both name
    one file, the fix for Exchange 5.5 SP4, so both are accepted; the tool prints 5.5.2656.20,
    the numbering of the Exchange 5.5 builds around it (SP4 5.5.2653.23, SP5 5.5.2658.10).
  - ``5.5.2651.61``, a post-SP3 hotfix, alias ``post-sp3``: as SP4 but the 4283 path never
    returns the control block. KB Q266792 ("the MTA stops responding" after 4283, "an error in
    the way the MTA processes its internal control blocks"). **[inferred]** that the leak is
    exactly one control block per 4283 (rule ``post-sp3-leak``; KB Q193894 documents such a
    leak, "the MTA leaks 1 CB", on another path).
  - ``5.5.2658.10``, Exchange 5.5 SP5, alias ``sp5``: as the hotfix. **[inferred]** from the
    KB keyword kbExchange550preSP5fix.

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``post-sp3-leak``, ``sp5``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ._errors import BuildError
from ._state import Effect, Input, Key, State, Transition, table


@dataclass(frozen=True, slots=True)
class Build:
    """One build of the MTA, and the policy it applies to the POP4 table."""

    version: str
    name: str
    aliases: tuple[str, ...]
    overrides: Mapping[Key, Transition] = field(default_factory=dict)
    note: str = ""
    #: Other spellings of the version that sources print for the same file (accepted).
    spellings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``5.5.2653.23 (Exchange 5.5 SP4)``."""
        return f"{self.version} ({self.name})"

    @property
    def alias(self) -> str:
        """The first alias: the short name used in file names and summaries."""
        return self.aliases[0]

    def table(self) -> dict[Key, Transition]:
        return table(self.overrides)


_RACE = (State.OPENING, Input.CLOSE)

_HOTFIX_ROWS: Mapping[Key, Transition] = MappingProxyType(
    {
        _RACE: Transition(
            State.CLOSED,
            (Effect.LOG_4258, Effect.CANCEL_OK, Effect.RELEASE_CB),
            "KB Q319936 hotfix 5.5.2656.20 [inferred: cancel, release, discard]",
        )
    }
)

SP4 = Build(
    "5.5.2653.23",
    "Exchange 5.5 SP4",
    ("pre-fix", "sp4"),
    MappingProxyType({}),
    "logs 4258 then 4283 when the Winsock timer wins the race (KB Q319936)",
)
HOTFIX = Build(
    "5.5.2656.20",
    "Q319936 hotfix",
    ("post-fix", "hotfix"),
    _HOTFIX_ROWS,
    "logs 4258 only; the pending open is cancelled (KB Q319936)",
    ("6.0.2656.20",),
)
POST_SP3 = Build(
    "5.5.2651.61",
    "Exchange 5.5 SP3 post-SP3 hotfix",
    ("post-sp3",),
    MappingProxyType(
        {
            _RACE: Transition(
                State.CLOSED,
                (Effect.LOG_4258, Effect.LOG_4283, Effect.LEAK_CB),
                "KB Q266792 [inferred: one control block leaked per 4283]",
            )
        }
    ),
    "as SP4, but the 4283 path never returns the control block (KB Q266792)",
)
SP5 = Build(
    "5.5.2658.10",
    "Exchange 5.5 SP5",
    ("sp5",),
    _HOTFIX_ROWS,
    "as the hotfix [inferred from the KB keyword kbExchange550preSP5fix]",
)

#: Every build, oldest first.
BUILDS: tuple[Build, ...] = (POST_SP3, SP4, HOTFIX, SP5)
PRE_FIX = SP4
POST_FIX = HOTFIX


def resolve_build(name: str | Build) -> Build:
    """Find a build by version (``5.5.2653.23``), another spelling of it (``6.0.2656.20``) or
    alias (``pre-fix``), any case."""
    if isinstance(name, Build):
        return name
    wanted = name.strip().lower()
    for build in BUILDS:
        if wanted == build.version or wanted in build.aliases or wanted in build.spellings:
            return build
    shown = repr(name) if len(name) <= 60 else repr(name[:57]) + "..."
    raise BuildError(f"unknown build {shown} (known: {build_names()})")


def build_names() -> str:
    """``5.5.2651.61/post-sp3, 5.5.2653.23/pre-fix/sp4, ...`` for error messages."""
    return ", ".join("/".join((b.version, *b.spellings, *b.aliases)) for b in BUILDS)


def diff(a: Build, b: Build) -> list[tuple[Key, Transition, Transition]]:
    """Rows where the two builds' tables differ: ``(key, row in a, row in b)``."""
    table_a, table_b = a.table(), b.table()
    return [
        (key, table_a[key], table_b[key])
        for key in table_a
        if key in table_b and table_a[key] != table_b[key]
    ]
