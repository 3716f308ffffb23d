"""The rules of what the MTA keeps and logs: control blocks, LPIs, builds, event forms and
logging levels (``_rules.py`` says how the rules are kept)."""

from __future__ import annotations

from ._rule import Q319936, Citation, Rule

RECORD_RULES: tuple[Rule, ...] = (
    # -- control blocks -------------------------------------------------------------------
    Rule(
        "pool",
        "control blocks",
        "The pool of TCP/IP control blocks (`mta.control_blocks`): default 20, at most 1,250, "
        "shared by the associations and the listener.",
        (
            Citation(
                "KB Q200259",
                "The registry setting that affects X.400 Connector traffic over the TCP protocol "
                "stack is set by default to 20 (decimal)",
            ),
            Citation(
                "KB Q166602",
                "NOTE: If X.25 is also being used as a messaging protocol stack, the total of "
                "X.25 + TCP/IP control blocks can be no greater than 1,250.",
            ),
        ),
        "The upper bound: KB Q166602 gives 1,250 for X.25 and TCP/IP together (and 2,000 in "
        "all); the model has only TCP/IP and takes 1,250 as its bound.",
        "sim/core/_lpi.py",
    ),
    Rule(
        "block-index",
        "control blocks",
        "Block 0 is the listener's; an association takes the lowest free index from 1.",
        (),
        "The index order: 11 open associations then give the next connection block 12, the KB's "
        "cb 12; no KB says how indexes are chosen.",
        "sim/core/_lpi.py",
    ),
    Rule(
        "lpi",
        "control blocks",
        "A connection's LPI is `1-<component>-<cb>`: network type 1 (TCP/IP, RFC 1006), the "
        "scenario's `mta.lpi_component` (default 15, the KB case's), its control block index.",
        (
            Citation(
                "KB Q168815",
                "Type 0x01 TCP/IP RFC 1006",
            ),
            Citation(Q319936, "Bad LPI 1-15-12"),
            Citation(
                "KB Q152897",
                "(LP1) 1-3-14 Error code=8464 [POP4 POP4 UP 5 228] (14)",
            ),
        ),
        "What the middle number counts: no KB says (15 in KB Q319936, KB Q266792 and KB "
        "Q188040, 3 in KB Q152897), so it is a setting, not derived from anything. The last "
        "number matches the cb in both KB examples that show one.",
        "sim/core/_lpi.py",
    ),
    Rule(
        "pop4-task",
        "control blocks",
        "POP4's events name its task as `(POP4 POP4 UP(<instance>) Proc <proc>)`: the scenario's "
        "`mta.pop4_instance` (default 7) and `mta.pop4_proc` (default 228), the KB case's.",
        (
            Citation(Q319936, "(POP4 POP4 UP(7) Proc 228) 02-26-02 02:43:50pm"),
            Citation(
                "KB Q266792",
                "handle (LPI) 1-15-4 Error code: 8465 [POP4 POP4 UP 6 228] (14)",
            ),
            Citation(
                "KB Q152897",
                "(LP1) 1-3-14 Error code=8464 [POP4 POP4 UP 5 228] (14)",
            ),
        ),
        "What the instance counts: the KBs show 5, 6 and 7 on different servers and none says "
        "why, so it is a setting. Proc 228 in all three is read as a code location, the same "
        "for every instance; it is a setting too, for a log that shows another.",
        "sim/core/_pop4.py",
    ),
    Rule(
        "post-sp3-leak",
        "control blocks",
        "The post-SP3 build (5.5.2651.61) never returns the control block of a connection that "
        "logged 4283: enough timeouts drain the pool and new connections are refused with 9156.",
        (
            Citation(
                "KB Q266792",
                "Then the MTA stops responding, and you must either stop the MTA manually or "
                "restart the server.",
            ),
            Citation(
                "KB Q266792",
                "This problem can occur if there is an error in the way the MTA processes its "
                "internal control blocks.",
            ),
            Citation(
                "KB Q193894",
                "the MTA leaks 1 CB if the number of connection attempts issued is more than 1. "
                "Eventually, the MTA will report 9156 errors in the application event log",
            ),
        ),
        "Exactly one block leaked per 4283 (KB Q193894 documents such a leak on another path); KB "
        "Q266792 does not say how the control blocks go wrong.",
        "sim/core/_builds.py",
    ),
    Rule(
        "sp5",
        "control blocks",
        "SP5 (5.5.2658.10) behaves as the hotfix.",
        (Citation(Q319936, "kbExchange550preSP5fix"),),
        "SP5 contains the fix: the keyword says the fix came before SP5, not in so many words "
        "that SP5 has it.",
        "sim/core/_builds.py",
    ),
    # -- events ---------------------------------------------------------------------------
    Rule(
        "4258-form",
        "events",
        "4258 is of type Information, and its Event Viewer description is the receive-side twin "
        "of KB Q188040's send-side NSI event.",
        (
            Citation(
                "KB Q188040",
                "A command was sent at the network services interface. Control block index = 1  "
                "Internal Connection Handle (LPI) = 1-15-1 Message type = NDATA request [POP4 "
                "POP4 UP 7 21] (8)",
            ),
        ),
        "4258's Event Viewer type and text: no KB shows 4258 in Event Viewer, and the type does "
        "not follow from the severity.",
        "sim/core/_catalog.py",
    ),
    Rule(
        "9156-form",
        "events",
        "9156's EV0 symbol (`BASE9156`) and its EV0 text.",
        (),
        "9156's text-log form: no KB shows 9156 in the text log (its Event Viewer text is KB "
        "Q229643's).",
        "sim/core/_catalog.py",
    ),
    Rule(
        "logging-levels",
        "events",
        "The Interface category's level decides which Interface events are written: none = 16 "
        "only, minimum = 14 and above, medium = 10 and above, maximum = all; events of other "
        "categories (9156) are always written.",
        (
            Citation(
                "domain notes",
                "Severity-8 NSI events appear only at high Interface logging.",
            ),
        ),
        "The mapping of levels to severities (the note is itself inferred; no KB gives one), and "
        "other categories always written (9156 appears on a server at default logging in KB "
        "Q229643).",
        "sim/core/_logging.py",
    ),
)
