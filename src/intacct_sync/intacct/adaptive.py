"""Keyset reads that adapt to what the real gateway does (docs/protocol.md §17).

* **Fields ``query`` refuses** although ``lookup`` lists them (XL03000006 "The following fields
  cannot be queried: [ apbill: [PAYTOCONTACTNAME, RETURNTOCONTACTNAME] ]"): the names are parsed
  from the answer, dropped from the select list and the same page asked again, once. They are
  remembered per object for the whole run (``ReadMemory``, shared by every entity client of a
  company), so later reads, split key ranges and key reads never select them again. Dropped
  fields stay in the batch schema as nulls, so a table typed from ``lookup`` still fits.
* **HTTP 524 on a heavy page** (rows x selected fields too costly, GLENTRY/GLDETAIL at 2000):
  the page size is halved (2000, 1000, 500, 250: ``min_page_size``) and the same keyset
  position asked again after a short pause; the size that worked is kept for the object for
  the rest of the run. A page that cannot be halved (already at ``min_page_size``, or a small
  configured page size) gets the gateway's own answer to a 524: the same page once more after
  ``wait_524`` (the server may still be running the first); a second 524 fails the read with
  what to do.

Why here and not in the gateway's retry policy: the policy can only re-send the same bytes, and
the same page costs the same again (plus a 2-minute pause and a billed transaction, §12). Only
the paginator knows the keyset position and can ask for a lighter page, so keyset ``query``
pages are sent with ``retry_524=False`` and this module decides.

Each change is a **notice** (``CallStats.notice``) for the object's run record.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping

from intacct_sync.intacct import envelope
from intacct_sync.intacct.errors import ServerMayStillBeWorking, UnqueryableFields
from intacct_sync.intacct.paging import Call, Chunk, KeysetPaginator, Paginator, send

log = logging.getLogger(__name__)

# "[ apbill: [PAYTOCONTACTNAME, RETURNTOCONTACTNAME], apbillitem: [GLACCOUNTNO] ]", with any
# whitespace or line breaks inside the brackets (the public capture breaks after "[").
_REFUSED_LIST = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\s*:\s*\[([^\[\]]*)\]")
_INTRO = re.compile(r"cannot\s+be\s+queried\s*:?", re.IGNORECASE)


def parse_refused(text: str) -> dict[str, tuple[str, ...]]:
    """{OBJECT: (FIELD, ...)} named by an XL03000006 "cannot be queried" text; {} if none."""
    intro = _INTRO.search(text)
    if intro is None:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for owner, names in _REFUSED_LIST.findall(text[intro.end() :]):
        fields = tuple(n.strip().upper() for n in names.split(",") if n.strip())
        if fields:
            out[owner.upper()] = out.get(owner.upper(), ()) + fields
    return out


def refused_in_select(
    object_name: str, select: list[str], refused: Mapping[str, tuple[str, ...]]
) -> list[str]:
    """The select entries a refusal names: own fields by name, related ones (``REL.F``) by
    their last part when the refusal names another object's ``F``."""
    own = set(refused.get(object_name.upper(), ()))
    others = {f for owner, fs in refused.items() if owner != object_name.upper() for f in fs}
    out = []
    for name in select:
        head, dot, tail = name.upper().rpartition(".")
        if (not dot and name.upper() in own) or (dot and tail in others):
            out.append(name)
    return out


class ReadMemory:
    """What the client learned about reading each object, for the whole run (thread-safe)."""

    def __init__(self, skip_fields: Mapping[str, Iterable[str]] | None = None) -> None:
        self._lock = threading.Lock()
        self._skip = {o.upper(): {f.upper() for f in fs} for o, fs in (skip_fields or {}).items()}
        self._refused: dict[str, set[str]] = {}
        self._sizes: dict[str, int] = {}

    def left_out(self, object_name: str) -> frozenset[str]:
        """Fields never selected for this object: configured ``skip_fields`` and refusals."""
        name = object_name.upper()
        with self._lock:
            return frozenset(self._skip.get(name, set()) | self._refused.get(name, set()))

    def refused(self, object_name: str) -> frozenset[str]:
        with self._lock:
            return frozenset(self._refused.get(object_name.upper(), set()))

    def refuse(self, object_name: str, names: Iterable[str]) -> None:
        with self._lock:
            self._refused.setdefault(object_name.upper(), set()).update(n.upper() for n in names)

    def page_size(self, object_name: str, default: int) -> int:
        with self._lock:
            return min(default, self._sizes.get(object_name.upper(), default))

    def learned_size(self, object_name: str) -> int | None:
        with self._lock:
            return self._sizes.get(object_name.upper())

    def shrink(self, object_name: str, size: int) -> None:
        with self._lock:
            key = object_name.upper()
            self._sizes[key] = min(size, self._sizes.get(key, size))


def keep(select: list[str], left_out: frozenset[str], *required: str | None) -> list[str]:
    """``select`` less the left-out fields, the required ones (key, cursor) always kept."""
    must = {r.upper() for r in required if r}
    return [n for n in select if n.upper() in must or n.upper() not in left_out]


class Adaptive:
    """The guard ``paging.paginate`` sends keyset pages through (see the module docstring)."""

    def __init__(
        self,
        memory: ReadMemory,
        notice: Callable[[str], bool],
        *,
        min_page_size: int = 250,
        pause: float = 5.0,
        wait_524: float = 120.0,
        sleep: Callable[[float], None],
    ) -> None:
        self.memory, self.notice = memory, notice
        self.min_page_size, self.pause, self.sleep = min_page_size, pause, sleep
        self.wait_524 = wait_524

    def __call__(self, call: Call, paginator: Paginator, request: envelope.Function) -> Chunk:
        if not isinstance(paginator, KeysetPaginator):
            return send(call, request, paginator.object_name)
        dropped: list[str] = []
        waited = False  # a page that could not be halved was already asked again once
        while True:
            try:
                return send(call, request, paginator.object_name, retry_524=False)
            except UnqueryableFields as exc:
                dropped = self._drop(paginator, exc, dropped)
            except ServerMayStillBeWorking as exc:
                if exc.http_status != 524:
                    raise
                if paginator.page_size // 2 >= self.min_page_size:
                    self._halve(paginator)
                elif waited:
                    raise self._too_heavy(paginator) from exc
                else:
                    waited = True
                    self.sleep(self.wait_524)
            request = paginator.request()

    def _drop(self, paginator: KeysetPaginator, exc: UnqueryableFields, before: list[str]):
        name = paginator.object_name
        refused = parse_refused(" ".join(e.text for e in exc.errors) or exc.message)
        names = refused_in_select(name, paginator.select, refused)
        required = {paginator.key.upper(), (paginator.cursor or "").upper()}
        if before or not names or required & {n.upper() for n in names}:
            why = (
                f"it still refused {', '.join(names) or 'fields'} after "
                f"{', '.join(before)} were left out"
                if before
                else "the answer names no field of the select list that can be left out"
            )
            exc.message = (
                f"{name}: Intacct refused fields of the query and {why}. {exc.message} "
                "List the fields under skip_fields, or report the error text."
            )
            raise exc
        self.memory.refuse(name, names)
        paginator.select = [n for n in paginator.select if n not in names]
        message = (
            f"{name}: Intacct refuses to query {', '.join(names)} (XL03000006) although lookup "
            "lists them; they are left out of this run's reads (null in the table). Add them to "
            f"skip_fields ({name}: [{', '.join(names)}]) to skip the refusal "
            "(docs/protocol.md §17)."
        )
        if self.notice(message):
            log.warning("%s", message)
        return names

    def _too_heavy(self, paginator: KeysetPaginator) -> ServerMayStillBeWorking:
        name, size, width = paginator.object_name, paginator.page_size, len(paginator.select)
        return ServerMayStillBeWorking(
            f"{name}: Intacct timed out (HTTP 524) twice on a page of {size} rows x {width} "
            f"fields, which cannot be halved below the minimum page size {self.min_page_size}. "
            "Leave fields out (skip_fields), narrow the window or lower min_page_size.",
            object=name,
            http_status=524,
        )

    def _halve(self, paginator: KeysetPaginator) -> None:
        name, size, width = paginator.object_name, paginator.page_size, len(paginator.select)
        smaller = size // 2
        paginator.page_size = smaller
        self.memory.shrink(name, smaller)
        message = (
            f"{name}: Intacct timed out (HTTP 524) on a page of {size} rows x {width} fields; "
            f"pages of {name} are {smaller} rows for the rest of this run. Set page_size or "
            "skip_fields to keep its pages lighter (docs/protocol.md §17)."
        )
        if self.notice(message):
            log.warning("%s", message)
        self.sleep(self.pause)
