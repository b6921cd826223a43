"""``IntacctClient``: the one object the pipeline uses to read from Intacct.

>>> with IntacctClient(url, Credentials.from_mapping(secrets)) as client:
...     fields = client.lookup("APBILL")
...     for page in client.read_pages(CATALOG["APBILL"], fields, Window(None, now)):
...         handle(page.batch)
...     print(client.stats().calls)

Per company, all clients made with ``for_entity`` share one HTTP session, one in-flight limit
(default 2 requests, lowered to 1 for the run after a 200024, docs/protocol.md §12, §17), one
``CallStats`` (calls, billed transactions, notices: ``usage(tag)``) and one ``ReadMemory``
(fields ``query`` refuses, page sizes that survived a 524: ``adaptive.py``).

What the pipeline calls: ``readable_fields(spec)`` (the fields a read really returns: type the
table with these), ``read_pages``, ``read_keys``, ``count``, ``summary``, ``audit_deletes`` /
``audit_deletes_many`` (``AuditUnavailable`` when AUDITHISTORY cannot be read: sweep keys
instead) and ``usage(tag)`` (a ``stats.Usage``: calls, transactions, bytes, logins, notices).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import requests

from intacct_sync.intacct import envelope, reader
from intacct_sync.intacct.adaptive import Adaptive, ReadMemory
from intacct_sync.intacct.audit import deleted_keys
from intacct_sync.intacct.errors import InvalidValue
from intacct_sync.intacct.fields import Field, FieldType
from intacct_sync.intacct.filters import Filter
from intacct_sync.intacct.gateway import Gateway
from intacct_sync.intacct.limiter import InFlight
from intacct_sync.intacct.metadata import Dimension, parse_dimensions, parse_lookup
from intacct_sync.intacct.objects import ObjectSpec, ReadFunction
from intacct_sync.intacct.options import ClientOptions
from intacct_sync.intacct.paging import KeysetPaginator, OffsetPaginator, paginate
from intacct_sync.intacct.records import Page, Window, data_int, raw_columns
from intacct_sync.intacct.session import Credentials, SessionManager
from intacct_sync.intacct.stats import StatsSnapshot, Usage
from intacct_sync.intacct.values import parse_decimal, to_arrow
from intacct_sync.intacct.window import WindowFilters
from intacct_sync.intacct.zone import ZoneEvidence, weigh


@dataclass(frozen=True)
class _Company:
    """What every client of one company shares (``for_entity``)."""

    gateway: Gateway
    memory: ReadMemory
    adaptive: Adaptive

    @classmethod
    def build(cls, options: ClientOptions, transport: requests.Session | None) -> _Company:
        gateway = Gateway(
            timeout=options.timeout,
            retry=options.retry,
            limiter=InFlight(options.max_in_flight),
            transport=transport,
            max_response_bytes=options.max_response_bytes,
        )
        return cls.around(gateway, options)

    @classmethod
    def around(cls, gateway: Gateway, options: ClientOptions) -> _Company:
        memory = ReadMemory(options.skip_fields)
        adaptive = Adaptive(
            memory,
            gateway.stats.notice,
            min_page_size=options.min_page_size,
            pause=options.pause_after_heavy_page,
            wait_524=options.retry.pause_after_524,
            sleep=options.retry.sleep,
        )
        return cls(gateway, memory, adaptive)


class IntacctClient:
    """Read-only client of one Intacct company (optionally one entity)."""

    def __init__(
        self,
        endpoint_url: str,
        credentials: Credentials,
        options: ClientOptions | None = None,
        *,
        entity: str | None = None,
        transport: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        _gateway: Gateway | None = None,
        _company: _Company | None = None,
    ) -> None:
        self.options = options or ClientOptions()
        self.entity = entity or None
        self._endpoint_url, self._credentials, self._clock = endpoint_url, credentials, clock
        if _company is None:
            _company = (
                _Company.around(_gateway, self.options)
                if _gateway is not None
                else _Company.build(self.options, transport)
            )
        self._company = _company
        self._gateway = _company.gateway
        self._session = SessionManager(
            self._gateway,
            credentials,
            endpoint_url,
            entity=self.entity,
            lifetime=self.options.session_lifetime,
            clock=clock,
        )

    @property
    def timezone(self) -> str:
        return self.options.timezone

    @property
    def page_size(self) -> int:
        return self.options.page_size

    @property
    def max_in_flight(self) -> int:
        """Requests in flight now: the configured number, or 1 after a 200024 (§17)."""
        return self._gateway.limiter.limit

    def __repr__(self) -> str:
        return f"IntacctClient(entity={self.entity!r}, timezone={self.timezone!r})"

    def __enter__(self) -> IntacctClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._gateway.close()

    def for_entity(self, entity_id: str | None) -> IntacctClient:
        """A client whose session uses ``locationid=entity_id``, sharing limits and stats."""
        return IntacctClient(
            self._endpoint_url,
            self._credentials,
            self.options,
            entity=entity_id,
            clock=self._clock,
            _company=self._company,
        )

    @property
    def _showprivate(self) -> bool:
        # Top-level queries see private-entity rows only with showprivate (docs/protocol.md §10);
        # an entity session is already scoped to its entity.
        return self.entity is None

    def stats(self) -> StatsSnapshot:
        return self._gateway.stats.snapshot()

    def scoped_usage(self, tag: str) -> tuple[int, int]:
        """(API calls, bytes) made under ``intacct.stats.scope(tag)``, logins included."""
        return self._gateway.stats.scoped(tag)

    def usage(self, tag: str | None = None) -> Usage:
        """Calls, billed transactions (§12), bytes, logins and notices made under
        ``intacct.stats.scope(tag)``; the whole company's (every entity client) when None."""
        return self._gateway.stats.usage(tag)

    def notices(self, tag: str | None = None) -> tuple[str, ...]:
        """What the client changed on its own under ``scope(tag)`` and what to do about it."""
        return self.usage(tag).notices

    def _call(self, functions: list[envelope.Function], *, object: str | None = None, **kw):  # noqa: A002
        return self._session.call(functions, object=object, **kw)

    # --- metadata -------------------------------------------------------------------------

    def lookup(self, object_name: str, *, include_skipped: bool = False) -> list[Field]:
        """``object_name``'s fields per ``lookup``, less those this client will not select
        (``skip_fields`` and fields ``query`` refused earlier in the run) unless asked."""
        response = self._call([envelope.lookup(object_name)], object=object_name)
        data = response.results[0].data
        fields = parse_lookup(data.find("Type") if data is not None else None)
        if include_skipped:
            return fields
        left_out = self._company.memory.left_out(object_name)
        return [f for f in fields if f.name.upper() not in left_out]

    def readable_fields(self, spec: ObjectSpec) -> list[Field]:
        """The fields a read of ``spec`` will select: type the table with these.

        ``lookup`` lists some fields ``query`` refuses (docs/protocol.md §17); a read that meets the
        refusal drops them and asks again (``adaptive.py``). Fields refused in an earlier run
        can be handed in with ``remember_refused`` so they cost nothing this run.
        """
        return self.lookup(spec.name)

    def remember_refused(self, object_name: str, names: Iterable[str]) -> None:
        """Fields ``query`` refused in an earlier run: left out from the start."""
        self._company.memory.refuse(object_name, names)

    def remember_page_size(self, object_name: str, size: int) -> None:
        """A page size an earlier run learned from Intacct's timeouts: used from the start."""
        self._company.memory.shrink(object_name, size)

    def learned_page_size(self, object_name: str) -> int | None:
        """The smaller page size timeouts taught for ``object_name`` (None: as configured)."""
        return self._company.memory.learned_size(object_name)

    def refused(self, object_name: str) -> frozenset[str]:
        """Fields ``query`` refused for ``object_name`` (this run or remembered)."""
        return self._company.memory.refused(object_name)

    def zone_evidence(self, object_name: str = "APBILL", rows: int = 200) -> ZoneEvidence:
        """Whether the newest rows' timestamps fit the configured zone (one billed query; the
        gateway does not expose the user's preference, ``zone.py``)."""
        select = ["RECORDNO", "AUWHENCREATED", "WHENMODIFIED"]
        function = envelope.query(
            object_name,
            select,
            orderby=[("RECORDNO", False)],
            pagesize=rows,
            showprivate=self._showprivate,
        )
        response = self._call([function], object=object_name)
        data = response.results[0].data
        columns = raw_columns(list(data) if data is not None else [], select)
        return weigh(object_name, list(zip(columns[1], columns[2], strict=True)), self.timezone)

    def left_out(self, object_name: str) -> frozenset[str]:
        """Fields not selected for ``object_name`` this run: skip_fields and query refusals."""
        return self._company.memory.left_out(object_name)

    def dimensions(self) -> list[Dimension]:
        response = self._call([envelope.get_dimensions()])
        return parse_dimensions(response.results[0].data)

    # --- rows -------------------------------------------------------------------------------

    def read_pages(
        self, spec: ObjectSpec, fields: list[Field], window: Window, page_size: int | None = None
    ) -> Iterator[Page]:
        """Pages of ``spec``'s rows in ``window``, typed by ``arrow_schema(fields)``."""
        if not fields:
            raise ValueError(f"read_pages of {spec.name} needs the field list (from lookup)")
        size = page_size or self.page_size
        if spec.read_function is ReadFunction.READ_BY_QUERY:
            yield from reader.read_by_query_pages(
                self._call,
                spec,
                fields,
                window,
                tz=self.timezone,
                page_size=min(size, envelope.READ_BY_QUERY_MAX_PAGE),
                left_out=self._company.memory.left_out(spec.name),
            )
        elif spec.full_read_slice and window.start is None:
            yield from reader.sliced_pages(
                self._call,
                spec,
                fields,
                reader.slice_bounds(self.options.history_start, window.end, spec.full_read_slice),
                tz=self.timezone,
                page_size=size,
                showprivate=self._showprivate,
                adaptive=self._company.adaptive,
            )
        else:
            yield from reader.query_pages(
                self._call,
                spec,
                fields,
                window,
                tz=self.timezone,
                page_size=size,
                showprivate=self._showprivate,
                streams=lambda: self.max_in_flight,
                adaptive=self._company.adaptive,
            )

    def count(
        self,
        object_name: str,
        filter: Filter | None = None,
        key: str = "RECORDNO",  # noqa: A002
    ) -> int:
        function = envelope.query(
            object_name, [key], filter=filter, pagesize=1, showprivate=self._showprivate
        )
        response = self._call([function], object=object_name)
        return data_int(response.results[0].data, "totalcount")

    def summary(
        self,
        object_name: str,
        sums: list[str],
        group_by: str | None = None,
        filter: Filter | None = None,  # noqa: A002
        count: str | None = "RECORDNO",
    ) -> tuple[int, dict[str | None, dict[str, Decimal]]]:
        """Row count (of ``count``, None to skip it) and exact sums by group, in one query.

        Counting in the same select as the sums saves the separate ``totalcount`` call.
        """
        select = [group_by] if group_by else []
        aggregates = [("sum", f) for f in sums] + ([("count", count)] if count else [])
        names = select + [f"SUM.{f}" for f in sums] + ([f"COUNT.{count}"] if count else [])
        out: dict[str | None, dict[str, Decimal]] = {}
        total = 0

        def request(offset: int) -> envelope.Function:
            return envelope.query(
                object_name,
                select,
                filter=filter,
                aggregates=aggregates,
                orderby=[(group_by, True)] if group_by else [],
                pagesize=envelope.QUERY_MAX_PAGE,
                offset=offset,
                showprivate=self._showprivate,
            )

        # Aggregate rows are few and stable: offset pages are fine here.
        for chunk in paginate(self._call, OffsetPaginator(object_name, request)):
            columns = raw_columns(chunk.records, names)
            groups = columns[0] if group_by else [None] * len(chunk.records)
            values = columns[1 : 1 + len(sums)] if group_by else columns[: len(sums)]
            for row, group in enumerate(groups):
                out[group] = {
                    f: self._exact(object_name, f"SUM.{f}", col[row])
                    for f, col in zip(sums, values, strict=True)
                }
                if count:
                    total += int(self._exact(object_name, f"COUNT.{count}", columns[-1][row]))
        return total, out

    @staticmethod
    def _exact(object_name: str, name: str, text: str | None) -> Decimal:
        try:
            return parse_decimal(text) or Decimal(0)
        except ValueError as exc:
            raise InvalidValue(f"{object_name} {name}: {exc}", object=object_name) from None

    def read_keys(self, spec: ObjectSpec, window: Window | None = None) -> Iterator[pa.Array]:
        """Every key of ``spec`` (optionally within ``window``), one int64 array per page."""
        key_field = [Field(spec.key, FieldType.INTEGER)]
        if spec.read_function is ReadFunction.READ_BY_QUERY:
            pages = reader.read_by_query_pages(
                self._call,
                spec,
                key_field,
                window,
                tz=self.timezone,
                page_size=envelope.READ_BY_QUERY_MAX_PAGE,
            )
            for page in pages:
                yield page.batch.column(0)
            return
        base = (
            WindowFilters(spec, key_field, window, self.timezone).cursor_filter()
            if window
            else None
        )
        keys = KeysetPaginator(
            spec.name,
            [spec.key],
            base,
            key=spec.key,
            page_size=self.page_size,
            showprivate=self._showprivate,
        )
        for chunk in paginate(self._call, keys, self._company.adaptive):
            column = raw_columns(chunk.records, [spec.key])[0]
            yield to_arrow(column, FieldType.INTEGER, object_name=spec.name, name=spec.key)

    def audit_deletes(self, spec: ObjectSpec, since: datetime, until: datetime) -> list[int]:
        """Keys of ``spec`` records deleted in ``[since, until]`` per AUDITHISTORY (§9).

        Raises ``AuditUnavailable`` when AUDITHISTORY cannot be read this run: a permission
        (``AuditPermissionDenied``, also a ``PermissionDenied``) or the gateway's DL02000001
        hiccup twice on a page (``audit.py``). Either way a key sweep finds the deletes.
        """
        found = self.audit_deletes_many([spec], since, until)[spec.name]
        return sorted({key for key, _ in found})

    def audit_deletes_many(
        self, specs: Iterable[ObjectSpec], since: datetime, until: datetime
    ) -> dict[str, list[tuple[int, datetime]]]:
        """{object name: [(deleted key, when)]} for several objects in ONE AUDITHISTORY query
        (``OBJECTTYPE in (...)``, keyset pages; Intacct bills each query, §12); every object is
        in the answer. Same errors as ``audit_deletes``."""
        types = {spec.audit_object_type: spec.name for spec in specs}
        if not types:
            return {}
        return deleted_keys(
            self._call,
            types,
            since,
            until,
            page_size=self.page_size,
            showprivate=self._showprivate,
        )
