"""The model's versions: what each one changed in what a scenario does.

Rules of this module:

* A change of the model that alters the outcome of an existing scenario (an event, its time,
  a counter, an input the model consumes) adds a :class:`ModelVersion` here, saying what
  changed and why. :data:`MODEL_VERSION` is the last one.
* A trace records the version it was made under (``"model"`` in its header; a header without
  one was written by mtasim 0.1: model 1). ``mtasim replay --check`` of a trace recorded under
  an older model passes if this model reproduces it; if not, it says so in one line, naming
  both versions and :data:`MODEL_DOCS`, instead of reporting a mismatch
  (``sim.cli._replay_cmd``).
* ``docs/model.md`` ("Model versions") lists the same changes; ``tests/test_docs.py`` checks
  the list against this table. The KB case's text never changes from one version to the
  next.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """One version of the model and what it changed against the one before."""

    number: int
    #: One sentence per change: what a scenario does differently, and why.
    changes: tuple[str, ...]


MODEL_VERSIONS: tuple[ModelVersion, ...] = (
    ModelVersion(1, ("The model of mtasim 0.1.",)),
    ModelVersion(
        2,
        (
            "The MTA's response timer starts when the listener accepts the connection, no "
            "longer when the connection arrives: it is a timer of the MTA's own stack (KB "
            "Q200259), and the MTA knows nothing of a connection still waiting in the listen "
            "backlog. A connection that waits to be accepted gets its full timer after the "
            "accept, and no connection times out in the backlog any more (only its peer can "
            "end it there; the timed_out_in_backlog counter is gone).",
        ),
    ),
    ModelVersion(
        3,
        (
            "A connection whose peer closes or resets it while it waits in the listen backlog "
            "keeps its place there until the listener reaches it; then WSAAccept fails with "
            "WSAECONNRESET and the MTA logs 9202, a sockets error on accept() (rule "
            "accept-error). Model 2 dropped it from the backlog silently when its peer ended "
            "it: now it holds a backlog place and one accept_time of the listener until its "
            "accept fails, so connections behind it may be accepted later or find the backlog "
            "full.",
        ),
    ),
    ModelVersion(
        4,
        (
            'A scenario may have SYN floods (peers.kind = "syn-flood"): SYNs from spoofed '
            "addresses that hold slots of the listener's half-open table (winsock.max_half_open, "
            "the registry's TcpMaxHalfOpen, 100 on NT 4.0 Server) for the SYN-ACK schedule of "
            "winsock.syn_ack_retransmissions (21 s at the default 2); a connection request that "
            "finds the table full is reset without an event (KB Q142641; rules half-open-full "
            "and half-open-tie), counted as refused_half_open, and its trace arrival says "
            '"refused": "half-open table full". A scenario without a flood does what it did '
            "under model 3; its trace's header names the three new keys.",
        ),
    ),
)

#: The version of the model this mtasim runs.
MODEL_VERSION = MODEL_VERSIONS[-1].number
#: Where the changes are told.
MODEL_DOCS = 'docs/model.md, "Model versions"'


def model_version(number: int) -> ModelVersion:
    """The version ``number``; ``KeyError`` if this mtasim does not know it."""
    for version in MODEL_VERSIONS:
        if version.number == number:
            return version
    raise KeyError(number)


def versions_markdown() -> str:
    """The versions and their changes, as ``docs/model.md`` lists them."""
    lines: list[str] = []
    for version in MODEL_VERSIONS:
        lines.append(f"- **Model {version.number}**")
        lines.extend(f"  - {change}" for change in version.changes)
    return "\n".join(lines)
