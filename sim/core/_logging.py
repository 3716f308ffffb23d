"""Diagnostics logging levels and which events each one writes.

Rules of this module:

* The MTA's diagnostics logging level is set per category under
  ``MSExchangeMTA\\Diagnostics``; the Interface category is value ``4 Interface`` with levels
  None/Minimum/Medium/Maximum = 0/1/3/5 (DOMAIN.md; KB Q163325: "The categories and levels of
  events written are controlled as for the standard binary Application Event logs").
* **[inferred]** An Interface event is written when its severity reaches the level's floor:

  ========  =====  ===================
  level     value  severities written
  ========  =====  ===================
  none      0      16 (fatal) only
  minimum   1      14 and above
  medium    3      10 and above
  maximum   5      all (8 and above)
  ========  =====  ===================

  so the severity-8 NSI event 4258 appears only at maximum, as DOMAIN.md says it does, and
  the KB's 4258/4283 pair needs maximum.
* **[inferred]** Events of other categories (9156 is Resource) are always written: the model
  has no knob for their levels, and KB Q229643 shows 9156 logged on a default server.

Rules of the model carried out here (``sim.core.RULES``, listed with their sources in
docs/model.md): ``logging-levels``.
"""

from __future__ import annotations

import enum

from ._catalog import Category, EventSpec


class LoggingLevel(enum.IntEnum):
    NONE = 0
    MINIMUM = 1
    MEDIUM = 3
    MAXIMUM = 5

    @classmethod
    def parse(cls, value: str | int) -> LoggingLevel:
        """Accept ``"maximum"`` (any case) or the registry number 0, 1, 3 or 5."""
        if isinstance(value, bool):
            raise ValueError(f"not a logging level: {value!r}")
        if isinstance(value, int):
            try:
                return cls(value)
            except ValueError:
                raise ValueError(f"not a logging level: {value} (expected 0, 1, 3 or 5)") from None
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(
                f"not a logging level: {value!r} (expected none, minimum, medium or maximum)"
            ) from None

    @property
    def label(self) -> str:
        return self.name.lower()


#: Lowest severity written at each Interface level. [inferred]
SEVERITY_FLOOR: dict[LoggingLevel, int] = {
    LoggingLevel.NONE: 16,
    LoggingLevel.MINIMUM: 14,
    LoggingLevel.MEDIUM: 10,
    LoggingLevel.MAXIMUM: 0,
}


def is_logged(spec: EventSpec, interface_level: LoggingLevel) -> bool:
    """Whether an event of this kind is written at this Interface logging level."""
    if spec.category is not Category.INTERFACE:
        return True
    return spec.severity >= SEVERITY_FLOOR[interface_level]
