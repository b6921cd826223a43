"""``IntacctClient``: the one object the pipeline uses to read from Intacct.

>>> with IntacctClient(url, Credentials.from_mapping(secrets)) as client:
...     fields = client.lookup("APBILL")
...     for page in client.read_pages(CATALOG["APBILL"], fields, Window(None, now)):
...         handle(page.batch)
...     print(client.stats().calls)

Per company, all clients made with ``for_entity`` share one HTTP session, one in-flight
semaphore (default 2 requests, PROTOCOL.md §12) and one ``CallStats``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from decimal import Decimal

import pyarrow as pa
import requests

from intacct_sync.intacct import envelope, reader
from intacct_sync.intacct.errors import AuditUnavailable, BadQuery, InvalidValue
from intacct_sync.intacct.fields import Field, FieldType
from intacct_sync.intacct.filters import And, Cmp, Filter
from intacct_sync.intacct.gateway import Gateway
from intacct_sync.intacct.metadata import Dimension, parse_dimensions, parse_lookup
from intacct_sync.intacct.objects import ObjectSpec, ReadFunction
from intacct_sync.intacct.options import ClientOptions
from intacct_sync.intacct.paging import KeysetPaginator, OffsetPaginator, paginate
from intacct_sync.intacct.records import Page, Window, data_int, raw_columns
from intacct_sync.intacct.session import Credentials, SessionManager
from intacct_sync.intacct.stats import StatsSnapshot, Usage
from intacct_sync.intacct.values import TIMESTAMP_FORMAT, parse_decimal, parse_timestamp, to_arrow
from intacct_sync.intacct.window import WindowFilters

_AUDIT_KEY = re.compile(r"^\s*(\d+)(?:--.*)?\s*$")  # "1234" or "1234--REC" (PROTOCOL.md §8)


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
    ) -> None:
        self.options = options or ClientOptions()
        self.entity = entity or None
        self._endpoint_url, self._credentials, self._clock = endpoint_url, credentials, clock
        self._gateway = _gateway or Gateway(
            timeout=self.options.timeout,
            retry=self.options.retry,
            semaphore=threading.BoundedSemaphore(self.options.max_in_flight),
            transport=transport,
            max_response_bytes=self.options.max_response_bytes,
        )
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
        return self.options.max_in_flight

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
            _gateway=self._gateway,
        )

    @property
    def _showprivate(self) -> bool:
        # Top-level queries see private-entity rows only with showprivate (PROTOCOL.md §10);
        # an entity session is already scoped to its entity.
        return self.entity is None

    def stats(self) -> StatsSnapshot:
        return self._gateway.stats.snapshot()

    def scoped_usage(self, tag: str) -> tuple[int, int]:
        """(API calls, bytes) made under ``intacct.stats.scope(tag)``, logins included."""
        return self._gateway.stats.scoped(tag)

    def usage(self, tag: str) -> Usage:
        """Calls, billed transactions, bytes and notices under ``intacct.stats.scope(tag)``."""
        return self._gateway.stats.usage(tag)

    def _call(self, functions: list[envelope.Function], *, object: str | None = None):  # noqa: A002
        return self._session.call(functions, object=object)

    # --- metadata -------------------------------------------------------------------------

    def read_fields(self, object_name: str) -> list[Field]:
        """The fields the client will read of ``object_name`` (lookup's, as typed)."""
        return self.lookup(object_name)

    def lookup(self, object_name: str) -> list[Field]:
        response = self._call([envelope.lookup(object_name)], object=object_name)
        data = response.results[0].data
        return parse_lookup(data.find("Type") if data is not None else None)

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
                streams=self.max_in_flight,
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
        for chunk in paginate(self._call, keys):
            column = raw_columns(chunk.records, [spec.key])[0]
            yield to_arrow(column, FieldType.INTEGER, object_name=spec.name, name=spec.key)

    def audit_deletes(self, spec: ObjectSpec, since: datetime, until: datetime) -> list[int]:
        """Keys of ``spec`` records deleted in ``[since, until]`` per AUDITHISTORY (§9)."""
        found = self.audit_deletes_many([spec.name], since, until)
        return sorted({key for key, _ in found.get(spec.name, [])})

    def audit_deletes_many(
        self, object_names: list[str], since: datetime, until: datetime
    ) -> dict[str, list[tuple[int, datetime]]]:
        """The records of several objects deleted in ``[since, until]``, in ONE AUDITHISTORY
        read (Intacct bills each query, PROTOCOL.md §12): {object: [(key, access time)]}.

        ACCESSTIME is kept in GMT whatever the company time zone (PROTOCOL.md §7), so the
        bounds are sent in UTC. Raises ``PermissionDenied`` if the user may not read it and
        ``AuditUnavailable`` when Intacct fails the audit query ("There was an error processing
        the request", which it does now and then).
        """
        types = {name.lower(): name for name in object_names}
        bounds = [t.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT) for t in (since, until)]
        kinds = Cmp("in", "OBJECTTYPE", *sorted(types)) if len(types) > 1 else None
        base = And(
            kinds or Cmp("equalto", "OBJECTTYPE", next(iter(types))),
            Cmp("equalto", "ACCESSMODE", "D"),
            Cmp("between", "ACCESSTIME", *bounds),
        )
        audit = KeysetPaginator(
            "AUDITHISTORY",
            ["OBJECTTYPE", "OBJECTKEY", "ID", "ACCESSTIME"],
            base,
            key="ID",
            cursor="ACCESSTIME",
            page_size=self.page_size,
            showprivate=self._showprivate,
        )
        out: dict[str, list[tuple[int, datetime]]] = {}
        try:
            for chunk in paginate(self._call, audit):
                kind, key, at = raw_columns(
                    chunk.records, ["OBJECTTYPE", "OBJECTKEY", "ACCESSTIME"]
                )
                for object_type, text, when in zip(kind, key, at, strict=True):
                    match = _AUDIT_KEY.match(text or "")
                    name = types.get((object_type or "").lower())
                    if match and name and when:
                        moment = parse_timestamp(when, "UTC")
                        out.setdefault(name, []).append((int(match.group(1)), moment))
        except BadQuery as exc:
            raise AuditUnavailable(str(exc), errors=exc.errors, object="AUDITHISTORY") from exc
        return out
