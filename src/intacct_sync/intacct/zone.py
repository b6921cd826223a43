"""Evidence of the web-services user's time zone, read from the data (docs/protocol.md §7).

The XML gateway exposes no user preference (docs/protocol.md §7), but a record that was never
modified carries the same instant twice: ``AUWHENCREATED`` in GMT and ``WHENMODIFIED`` in the
user's zone (a real capture shows a 7-hour gap, Pacific daylight time). On such rows
``WHENMODIFIED - AUWHENCREATED`` is exactly the zone's offset at that instant; on modified rows it
is larger by the time between creation and the change, to the second, so it is rarely a whole
quarter hour. Reading the newest rows of one object (one billed query) therefore tells whether
the configured zone fits: rows that agree to the second, or a common shift in whole quarter
hours that says by how much it is wrong.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from intacct_sync.intacct.values import TIMESTAMP_FORMAT

QUARTER_HOUR = 900
ENOUGH = 3  # rows that must agree before the evidence says anything


@dataclass(frozen=True)
class ZoneEvidence:
    object_name: str
    rows: int  # rows with both timestamps
    agree: int  # rows whose WHENMODIFIED is AUWHENCREATED in the configured zone, to the second
    shift: timedelta | None  # the most common whole-quarter-hour disagreement, if any
    shifted: int  # rows showing that shift

    @property
    def mismatch(self) -> bool:
        return self.agree < ENOUGH and self.shift is not None and self.shifted >= ENOUGH

    def describe(self, tz: str) -> str:
        if self.agree >= ENOUGH:
            return (
                f"{self.agree} never-modified {self.object_name} rows of the newest {self.rows} "
                f"read WHENMODIFIED in {tz}: consistent"
            )
        if self.mismatch:
            hours = self.shift.total_seconds() / 3600  # type: ignore[union-attr]
            return (
                f"{self.shifted} never-modified {self.object_name} rows of the newest "
                f"{self.rows} read WHENMODIFIED {hours:+g} h away from {tz}: Intacct's "
                f"time-zone preference is not {tz}. Set timezone to the web-services user's "
                "preference (a zone that far from the configured one)."
            )
        return (
            f"no never-modified rows among the newest {self.rows} {self.object_name} rows: "
            "could not tell"
        )


def weigh(object_name: str, pairs: list[tuple[str | None, str | None]], tz: str) -> ZoneEvidence:
    """``pairs`` of (AUWHENCREATED text, WHENMODIFIED text) against the configured ``tz``."""
    zone = ZoneInfo(tz)
    agree, rows, shifts = 0, 0, Counter()
    for created, modified in pairs:
        if not created or not modified:
            continue
        rows += 1
        utc = datetime.strptime(created, TIMESTAMP_FORMAT).replace(tzinfo=timezone.utc)
        expected = utc.astimezone(zone).replace(tzinfo=None)
        residual = int((datetime.strptime(modified, TIMESTAMP_FORMAT) - expected).total_seconds())
        if residual == 0:
            agree += 1
        elif residual % QUARTER_HOUR == 0 and abs(residual) <= 26 * 3600:
            shifts[residual] += 1
    shift, shifted = shifts.most_common(1)[0] if shifts else (None, 0)
    return ZoneEvidence(
        object_name,
        rows,
        agree,
        timedelta(seconds=shift) if shift is not None else None,
        shifted,
    )
