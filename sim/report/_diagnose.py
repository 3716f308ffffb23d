"""Does a server's log show the KB Q319936 problem, how often, and would the hotfix help?

Rules of this module (``mtasim diagnose``; docs/diagnose.md):

* The **signature pair**: a 4258 "Message received at NSI" with message type Close Request
  and a 4283 "Bad LPIs in message" with error code 8464 for the same LPI, the 4283 logged at
  most ``PAIR_WINDOW_SECONDS`` after the 4258 (rule ``pair-window``: the model logs both at one
  instant, rule ``same-step``, and the EV0 clock shows whole seconds). Each 4258 pairs once.
* A 4283 not in such a pair is **lone** (KB Q266792: "The event ID 4283 message alone is not
  evidence that the problem that is described in this article is occurring."); a 4283 with
  error code 8465 (the code of KB Q266792's description) is counted apart too, and is never a
  signature pair, though it may be paired with its Close Request.
* A 9156 "no free control blocks" after the first pair (8464 or 8465) points to a build that
  leaks control blocks after 4283 (KB Q266792, post-SP3: "an error in the way the MTA
  processes its internal control blocks").
* The verdict, decided in this order: ``q266792-leak`` (at least one pair, with error 8464 or
  8465, and a 9156 after the first), ``q319936`` (at least one signature pair),
  ``not-q319936`` (4283s, but no pair), ``inconclusive`` (no 4283).
* Events are taken one at a time (:meth:`Diagnosis.add`): memory grows with the hours and the
  LPIs the log holds, not with its events. What an event is decides by a table keyed by event
  id (no branch on an id outside the catalog).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..core import (
    BAD_LPI_ERROR_CODE,
    CLOSE_REQUEST,
    PAIR_WINDOW_SECONDS,
    POST_FIX,
    PRE_FIX,
    Event,
    EventId,
)
from ..render import Opaque
from ..text._plural import plural

#: The error code of KB Q266792's 4283 description ("Error code: 8465").
ERROR_8465 = 8465
VERDICTS = ("q266792-leak", "q319936", "not-q319936", "inconclusive")
#: LPIs and control blocks listed by name (the others are counted).
LISTED = 50
#: How many Close Requests wait for their 4283 at most before the oldest are let go.
_PENDING_LIMIT = 4096


@dataclass
class Hour:
    """What one clock hour of the log holds."""

    signature_pairs: int = 0
    lone_4283: int = 0
    close_requests: int = 0
    events_9156: int = 0

    @property
    def normal_closes(self) -> int:
        """Close Requests not in a signature pair: connections closed as they should be."""
        return self.close_requests - self.signature_pairs


@dataclass
class Diagnosis:
    """The counts of one log, event by event (:meth:`add`), and its verdict."""

    window: timedelta = timedelta(seconds=PAIR_WINDOW_SECONDS)
    signature_pairs: int = 0
    pairs_8465: int = 0
    lone_4283: int = 0
    error_8465: int = 0
    events_4283: int = 0
    events_9156: int = 0
    close_requests: int = 0
    first_pair_any: datetime | None = None
    leak_after_pair: int = 0
    first: datetime | None = None
    last: datetime | None = None
    hours: dict[datetime, Hour] = field(default_factory=dict)
    lpis: set[str] = field(default_factory=set)
    control_blocks: set[int] = field(default_factory=set)
    _pending: dict[str, list[datetime]] = field(default_factory=dict)

    def add(self, event: Event | Opaque) -> None:
        if isinstance(event, Opaque):
            return
        handler = _HANDLERS.get(event.event_id)
        if handler is not None:
            handler(self, event)

    def _hour(self, stamp: datetime) -> Hour:
        key = stamp.replace(minute=0, second=0, microsecond=0)
        found = self.hours.get(key)
        if found is None:
            found = self.hours[key] = Hour()
        return found

    def _close(self, event: Event) -> None:
        if event.message_type != CLOSE_REQUEST or event.lpi is None:
            return
        self.close_requests += 1
        self._hour(event.timestamp).close_requests += 1
        self._pending.setdefault(str(event.lpi), []).append(event.timestamp)
        if len(self._pending) > _PENDING_LIMIT:
            oldest = event.timestamp - self.window
            self._pending = {
                lpi: kept
                for lpi, stamps in self._pending.items()
                if (kept := [s for s in stamps if s >= oldest])
            }

    def _bad_lpi(self, event: Event) -> None:
        stamp = event.timestamp
        hour = self._hour(stamp)
        self.events_4283 += 1
        code = event.error_code
        if code == ERROR_8465:
            self.error_8465 += 1
        paired = event.lpi is not None and self._take(str(event.lpi), stamp)
        if paired and code in (BAD_LPI_ERROR_CODE, ERROR_8465) and self.first_pair_any is None:
            self.first_pair_any = stamp
        if paired and code == BAD_LPI_ERROR_CODE:
            self.signature_pairs += 1
            hour.signature_pairs += 1
            self.first = stamp if self.first is None else min(self.first, stamp)
            self.last = stamp if self.last is None else max(self.last, stamp)
            if event.lpi is not None:
                self.lpis.add(str(event.lpi))
            if event.cb is not None:
                self.control_blocks.add(event.cb)
            return
        if paired:
            self.pairs_8465 += 1
        self.lone_4283 += 1
        hour.lone_4283 += 1

    def _take(self, lpi: str, stamp: datetime) -> bool:
        stamps = self._pending.get(lpi)
        if not stamps:
            return False
        for index, close in enumerate(stamps):
            if timedelta(0) <= stamp - close <= self.window:
                del stamps[index]
                if not stamps:
                    del self._pending[lpi]
                return True
        return False

    def _no_cb(self, event: Event) -> None:
        self.events_9156 += 1
        self._hour(event.timestamp).events_9156 += 1
        if self.first_pair_any is not None and event.timestamp >= self.first_pair_any:
            self.leak_after_pair += 1

    # -- the verdict -----------------------------------------------------------------------
    @property
    def verdict(self) -> str:
        if self.first_pair_any is not None and self.leak_after_pair:
            return "q266792-leak"
        if self.signature_pairs:
            return "q319936"
        if self.events_4283:
            return "not-q319936"
        return "inconclusive"

    def busiest(self) -> tuple[datetime, Hour] | None:
        with_pairs = [(h, c) for h, c in sorted(self.hours.items()) if c.signature_pairs]
        if not with_pairs:
            return None
        return max(with_pairs, key=lambda item: item[1].signature_pairs)

    def time_of_day(self) -> list[int]:
        counts = [0] * 24
        for hour, found in self.hours.items():
            counts[hour.hour] += found.signature_pairs
        return counts

    def pattern(self) -> str:
        """The time-of-day pattern in words."""
        counts = self.time_of_day()
        hours = [h for h, n in enumerate(counts) if n]
        if not hours:
            return "no signature pair"
        runs: list[tuple[int, int]] = []
        for h in hours:
            if runs and runs[-1][1] == h - 1:
                runs[-1] = (runs[-1][0], h)
            else:
                runs.append((h, h))
        spans = ", ".join(f"{a:02d}:00-{b + 1:02d}:00" for a, b in runs)
        days = len({hour.date() for hour, found in self.hours.items() if found.signature_pairs})
        return f"pairs between {spans} (on {days} day{'' if days == 1 else 's'})"

    def reason(self) -> dict[str, Any]:
        """The verdict's reason, the KB articles behind it and what to do next."""
        window = f"{PAIR_WINDOW_SECONDS} s"
        fix = f"{POST_FIX.version} ({POST_FIX.name})"
        fit = "mtasim fit LOG --output my.toml, then mtasim compare my.toml"
        verdict = self.verdict
        if verdict == "q266792-leak":
            return {
                "reason": (
                    f"{self.signature_pairs + self.pairs_8465} 4258 Close Request / 4283 pairs "
                    f"then {self.leak_after_pair} 9156 'no free control blocks' after the "
                    "first: the MTA runs out of control blocks after 4283, as the post-SP3 "
                    'build of KB Q266792 does ("an error in the way the MTA processes its '
                    'internal control blocks")'
                ),
                "kb": ["Q266792", "Q319936"],
                "next": [
                    "KB Q266792: the problem was first corrected in Exchange Server 5.5 "
                    f"Service Pack 4 ({PRE_FIX.version}); a server on 5.5.2651.61 should move "
                    "to SP4",
                    f"then, for the 4283 pairs themselves, the KB Q319936 hotfix {fix}",
                    fit + " (--build post-sp3 shows the leak)",
                ],
            }
        if verdict == "q319936":
            return {
                "reason": (
                    f"{plural(self.signature_pairs, 'signature pair')}: a 4258 Close Request "
                    "and a 4283 "
                    f"with error code {BAD_LPI_ERROR_CODE} for the same LPI within {window}, "
                    "the race of KB Q319936 (the connection timed out before the MTA's OK "
                    "response)"
                ),
                "kb": ["Q319936"],
                "next": [
                    f"install the KB Q319936 hotfix, MTA build {fix}: it logs the 4258 without "
                    "the 4283",
                    fit,
                ],
            }
        if verdict == "not-q319936":
            return {
                "reason": (
                    f"{plural(self.events_4283, 'event')} 4283 but no signature pair (no 4258 "
                    "Close Request of "
                    f"the same LPI within {window} before a 4283 with error code "
                    f'{BAD_LPI_ERROR_CODE}): KB Q266792, "The event ID 4283 message alone is '
                    "not evidence that the problem that is described in this article is "
                    'occurring."'
                ),
                "kb": ["Q266792"],
                "next": [
                    "turn up MTA diagnostics logging (Interface) so that the 4258s are logged, "
                    "and run mtasim diagnose on the new log",
                ],
            }
        return {
            "reason": "no 4283 in the log: nothing to diagnose",
            "kb": ["Q319936"],
            "next": ["run mtasim diagnose again on a log that holds 4283 events"],
        }

    def to_dict(self, fmt: str, events: int, unknown: int) -> dict[str, Any]:
        busiest = self.busiest()
        lpis = sorted(self.lpis, key=_lpi_key)
        cbs = sorted(self.control_blocks)
        return {
            "format": fmt,
            "events": events,
            "unknown_kept": unknown,
            "signature_pairs": self.signature_pairs,
            "lone_4283": self.lone_4283,
            "error_8465": self.error_8465,
            "events_9156": self.events_9156,
            "events_4283": self.events_4283,
            "close_requests": self.close_requests,
            "first": None if self.first is None else self.first.isoformat(),
            "last": None if self.last is None else self.last.isoformat(),
            "per_hour": [
                {
                    "hour": hour.isoformat(timespec="minutes"),
                    "signature_pairs": found.signature_pairs,
                    "lone_4283": found.lone_4283,
                    "close_requests": found.close_requests,
                    "events_9156": found.events_9156,
                }
                for hour, found in sorted(self.hours.items())
            ],
            "busiest_hour": None
            if busiest is None
            else {
                "hour": busiest[0].isoformat(timespec="minutes"),
                "signature_pairs": busiest[1].signature_pairs,
            },
            "lpis": lpis[:LISTED],
            "lpi_count": len(lpis),
            "control_blocks": cbs[:LISTED],
            "control_block_count": len(cbs),
            "time_of_day": self.time_of_day(),
            "pattern": self.pattern(),
            "verdict": self.verdict,
            **self.reason(),
        }


def _lpi_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("-"))


_HANDLERS = {
    EventId.NSI_MESSAGE_RECEIVED: Diagnosis._close,
    EventId.BAD_LPI: Diagnosis._bad_lpi,
    EventId.NO_FREE_CONTROL_BLOCKS: Diagnosis._no_cb,
}


def text_report(found: dict[str, Any], name: str, width: int = 40) -> str:
    """The diagnosis for a terminal: the verdict, the counts, a chart of the pairs per hour."""
    lines = [
        f"{name} ({found['format']}): {plural(found['events'], 'event', digits=',')} read, "
        f"{found['unknown_kept']:,} unknown kept",
        "",
        f"Verdict: {found['verdict']}",
        f"  {found['reason']}",
        f"  KB: {', '.join(found['kb'])}",
        "",
        f"Signature pairs (4258 Close Request + 4283 error {BAD_LPI_ERROR_CODE}, same LPI, "
        f"within {PAIR_WINDOW_SECONDS} s): {found['signature_pairs']:,}",
        f"4283 not in a pair: {found['lone_4283']:,} (error code {ERROR_8465}: "
        f"{found['error_8465']:,})",
        f"9156 no free control blocks: {found['events_9156']:,}",
        f"Close Requests: {found['close_requests']:,}",
    ]
    if found["first"] is not None:
        lines.append(f"First pair: {found['first']}   last: {found['last']}")
        busiest = found["busiest_hour"]
        lines.append(
            f"Busiest hour: {busiest['hour']} ({plural(busiest['signature_pairs'], 'pair')})"
        )
        more = found["lpi_count"] - len(found["lpis"])
        lines.append(
            f"LPIs ({found['lpi_count']}): {', '.join(found['lpis'])}"
            + (f" and {more} more" if more else "")
        )
        more = found["control_block_count"] - len(found["control_blocks"])
        lines.append(
            f"Control blocks ({found['control_block_count']}): "
            f"{', '.join(str(c) for c in found['control_blocks'])}"
            + (f" and {more} more" if more else "")
        )
        lines.append(f"Time of day: {found['pattern']}")
    if found["per_hour"]:
        lines += ["", "Signature pairs per hour:"]
        top = max(1, *(h["signature_pairs"] for h in found["per_hour"]))
        for hour in found["per_hour"]:
            count = hour["signature_pairs"]
            bar = "█" * round(width * count / top) if count else ""
            lines.append(f"  {hour['hour'].replace('T', ' ')}  {bar:<{width}} {count}")
    lines += ["", "Next:", *(f"  - {step}" for step in found["next"])]
    return "\n".join(lines) + "\n"
