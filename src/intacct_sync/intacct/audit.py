"""Deletes from AUDITHISTORY (docs/protocol.md §8, §9, §17): one object or several in one query.

AUDITHISTORY rows with ``ACCESSMODE = 'D'`` name deleted records by ``OBJECTTYPE`` (the lowercase
object name) and ``OBJECTKEY`` (``"1234"`` or ``"1234--REC"``). ``ACCESSTIME`` is kept in GMT
whatever the company's time zone (§7), so the bounds are sent in UTC. Pages are keyset pages
on (ACCESSTIME, ID).

Reading it can fail in two ways a sync survives by sweeping keys instead (§9):
* the web-services user may not read it: ``AuditPermissionDenied`` (a ``PermissionDenied``);
* the gateway occasionally answers an AUDITHISTORY query with DL02000001 "There was an error
  processing the request." (§4.4, §17). The page is asked once more (the answer is usually
  fine the second time); a second failure is ``AuditUnavailable``.
Both are ``AuditUnavailable`` and carry the Intacct error as ``cause``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime, timezone

from intacct_sync.intacct.errors import (
    AuditPermissionDenied,
    AuditUnavailable,
    BadQuery,
    PermissionDenied,
)
from intacct_sync.intacct.filters import And, Cmp
from intacct_sync.intacct.paging import Call, Chunk, KeysetPaginator, send
from intacct_sync.intacct.records import raw_columns
from intacct_sync.intacct.values import TIMESTAMP_FORMAT, parse_timestamp

log = logging.getLogger(__name__)

AUDIT_OBJECT = "AUDITHISTORY"
_AUDIT_KEY = re.compile(r"^\s*(\d+)(?:--.*)?\s*$")  # "1234" or "1234--REC" (docs/protocol.md §8)
HICCUP = "DL02000001"


def deleted_keys(
    call: Call,
    object_types: dict[str, str],
    since: datetime,
    until: datetime,
    *,
    page_size: int,
    showprivate: bool,
) -> dict[str, list[tuple[int, datetime]]]:
    """{object name: [(deleted key, ACCESSTIME in UTC)]} for ``object_types``
    ({OBJECTTYPE: object name}), sorted; every object is in the answer."""
    bounds = [t.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT) for t in (since, until)]
    types = sorted(object_types)
    one = len(types) == 1
    kind = Cmp("equalto", "OBJECTTYPE", types[0]) if one else Cmp("in", "OBJECTTYPE", *types)
    base = And(kind, Cmp("equalto", "ACCESSMODE", "D"), Cmp("between", "ACCESSTIME", *bounds))
    paginator = KeysetPaginator(
        AUDIT_OBJECT,
        ["OBJECTKEY", "OBJECTTYPE", "ID", "ACCESSTIME"],
        base,
        key="ID",
        cursor="ACCESSTIME",
        page_size=page_size,
        showprivate=showprivate,
    )
    keys: dict[str, set[tuple[int, datetime]]] = {name: set() for name in object_types.values()}
    for chunk in _pages(call, paginator, ", ".join(object_types.values())):
        objects, texts, times = raw_columns(
            chunk.records, ["OBJECTTYPE", "OBJECTKEY", "ACCESSTIME"]
        )
        for otype, text, when in zip(objects, texts, times, strict=True):
            name = object_types.get((otype or "").strip().lower())
            match = _AUDIT_KEY.match(text or "")
            if name is not None and match:
                at = parse_timestamp(when, "UTC") if when else until
                keys[name].add((int(match.group(1)), at))
    return {name: sorted(found) for name, found in keys.items()}


def _pages(call: Call, paginator: KeysetPaginator, what: str) -> Iterator[Chunk]:
    request = paginator.first()
    retried = False
    while request is not None:
        try:
            chunk = send(call, request, AUDIT_OBJECT)
        except PermissionDenied as exc:
            raise AuditPermissionDenied(
                f"AUDITHISTORY is not readable by this user ({exc.message}); find the deletes of "
                f"{what} by a key sweep, or grant the web-services user the audit trail "
                "permission.",
                cause=exc,
            ) from exc
        except BadQuery as exc:
            if HICCUP not in exc.errornos:
                raise
            if retried:
                raise AuditUnavailable(
                    f"AUDITHISTORY could not be read ({exc.message}); find the deletes of "
                    f"{what} by a key sweep this run.",
                    cause=exc,
                ) from exc
            log.warning("AUDITHISTORY answered %s; asking the same page once more", HICCUP)
            retried = True
            request = paginator.request()  # same position, fresh controlid
            continue
        retried = False
        yield chunk
        request = paginator.next(chunk)
