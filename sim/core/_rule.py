"""A rule of the model and the passages it rests on (``_rules.py`` says how they are used)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Citation:
    """A passage of a source: who says it, and its words."""

    cite: str
    quote: str

    def markdown(self) -> str:
        return f'{self.cite}: "{self.quote}"'


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the model."""

    key: str
    topic: str
    rule: str
    sources: tuple[Citation, ...] = ()
    #: Why the model does it, where no source says so ("" when the sources say it all).
    inferred: str = ""
    home: str = ""


#: The passages of KB Q319936 that most rules quote.
Q319936 = "KB Q319936"
SYMPTOM = (
    "If an incoming connection times out before the Exchange Server 5.5 message transfer agent "
    "(MTA) receives the OK response, the MTA may generate an event ID 4283 error message."
)
CAUSE = (
    "The problem may occur if the system cannot respond to incoming connections before the "
    "connection times out at the Winsock layer."
)
WINDOWS_NOTES = "Windows TCP (domain notes)"
