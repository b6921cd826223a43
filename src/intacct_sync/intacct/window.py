"""The change window of a read, as Intacct filters (docs/protocol.md §5, §7, §9).

A window ``[start, end]`` is held in UTC; Intacct's naive timestamps are written in the company
time zone (the web-services user's preference), except the fields Intacct keeps in GMT, so the
bounds are rendered in the zone of the field they are compared with.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from intacct_sync.intacct.fields import Field, FieldType, timestamp_zone
from intacct_sync.intacct.filters import And, Cmp, Filter, Or
from intacct_sync.intacct.objects import ObjectSpec
from intacct_sync.intacct.records import Window
from intacct_sync.intacct.values import DATE_FORMAT, TIMESTAMP_FORMAT, format_timestamp


class WindowFilters:
    """Filters and readByQuery texts of a window, in the company's time zone (§7)."""

    def __init__(self, spec: ObjectSpec, fields: list[Field], window: Window, tz: str) -> None:
        self.spec, self.window, self.tz = spec, window, tz
        self.end = format_timestamp(window.end, tz)
        self.start = format_timestamp(window.start, tz) if window.start else None
        self.created_type = next(
            (f.type for f in fields if f.name == spec.created), FieldType.TIMESTAMP
        )

    def created_bound(self) -> str:
        # The creation field is written in UTC (AUWHENCREATED) or in the company zone (§7).
        start = self.window.start
        assert start is not None
        zone = ZoneInfo(timestamp_zone(self.spec.created or "", self.tz))
        earliest = start.astimezone(zone).replace(tzinfo=None)
        fmt = DATE_FORMAT if self.created_type is FieldType.DATE else TIMESTAMP_FORMAT
        return earliest.strftime(fmt)

    def cursor_filter(self) -> Filter:
        cursor = self.spec.cursor
        if self.start is None:
            return Cmp("lessthanorequalto", cursor, self.end)
        return And(
            Cmp("greaterthanorequalto", cursor, self.start),
            Cmp("lessthanorequalto", cursor, self.end),
        )

    def change_filter(self) -> Filter:
        """Rows changed in the window, and rows without a cursor created in it, in ONE filter:
        one pass (one billed call when nothing changed) instead of a second empty-cursor pass.
        Read in key order, a keyset position never moves, so rows changing meanwhile are
        neither skipped nor read twice (they move past the window end: the next run reads
        them)."""
        changed = self.cursor_filter()
        missing = self.null_cursor_filter()
        return changed if missing is None else Or(changed, missing)

    def null_cursor_filter(self) -> Filter | None:
        """Rows without a cursor: all (full read), or created in the window; None = skip."""
        isnull = Cmp("isnull", self.spec.cursor)
        if self.start is None:
            return isnull
        if not self.spec.created:
            return None
        return And(isnull, Cmp("greaterthanorequalto", self.spec.created, self.created_bound()))

    def read_by_query_text(self) -> str:
        c = self.spec.cursor
        upper = f"{c} <= {quote(self.end)}"
        if self.start is None:
            return f"{upper} OR {c} IS NULL"
        text = f"({c} >= {quote(self.start)} AND {upper})"
        if self.spec.created:
            text += f" OR ({c} IS NULL AND {self.spec.created} >= {quote(self.created_bound())})"
        return text


def quote(value: str) -> str:
    """A readByQuery string literal: backslash-escape quotes (docs/protocol.md §5.1)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
