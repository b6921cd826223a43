"""Deterministic timestamps for generated data: a fixed base instant and the company time zone.

WHENMODIFIED and master-data WHENCREATED are printed in the company time zone, AUWHENCREATED
and AUDITHISTORY.ACCESSTIME in UTC (docs/protocol.md §7).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

# Generated rows lie in the year before this instant whatever the clock says, so one seed
# always gives the same rows.
BASE = datetime(2026, 11, 1, tzinfo=timezone.utc)
BASE_EPOCH = int(BASE.timestamp())
YEAR = 365 * 86400
# The last business day of the generated data (BASE is its evening in Los Angeles): documents
# are dated up to the day before, and receivables aging is measured on it.
AS_OF = date(2026, 10, 31)


class Timeline:
    def __init__(self, rng: random.Random, tz: str) -> None:
        self.rng = rng
        self.zone = ZoneInfo(tz)

    def created(self, max_age: int = YEAR, min_age: int = 3600) -> int:
        return BASE_EPOCH - self.rng.randint(min_age, max_age)

    def modified(self, created: int) -> int:
        """Most rows were modified after creation, a few never (WHENMODIFIED == creation)."""
        if self.rng.random() < 0.3:
            return created
        return min(created + self.rng.randint(60, 40 * 86400), BASE_EPOCH - 60)

    # isoformat()[:19] is strftime("%Y-%m-%d %H:%M:%S") at a fraction of the cost: a medium
    # company formats a few hundred thousand of these.
    def local(self, epoch: int) -> str:
        return datetime.fromtimestamp(epoch, self.zone).isoformat(" ")[:19]

    def utc(self, epoch: int) -> str:
        return datetime.fromtimestamp(epoch, timezone.utc).isoformat(" ")[:19]

    def at(self, day: date) -> int:
        """An epoch during business hours of ``day`` in the company zone."""
        start = datetime(day.year, day.month, day.day, 9, tzinfo=self.zone).timestamp()
        return int(start) + self.rng.randint(0, 8 * 3600)

    def day(self, epoch: int) -> str:
        return datetime.fromtimestamp(epoch, self.zone).isoformat()[:10]

    def stamps(self, age: int = YEAR) -> dict[str, object]:
        """WHENCREATED/WHENMODIFIED (company zone) plus users for master data and lines."""
        c = self.created(age)
        user = self.rng.randint(1, 6)
        return {
            "WHENCREATED": self.local(c),
            "WHENMODIFIED": self.local(self.modified(c)),
            "CREATEDBY": user,
            "MODIFIEDBY": user,
            "_created": c,
        }
