"""Paged reads of one object: keyset ``query`` pages, or ``readByQuery`` + ``readMore``.

**Keyset pages** (``ReadFunction.QUERY``, PROTOCOL.md §5.2, §9): ``query`` with an explicit
select list, ``orderby`` cursor then key, ``offset`` always 0, and for each next page the
filter ``window AND ((cursor > last) OR (cursor = last AND key > lastkey))``. An offset is a
fresh query, so a row modified while paging would shift every later row and one would be
skipped; a keyset position does not move. The comparison values are the raw strings of the
last row, so no time-zone round trip is involved. A page that does not move the position is a
``PaginationLoop``. Rows whose cursor is empty are read in a second keyset pass on the key
alone: all of them for a full read, and those whose ``created`` field is in the window for an
incremental one.

**readByQuery** (``ReadFunction.READ_BY_QUERY``, user-defined dimensions, §5.1): readMore by
resultId until ``numremaining`` is 0; an expired resultId restarts the query (at most
``max_restarts`` times), dropping rows already yielded by key. Only UDDs use it and they are
small, so the set of yielded keys stays small.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lxml import etree

from intacct_sync.intacct import envelope
from intacct_sync.intacct.errors import PaginationLoop, ResultIdExpired
from intacct_sync.intacct.fields import Field, FieldType, timestamp_zone
from intacct_sync.intacct.filters import And, Cmp, Filter, Or
from intacct_sync.intacct.objects import ObjectSpec
from intacct_sync.intacct.records import Page, Window, build_batch, data_int
from intacct_sync.intacct.response import Response
from intacct_sync.intacct.values import DATE_FORMAT, TIMESTAMP_FORMAT, format_timestamp

log = logging.getLogger(__name__)

Call = Callable[..., Response]  # (functions, object=...) -> Response


@dataclass(frozen=True)
class Chunk:
    """One answer of a paged read: the raw records and the paging attributes."""

    records: list[etree._Element]
    data: etree._Element | None
    response: Response


def _send_one(call: Call, function: envelope.Function, object_name: str) -> Chunk:
    response = call([function], object=object_name)
    data = response.results[0].data if response.results else None
    records = list(data) if data is not None else []
    return Chunk(records, data, response)


def _after(cursor: str | None, key: str, last: tuple[str, str] | None) -> Filter | None:
    if last is None:
        return None
    if cursor is None:
        return Cmp("greaterthan", key, last[1])
    return Or(
        Cmp("greaterthan", cursor, last[0]),
        And(Cmp("equalto", cursor, last[0]), Cmp("greaterthan", key, last[1])),
    )


def keyset_chunks(
    call: Call,
    object_name: str,
    select: list[str],
    base: Filter | None,
    *,
    cursor: str | None,
    key: str,
    page_size: int,
    showprivate: bool = True,
) -> Iterator[Chunk]:
    """Keyset pages ordered by (cursor, key), or by key alone when ``cursor`` is None.

    ``showprivate`` (top-level sessions only) lets the query see private-entity rows (§10).
    """
    orderby = ([(cursor, True)] if cursor else []) + [(key, True)]
    last: tuple[str, str] | None = None
    while True:
        parts = [p for p in (base, _after(cursor, key, last)) if p is not None]
        where = None if not parts else parts[0] if len(parts) == 1 else And(*parts)
        function = envelope.query(
            object_name,
            select,
            filter=where,
            orderby=orderby,
            pagesize=page_size,
            showprivate=showprivate,
        )
        chunk = _send_one(call, function, object_name)
        yield chunk
        if not chunk.records:
            return
        tail = chunk.records[-1]
        position = ((tail.findtext(cursor) or "") if cursor else "", tail.findtext(key) or "")
        if position == last or not position[1]:
            raise PaginationLoop(
                f"Loop detected in pagination of {object_name}: the page ending at "
                f"{position} did not move past the previous one. Intacct ignored the keyset "
                "filter; report it with this message.",
                object=object_name,
            )
        last = position
        if data_int(chunk.data, "numremaining") == 0 or len(chunk.records) < page_size:
            return


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
        upper = f"{c} <= {_quote(self.end)}"
        if self.start is None:
            return f"{upper} OR {c} IS NULL"
        text = f"({c} >= {_quote(self.start)} AND {upper})"
        if self.spec.created:
            text += f" OR ({c} IS NULL AND {self.spec.created} >= {_quote(self.created_bound())})"
        return text


def _quote(value: str) -> str:
    """A readByQuery string literal: backslash-escape quotes (PROTOCOL.md §5.1)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _page(chunk: Chunk, fields: list[Field], tz: str, object_name: str) -> Page:
    batch = build_batch(chunk.records, fields, tz=tz, object_name=object_name)
    return Page(
        batch=batch,
        totalcount=data_int(chunk.data, "totalcount", len(chunk.records)),
        numremaining=data_int(chunk.data, "numremaining"),
        count=data_int(chunk.data, "count", len(chunk.records)),
        elapsed=chunk.response.elapsed,
        bytes=chunk.response.nbytes,
    )


def query_pages(
    call: Call,
    spec: ObjectSpec,
    fields: list[Field],
    window: Window,
    *,
    tz: str,
    page_size: int,
    showprivate: bool = True,
) -> Iterator[Page]:
    """Keyset pages of the window, then the rows whose cursor is empty."""
    filters = WindowFilters(spec, fields, window, tz)
    select = _select(fields, spec.key, spec.cursor)
    for chunk in keyset_chunks(
        call,
        spec.name,
        select,
        filters.cursor_filter(),
        cursor=spec.cursor,
        key=spec.key,
        page_size=page_size,
        showprivate=showprivate,
    ):
        yield _page(chunk, fields, tz, spec.name)
    null_filter = filters.null_cursor_filter()
    if null_filter is None:
        return
    for chunk in keyset_chunks(
        call,
        spec.name,
        select,
        null_filter,
        cursor=None,
        key=spec.key,
        page_size=page_size,
        showprivate=showprivate,
    ):
        if chunk.records:
            yield _page(chunk, fields, tz, spec.name)


def _select(fields: list[Field], *required: str | None) -> list[str]:
    names = [f.name for f in fields]
    return names + [r for r in required if r and r not in names]


def read_by_query_pages(
    call: Call,
    spec: ObjectSpec,
    fields: list[Field],
    window: Window | None,
    *,
    tz: str,
    page_size: int,
    max_restarts: int = 2,
) -> Iterator[Page]:
    """readByQuery + readMore; restart on an expired resultId, skipping rows already seen."""
    text = WindowFilters(spec, fields, window, tz).read_by_query_text() if window else ""
    select = _select(fields, spec.key)
    seen: set[str] = set()
    for attempt in range(max_restarts + 1):
        try:
            for chunk in _read_more_chunks(call, spec.name, select, text, page_size):
                fresh = [r for r in chunk.records if (r.findtext(spec.key) or "") not in seen]
                seen.update(r.findtext(spec.key) or "" for r in fresh)
                if fresh or not seen:
                    yield _page(Chunk(fresh, chunk.data, chunk.response), fields, tz, spec.name)
            return
        except ResultIdExpired:
            if attempt == max_restarts:
                raise
            log.warning("readByQuery result of %s expired; restarting (%d)", spec.name, attempt + 1)


def _read_more_chunks(
    call: Call, object_name: str, select: list[str], text: str, page_size: int
) -> Iterator[Chunk]:
    chunk = _send_one(
        call, envelope.read_by_query(object_name, select, text, page_size), object_name
    )
    yield chunk
    result_id = chunk.data.get("resultId", "") if chunk.data is not None else ""
    while data_int(chunk.data, "numremaining") > 0 and result_id:
        chunk = _send_one(call, envelope.read_more(result_id), object_name)
        yield chunk
