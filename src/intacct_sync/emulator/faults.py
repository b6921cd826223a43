"""Injected faults: what goes wrong, and on which request (deterministic counters).

Spec grammar (CLI ``--fault`` and ``/admin/faults``)::

    KIND[@key=value[,key=value...]]
    keys: call=N  function=NAME  page=N  object=OBJ  times=K  seconds=S  errorno=X
          description2=TEXT  correction=TEXT  retry_after=S  variant=retryable|fatal
          level=control|result  slots=N

Triggers count only events seen since the fault was added. ``page=N`` fires on the Nth data
page request (query, readByQuery, readMore) for one object (``object=`` or, without it, any
object, counted per object); ``function=F[,call=N]`` on the Nth call of F; ``call=N`` (or no
trigger, meaning call=1) on the Nth gateway request. ``times=K`` fires K consecutive matches.

Kinds modelling production behaviours (docs/protocol.md §17; quirks.py):

* ``busy_company[@...,slots=N,seconds=S]``: other integrations take N slots of the company's
  allowance (default: all of them) for S seconds (default: the hold plus one second) as the
  request arrives; it is held, then refused with 200024 unless a slot frees within the hold.
* ``lossy_value@page=N[,object=X][,variant=integer|timestamp]``: the page's first record gets
  a value no type-faithful client may accept (``12.5`` in an INTEGER, ``00/00/0000 00:00:00``
  in a TIMESTAMP).
* ``audit_error@page=N`` (or ``call=N,times=K``): an AUDITHISTORY query/readByQuery answers
  the result failure DL02000001 "There was an error processing the request." (§4.4, §9);
  its object is AUDITHISTORY unless given, and only query/readByQuery count as its pages.
* ``in_process@function=F[,call=N]``: the function is refused as if an earlier request with
  its controlid were still running (inprocess.py).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, fields

REQUEST_KINDS = {
    "control_error",
    "auth_error",
    "http_400",
    "http_401",
    "http_429",
    "http_500",
    "http_502",
    "http_503",
    "http_504",
    "http_524",
    "cloudflare_html",
    "connection_reset",
    "read_timeout",
    "slow",
    "session_expire",
    "resultid_expire",
    "control_chars",
    "malformed_xml",
    "offline",
    "busy_company",
}
FUNCTION_KINDS = {"result_error", "audit_error", "in_process", "lossy_value"}
KINDS = REQUEST_KINDS | FUNCTION_KINDS
# Kinds that only match some functions (their pages count only those).
ONLY_FUNCTIONS = {"audit_error": ("query", "readByQuery")}
DEFAULT_OBJECT = {"audit_error": "AUDITHISTORY"}
_INTS = {"call", "page", "times", "retry_after", "slots"}


@dataclass
class Fault:
    kind: str
    call: int | None = None
    function: str | None = None
    page: int | None = None
    object: str | None = None
    times: int = 1
    seconds: float | None = None
    errorno: str | None = None
    description2: str | None = None
    correction: str | None = None
    retry_after: int | None = None
    variant: str = "retryable"
    level: str | None = None
    slots: int | None = None
    _seen: Counter = field(default_factory=Counter, repr=False, compare=False)
    _fired: int = field(default=0, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(sorted(KINDS))}")
        if self.times < 1:
            raise ValueError("times must be >= 1")
        if self.object is None:
            self.object = DEFAULT_OBJECT.get(self.kind)

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """'http_502@call=5' -> Fault(kind='http_502', call=5)."""
        kind, _, rest = spec.strip().partition("@")
        if kind.strip() not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(sorted(KINDS))}")
        known = {f.name for f in fields(cls) if not f.name.startswith("_")}
        values: dict[str, object] = {}
        for part in filter(None, rest.split(",")):
            key, eq, value = part.partition("=")
            key = key.strip()
            if not eq or key not in known or key == "kind":
                raise ValueError(
                    f"bad fault option {part!r} in {spec!r}; use key=value with "
                    f"keys {', '.join(sorted(known - {'kind'}))}"
                )
            values[key] = (
                int(value) if key in _INTS else float(value) if key == "seconds" else value
            )
        if values.get("object"):
            values["object"] = str(values["object"]).upper()
        return cls(kind=kind.strip(), **values)

    def describe(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_") and v is not None}

    def _hit(self, key: str) -> bool:
        """Count one matching event; True when it falls in the firing window."""
        self._seen[key] += 1
        start = self.page or self.call or 1
        return start <= self._seen[key] < start + self.times


@dataclass(frozen=True)
class Event:
    function: str
    object: str | None
    data_page: bool
    controlid: str | None = None  # a retry resends the same one: it names the request's chain


class FaultPlan:
    def __init__(self, faults: list[Fault] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.injected: list[dict[str, object]] = []
        for fault in faults or []:
            self.add(fault)

    def add(self, fault: Fault | str) -> Fault:
        fault = Fault.parse(fault) if isinstance(fault, str) else fault
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def faults(self) -> list[Fault]:
        return list(self._faults)

    def select(self, request_no: int, events: list[Event]) -> list[tuple[Fault, int | None]]:
        """Faults firing on this request, each with the index of the function it targets."""
        fired = []
        with self._lock:
            for fault in self._faults:
                index = self._match(fault, events)
                if index is not False:
                    fault._fired += 1
                    fired.append((fault, index))
                    ev = events[index] if isinstance(index, int) and index < len(events) else None
                    self.injected.append(
                        {
                            **fault.describe(),
                            "request": request_no,
                            "at_function": ev.function if ev else None,
                            "at_object": ev.object if ev else None,
                            "at_controlid": ev.controlid if ev else None,
                            "time": time.time(),
                        }
                    )
        return fired

    def mark_decisive(self, request_no: int, kind: str | None) -> None:
        """Record which of the faults fired on a request decided the answer (``decisive``)."""
        with self._lock:
            for entry in self.injected:
                if entry["request"] == request_no:
                    entry["decisive"] = entry["kind"] == kind

    @staticmethod
    def _match(fault: Fault, events: list[Event]) -> int | None | bool:
        only = ONLY_FUNCTIONS.get(fault.kind)

        def wanted(ev: Event) -> bool:
            return (fault.object is None or ev.object == fault.object) and (
                only is None or ev.function in only
            )

        if fault.page is not None:
            for i, ev in enumerate(events):
                if ev.data_page and wanted(ev) and fault._hit(ev.object or ""):
                    return i
            return False
        if fault.function is not None:
            for i, ev in enumerate(events):
                if ev.function == fault.function and wanted(ev) and fault._hit(""):
                    return i
            return False
        if fault.object is not None or only is not None:
            hits = [i for i, ev in enumerate(events) if wanted(ev)]
            return (hits[0] if fault._hit("") else False) if hits else False
        return (0 if events else None) if fault._hit("") else False
