"""Errors raised by the sans-IO core.

One base class, two sides (as in h11): a :class:`LocalProtocolError` means this side of the
model (the MTA kernel or the Winsock layer) produced an input the POP4 table does not allow,
which is a bug in the model or its driver; a :class:`RemoteProtocolError` means the remote
peer did something the protocol does not allow (data before the CC, for example). Either way
the connection concerned moves to the ``ERROR`` state and accepts nothing more.
"""

from __future__ import annotations


class MtasimError(Exception):
    """Base of every error this package raises on purpose."""


class ProtocolError(MtasimError):
    """A (state, input) pair that is not in the POP4 transition table."""


class LocalProtocolError(ProtocolError):
    """The local side (kernel, transport, driver) broke the protocol."""


class RemoteProtocolError(ProtocolError):
    """The remote peer broke the protocol."""


class BuildError(MtasimError, LookupError):
    """An MTA build name, version or alias that the model does not know."""
