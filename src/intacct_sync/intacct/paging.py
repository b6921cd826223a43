"""Paginators: how the next request of a paged read follows from the last answer.

One driver (:func:`paginate`) sends requests and yields each answer as a ``Chunk``; a paginator
is a small stateful object that builds the first request and, from each answer, the next one
(or ``None`` when the read is over). A paginator whose position does not move raises
``PaginationLoop`` instead of asking for the same page forever (the Singer SDK's "Loop detected
in pagination").

* ``KeysetPaginator``: ``query`` ordered by (cursor, key) or by key alone; each next page is
  filtered after the last row read, never by offset (docs/protocol.md §5.2: every offset request
  is a fresh query, so rows changing while paging would shift).
* ``ReadMorePaginator``: ``readByQuery``, then ``readMore`` by ``resultId`` while
  ``numremaining`` > 0 (§5.1).
* ``OffsetPaginator``: ``query`` pages by offset, for answers that cannot shift between pages
  (aggregates over a few groups).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

from intacct_sync.intacct import envelope
from intacct_sync.intacct.errors import PaginationLoop
from intacct_sync.intacct.filters import And, Cmp, Filter, Or
from intacct_sync.intacct.records import data_int
from intacct_sync.intacct.response import Response

Call = Callable[..., Response]  # (functions, object=..., retry_524=...) -> Response
# Sends one page request of a paginator, possibly changing it first (adaptive.Adaptive).
Guard = Callable[[Call, "Paginator", envelope.Function], "Chunk"]


@dataclass(frozen=True)
class Chunk:
    """One answer of a paged read: the raw records and the paging attributes."""

    records: list[etree._Element]
    data: etree._Element | None
    response: Response

    @property
    def numremaining(self) -> int:
        return data_int(self.data, "numremaining")


def send(call: Call, function: envelope.Function, object_name: str, **kw: object) -> Chunk:
    """One request of one function; its answer as a ``Chunk``."""
    response = call([function], object=object_name, **kw)
    data = response.results[0].data if response.results else None
    records = list(data) if data is not None else []
    return Chunk(records, data, response)


class Paginator:
    """Builds the first request and each next one from the previous answer."""

    object_name: str

    def first(self) -> envelope.Function:
        raise NotImplementedError

    def next(self, chunk: Chunk) -> envelope.Function | None:
        """The request after ``chunk``, or None when the read is complete."""
        raise NotImplementedError


def paginate(call: Call, paginator: Paginator, guard: Guard | None = None) -> Iterator[Chunk]:
    """Every answer of a paged read, in order (the first one even when empty).

    ``guard`` sends each request instead of ``send`` and may change the paginator first (drop
    refused fields, halve the page after a 524: ``adaptive.Adaptive``).
    """
    request: envelope.Function | None = paginator.first()
    while request is not None:
        if guard is None:
            chunk = send(call, request, paginator.object_name)
        else:
            chunk = guard(call, paginator, request)
        yield chunk
        request = paginator.next(chunk)


def after(cursor: str | None, key: str, last: tuple[str, str]) -> Filter:
    """Rows after ``last`` = (cursor text, key text) in (cursor, key) order."""
    if cursor is None:
        return Cmp("greaterthan", key, last[1])
    return Or(
        Cmp("greaterthan", cursor, last[0]),
        And(Cmp("equalto", cursor, last[0]), Cmp("greaterthan", key, last[1])),
    )


class KeysetPaginator(Paginator):
    """``query`` pages ordered by (cursor, key), or by ``key`` alone when ``cursor`` is None.

    The comparison values are the raw strings of the last row, so no time-zone round trip is
    involved. ``showprivate`` (top-level sessions only) lets the query see private-entity rows
    (docs/protocol.md §10). ``select`` and ``page_size`` may change between pages (``adaptive.py``);
    ``request()`` always asks for the page after the last row read.
    """

    def __init__(
        self,
        object_name: str,
        select: list[str],
        base: Filter | None,
        *,
        key: str,
        cursor: str | None = None,
        page_size: int,
        showprivate: bool = True,
    ) -> None:
        self.object_name, self.select, self.base = object_name, select, base
        self.key, self.cursor = key, cursor
        self.page_size, self.showprivate = page_size, showprivate
        self.last: tuple[str, str] | None = None

    def request(self) -> envelope.Function:
        """The request for the page after the current position."""
        parts = [
            p
            for p in (self.base, after(self.cursor, self.key, self.last) if self.last else None)
            if p
        ]
        where = None if not parts else parts[0] if len(parts) == 1 else And(*parts)
        orderby = ([(self.cursor, True)] if self.cursor else []) + [(self.key, True)]
        return envelope.query(
            self.object_name,
            self.select,
            filter=where,
            orderby=orderby,
            pagesize=self.page_size,
            showprivate=self.showprivate,
        )

    def first(self) -> envelope.Function:
        return self.request()

    def next(self, chunk: Chunk) -> envelope.Function | None:
        if not chunk.records:
            return None
        tail = chunk.records[-1]
        position = (
            (tail.findtext(self.cursor) or "") if self.cursor else "",
            tail.findtext(self.key) or "",
        )
        if position == self.last or not position[1]:
            raise PaginationLoop(
                f"Loop detected in pagination of {self.object_name}: the page ending at "
                f"{position} did not move past the previous one. Intacct ignored the keyset "
                "filter; report it with this message.",
                object=self.object_name,
            )
        self.last = position
        if chunk.numremaining == 0 or len(chunk.records) < self.page_size:
            return None
        return self.request()


class ReadMorePaginator(Paginator):
    """``readByQuery`` then ``readMore`` by resultId until ``numremaining`` is 0 (§5.1)."""

    def __init__(self, object_name: str, select: list[str], query: str, page_size: int) -> None:
        self.object_name, self.select, self.query = object_name, select, query
        self.page_size = page_size
        self.result_id = ""

    def first(self) -> envelope.Function:
        return envelope.read_by_query(self.object_name, self.select, self.query, self.page_size)

    def next(self, chunk: Chunk) -> envelope.Function | None:
        if chunk.data is not None and not self.result_id:
            self.result_id = chunk.data.get("resultId", "")
        if chunk.numremaining > 0 and self.result_id:
            return envelope.read_more(self.result_id)
        return None


class OffsetPaginator(Paginator):
    """``query`` pages by offset; only for answers that cannot shift between pages."""

    def __init__(self, object_name: str, build: Callable[[int], envelope.Function]) -> None:
        self.object_name, self.build = object_name, build
        self.offset = 0

    def first(self) -> envelope.Function:
        return self.build(0)

    def next(self, chunk: Chunk) -> envelope.Function | None:
        if not chunk.records or chunk.numremaining == 0:
            return None
        self.offset += len(chunk.records)
        return self.build(self.offset)
