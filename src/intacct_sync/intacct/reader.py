"""Paged reads of one object: keyset ``query`` pages, or ``readByQuery`` + ``readMore``.

**Keyset pages** (``ReadFunction.QUERY``, PROTOCOL.md §5.2, §9): ``query`` with an explicit
select list, ``orderby`` cursor then key, ``offset`` always 0, and for each next page the
filter ``window AND ((cursor > last) OR (cursor = last AND key > lastkey))``. An offset is a
fresh query, so a row modified while paging would shift every later row and one would be
skipped; a keyset position does not move. The comparison values are the raw strings of the
last row, so no time-zone round trip is involved. A page that does not move the position is a
``PaginationLoop``. In an incremental read, rows whose cursor is empty are read in a second
keyset pass on the key alone: those whose ``created`` field is in the window.

**Full reads** (no window start) need no cursor order: they read in key order, with rows whose
cursor is empty in the same pass (``cursor <= end OR cursor IS NULL``). A key position never
moves, so a full read can be split: after the first page, when ``streams`` > 1 and each stream
would get at least ``SPLIT_PAGES_PER_STREAM`` pages, the rest of the key range (up to the
largest key, one 1-row query; the last range open-ended) is cut into one range per stream, read
at once, each a keyset series of its own. The gateway's semaphore keeps the requests
in flight within Intacct's limit; splitting only keeps those slots busy when one large object is
all that is left to read. A row changed during the read moves past the window end and is read
by the next run, as with cursor order.

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
from intacct_sync.streams import merged

log = logging.getLogger(__name__)

Call = Callable[..., Response]  # (functions, object=...) -> Response

# A full read is split only when each stream gets at least this many pages: a split costs the
# 1-row max-key query plus at most one part-filled page per extra range, under 10% of the calls.
SPLIT_PAGES_PER_STREAM = 10


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

    def full_filter(self) -> Filter:
        """Every row up to the window end, those without a cursor included (a full read)."""
        return Or(
            Cmp("lessthanorequalto", self.spec.cursor, self.end), Cmp("isnull", self.spec.cursor)
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
    streams: int = 1,
) -> Iterator[Page]:
    """Pages of the window: a full read in key order (split into ``streams`` when large), an
    incremental one in keyset pages on (cursor, key) and then the rows whose cursor is empty."""
    filters = WindowFilters(spec, fields, window, tz)
    select = _select(fields, spec.key, spec.cursor)
    read = _KeysetRead(
        call, spec, fields, select, tz=tz, page_size=page_size, showprivate=showprivate
    )
    if window.start is None and _integer_key(spec, fields):
        yield from read.full(filters.full_filter(), streams)
        return
    yield from read.pages(filters.cursor_filter(), cursor=spec.cursor, skip_empty=False)
    null_filter = filters.null_cursor_filter()
    if null_filter is not None:
        yield from read.pages(null_filter)


def _integer_key(spec: ObjectSpec, fields: list[Field]) -> bool:
    return any(f.name == spec.key and f.type is FieldType.INTEGER for f in fields)


class _KeysetRead:
    """Keyset page series of one object, one select list, one set of options."""

    def __init__(
        self,
        call: Call,
        spec: ObjectSpec,
        fields: list[Field],
        select: list[str],
        *,
        tz: str,
        page_size: int,
        showprivate: bool,
    ) -> None:
        self.call, self.spec, self.fields, self.select = call, spec, fields, select
        self.tz, self.page_size, self.showprivate = tz, page_size, showprivate

    def chunks(self, where: Filter, cursor: str | None = None) -> Iterator[Chunk]:
        return keyset_chunks(
            self.call,
            self.spec.name,
            self.select,
            where,
            cursor=cursor,
            key=self.spec.key,
            page_size=self.page_size,
            showprivate=self.showprivate,
        )

    def page(self, chunk: Chunk) -> Page:
        return _page(chunk, self.fields, self.tz, self.spec.name)

    def pages(
        self, where: Filter, cursor: str | None = None, skip_empty: bool = True
    ) -> Iterator[Page]:
        for chunk in self.chunks(where, cursor):
            if chunk.records or not skip_empty:
                yield self.page(chunk)

    def key_range(self, base: Filter, low: int | None, high: int | None) -> Filter:
        key = self.spec.key
        bounds = [Cmp("greaterthan", key, str(low))] if low is not None else []
        bounds += [Cmp("lessthanorequalto", key, str(high))] if high is not None else []
        return And(base, *bounds) if bounds else base

    def full(self, base: Filter, streams: int) -> Iterator[Page]:
        first_series = self.chunks(base)
        first = next(first_series)
        yield self.page(first)  # even when empty: its totalcount (0) is the progress total
        left = data_int(first.data, "numremaining")
        if not first.records or left == 0 or len(first.records) < self.page_size:
            return
        pages_left = -(-left // self.page_size)
        if streams < 2 or pages_left < SPLIT_PAGES_PER_STREAM * streams:
            yield from (self.page(c) for c in first_series if c.records)
            return
        first_series.close()
        low = int(first.records[-1].findtext(self.spec.key) or 0)
        high = self.max_key(base)
        ranges = split_range(low, high, streams)
        sources = [self.pages(self.key_range(base, a, b)) for a, b in ranges]
        log.debug(
            "%s: full read in %d key ranges over %d streams", self.spec.name, len(sources), streams
        )
        with merged(
            sources, workers=streams, depth=streams, name=f"read-{self.spec.name}"
        ) as pages:
            yield from pages

    def max_key(self, base: Filter) -> int | None:
        key = self.spec.key
        function = envelope.query(
            self.spec.name,
            [key],
            filter=base,
            orderby=[(key, False)],
            pagesize=1,
            showprivate=self.showprivate,
        )
        chunk = _send_one(self.call, function, self.spec.name)
        text = chunk.records[0].findtext(key) if chunk.records else None
        return int(text) if text else None


def split_range(low: int, high: int | None, parts: int) -> list[tuple[int, int | None]]:
    """``(low, high]`` cut into up to ``parts`` ranges of equal width; the last is open-ended
    (keys above ``high`` committed since it was read are not lost)."""
    if high is None or high <= low or parts < 2:
        return [(low, None)]
    cuts = sorted({low + (high - low) * i // parts for i in range(1, parts)} - {low})
    edges = [low, *cuts]
    return [(a, b) for a, b in zip(edges, cuts, strict=False)] + [(edges[-1], None)]


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
