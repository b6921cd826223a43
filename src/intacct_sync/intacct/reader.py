"""Paged reads of one object's rows: which requests, in which order, as typed pages.

**Incremental reads** (``ReadFunction.QUERY``, docs/protocol.md §5.2, §9): keyset pages on
(cursor, key) within the window (``paging.KeysetPaginator``), then the rows whose cursor is
empty in a second keyset pass on the key alone: those whose ``created`` field is in the window.

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
resultId until ``numremaining`` is 0; an expired resultId, or a page lost to a readMore that
ran after the client gave up on it (its answer's rows and ``numremaining`` do not add up to what
the answer before left), restarts the query (at most ``max_restarts`` times), dropping rows
already yielded by key. Only UDDs use it and they are
small, so the set of yielded keys stays small.

Keyset pages go through ``adaptive.Adaptive`` when the client passes one: fields ``query``
refuses are left out (null in the batches), a page lost to HTTP 524 is asked again at half the
size from the same position (docs/protocol.md §17).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from intacct_sync.intacct import envelope
from intacct_sync.intacct.adaptive import Adaptive, keep
from intacct_sync.intacct.errors import ReadMoreLostPage, ResultIdExpired
from intacct_sync.intacct.fields import Field, FieldType
from intacct_sync.intacct.filters import And, Cmp, Filter, Or
from intacct_sync.intacct.objects import ObjectSpec
from intacct_sync.intacct.paging import (
    Call,
    Chunk,
    KeysetPaginator,
    ReadMorePaginator,
    paginate,
    send,
)
from intacct_sync.intacct.records import Page, Window, build_batch, data_int
from intacct_sync.intacct.streams import merged
from intacct_sync.intacct.values import format_timestamp
from intacct_sync.intacct.window import WindowFilters

log = logging.getLogger(__name__)

# A full read is split only when each stream gets at least this many pages: a split costs the
# 1-row max-key query plus at most one part-filled page per extra range, under 10% of the calls.
SPLIT_PAGES_PER_STREAM = 10


def to_page(
    chunk: Chunk, fields: list[Field], tz: str, object_name: str, key: str | None = None
) -> Page:
    batch = build_batch(chunk.records, fields, tz=tz, object_name=object_name, key=key)
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
    streams: int | Callable[[], int] = 1,
    adaptive: Adaptive | None = None,
) -> Iterator[Page]:
    """Pages of the window, in key order (split into ``streams`` when large): everything for a
    full read, the rows changed in the window for an incremental one (one pass, rows without a
    cursor included). Objects whose key is not an integer page on (cursor, key), then read the
    rows whose cursor is empty in a second pass."""
    filters = WindowFilters(spec, fields, window, tz)
    read = KeysetRead(
        call,
        spec,
        fields,
        tz=tz,
        page_size=page_size,
        showprivate=showprivate,
        adaptive=adaptive,
    )
    if _integer_key(spec, fields):
        # A full read takes every row, with no upper bound: its keys are the complete set the
        # key sweep compares against (a row changed after the window end is still there).
        yield from read.full(None if window.start is None else filters.change_filter(), streams)
        return
    yield from read.pages(filters.cursor_filter(), cursor=spec.cursor, skip_empty=False)
    null_filter = filters.null_cursor_filter()
    if null_filter is not None:
        yield from read.pages(null_filter)


def slice_bounds(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """The inner edges of a sliced full read: start, start + step, ... (before ``end``)."""
    edges, edge = [], start
    while edge < end:
        edges.append(edge)
        edge += step
    return edges


def sliced_pages(
    call: Call,
    spec: ObjectSpec,
    fields: list[Field],
    edges: list[datetime],
    *,
    tz: str,
    page_size: int,
    showprivate: bool = True,
    adaptive: Adaptive | None = None,
) -> Iterator[Page]:
    """A full read of a heavy object (a view, §8) in slices of its cursor, each keyset-paged in
    key order: ``cursor <= e0 OR cursor IS NULL``, then ``e0 < cursor <= e1``, ..., and the last
    slice open-ended (no upper bound, as every full read: its keys are the complete set). The
    slices do not overlap, so every row is read once; an unfiltered read never goes out."""
    read = KeysetRead(
        call, spec, fields, tz=tz, page_size=page_size, showprivate=showprivate, adaptive=adaptive
    )
    cursor = spec.cursor
    texts = [format_timestamp(edge, tz) for edge in edges]
    bounds: list[Filter] = []
    if texts:
        bounds.append(Or(Cmp("lessthanorequalto", cursor, texts[0]), Cmp("isnull", cursor)))
    for low, high in zip(texts, texts[1:], strict=False):
        bounds.append(And(Cmp("greaterthan", cursor, low), Cmp("lessthanorequalto", cursor, high)))
    bounds.append(Cmp("greaterthan", cursor, texts[-1]) if texts else None)  # type: ignore[arg-type]
    for where in bounds:
        yield from read.pages(where, skip_empty=False)


def _integer_key(spec: ObjectSpec, fields: list[Field]) -> bool:
    return any(f.name == spec.key and f.type is FieldType.INTEGER for f in fields)


class KeysetRead:
    """Keyset page series of one object, one select list, one set of options."""

    def __init__(
        self,
        call: Call,
        spec: ObjectSpec,
        fields: list[Field],
        *,
        tz: str,
        page_size: int,
        showprivate: bool,
        adaptive: Adaptive | None = None,
    ) -> None:
        self.call, self.spec, self.fields = call, spec, fields
        self.tz, self.page_size, self.showprivate = tz, page_size, showprivate
        self.adaptive = adaptive

    @property
    def select(self) -> list[str]:
        """The fields asked for: less those left out so far this run (re-read per series)."""
        spec, full = self.spec, select_list(self.fields, self.spec.key, self.spec.cursor)
        if self.adaptive is None:
            return full
        return keep(full, self.adaptive.memory.left_out(spec.name), spec.key, spec.cursor)

    def paginator(self, where: Filter | None, cursor: str | None = None) -> KeysetPaginator:
        size = self.page_size
        if self.adaptive is not None:
            size = self.adaptive.memory.page_size(self.spec.name, size)
        return KeysetPaginator(
            self.spec.name,
            self.select,
            where,
            key=self.spec.key,
            cursor=cursor,
            page_size=size,
            showprivate=self.showprivate,
        )

    def page(self, chunk: Chunk) -> Page:
        return to_page(chunk, self.fields, self.tz, self.spec.name, self.spec.key)

    def series(self, paginator: KeysetPaginator) -> Iterator[Chunk]:
        return paginate(self.call, paginator, self.adaptive)

    def pages(
        self, where: Filter | None, cursor: str | None = None, skip_empty: bool = True
    ) -> Iterator[Page]:
        for chunk in self.series(self.paginator(where, cursor)):
            if chunk.records or not skip_empty:
                yield self.page(chunk)

    def key_range(self, base: Filter | None, low: int | None, high: int | None) -> Filter | None:
        key = self.spec.key
        bounds = [Cmp("greaterthan", key, str(low))] if low is not None else []
        bounds += [Cmp("lessthanorequalto", key, str(high))] if high is not None else []
        return And(base, *bounds) if bounds else base

    def full(self, base: Filter | None, streams: int | Callable[[], int]) -> Iterator[Page]:
        paginator = self.paginator(base)
        first_series = self.series(paginator)
        first = next(first_series)
        yield self.page(first)  # even when empty: its totalcount (0) is the progress total
        left, size = first.numremaining, paginator.page_size
        if not first.records or left == 0 or len(first.records) < size:
            return
        pages_left = -(-left // size)
        # Requests in flight may have dropped to 1 (200024, §17): split for what is left.
        streams = streams() if callable(streams) else streams
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

    def max_key(self, base: Filter | None) -> int | None:
        key = self.spec.key
        function = envelope.query(
            self.spec.name,
            [key],
            filter=base,
            orderby=[(key, False)],
            pagesize=1,
            showprivate=self.showprivate,
        )
        chunk = send(self.call, function, self.spec.name)
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


def select_list(fields: list[Field], *required: str | None) -> list[str]:
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
    left_out: frozenset[str] = frozenset(),
) -> Iterator[Page]:
    """readByQuery + readMore; restart on an expired resultId, skipping rows already seen."""
    text = WindowFilters(spec, fields, window, tz).read_by_query_text() if window else ""
    select = keep(select_list(fields, spec.key), left_out, spec.key)
    seen: set[str] = set()
    for attempt in range(max_restarts + 1):
        try:
            paginator = ReadMorePaginator(spec.name, select, text, page_size)
            promised: int | None = None  # rows the previous answer said were left
            for chunk in paginate(call, paginator):
                if promised is not None and len(chunk.records) + chunk.numremaining != promised:
                    # A readMore that ran after the client gave up on it (a read timeout, a
                    # lost answer) moved the cursor past rows this read never saw: asking again
                    # returns the page after. Restart the query; rows already yielded are
                    # dropped by key, so nothing is read twice or lost.
                    raise ReadMoreLostPage(
                        f"{spec.name}: a readMore answer left {chunk.numremaining} rows after "
                        f"{len(chunk.records)}, but {promised} were left before it (a page was "
                        "lost between the client and Intacct)"
                    )
                promised = chunk.numremaining
                fresh = [r for r in chunk.records if (r.findtext(spec.key) or "") not in seen]
                seen.update(r.findtext(spec.key) or "" for r in fresh)
                if fresh or not seen:
                    fresh_chunk = Chunk(fresh, chunk.data, chunk.response)
                    yield to_page(fresh_chunk, fields, tz, spec.name, spec.key)
            return
        except ResultIdExpired as exc:  # ReadMoreLostPage too
            if attempt == max_restarts:
                raise
            what = "lost a page" if isinstance(exc, ReadMoreLostPage) else "expired"
            log.warning(
                "readByQuery result of %s %s; restarting (%d)", spec.name, what, attempt + 1
            )
