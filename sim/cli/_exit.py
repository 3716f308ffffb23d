"""Exit statuses of the ``mtasim`` command, in one place (every command module imports them
from here, and ``_app`` imports the command modules: no cycle).

========  ==============================================================================
status    meaning
========  ==============================================================================
0         success
1         a check failed (``replay --check``, ``hunt`` found nothing, ``--fail-on`` met)
2         bad input or usage: one line per problem on stderr, never a traceback, never a
          partial output file
128 + N   stopped by signal N: 130 Ctrl-C (SIGINT), 129 SIGHUP, 143 SIGTERM
========  ==============================================================================
"""

from __future__ import annotations

import signal

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 128 + signal.SIGINT


def signal_status(signum: int) -> int:
    """The conventional exit status of a command stopped by signal ``signum``: 128 + N."""
    return 128 + int(signum)
