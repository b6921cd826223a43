"""The run's deletes from AUDITHISTORY: one query per session for every audited object.

Intacct bills every query (docs/protocol.md §12), so instead of one AUDITHISTORY read per object,
the objects of a run register their windows before they start and the first one that needs its
deletes reads them all at once: ``OBJECTTYPE in (...)``, ``ACCESSMODE = 'D'``, from the earliest
window start to the run's end (the same for every object). Each object then takes the keys
deleted within its own window (older deletes were applied by earlier runs).

When the audit trail cannot be read (no permission, or Intacct's intermittent "There was an
error processing the request"), ``deletes_for`` says why instead, and the object finds its
deletes by a key sweep this run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

log = logging.getLogger("intacct_sync.audit")

# (object specs, since, until) -> {object name: [(key, access time UTC)]}
AuditRead = Callable[[list[Any], datetime, datetime], dict[str, list[tuple[int, datetime]]]]


@dataclass(frozen=True)
class AuditResult:
    keys: list[int] = field(default_factory=list)
    unavailable: str | None = None  # why the audit trail could not be read (then: a key sweep)


class AuditBoard:
    """One lazy AUDITHISTORY read per session (entity), shared by the run's objects."""

    def __init__(self, until: datetime, tag: str | None = None) -> None:
        self.until = until
        self.tag = tag  # the run's own scope: the read is billed to the run, not one object
        self._wanted: dict[str, dict[str, datetime]] = {}  # entity -> object -> window start
        self._specs: dict[str, Any] = {}
        self._readers: dict[str, AuditRead] = {}
        self._done: dict[str, dict[str, list[tuple[int, datetime]]] | str] = {}
        self._lock = threading.Lock()

    def since(self, entity: str, object_name: str) -> datetime | None:
        """The window start ``object_name`` registered (None: not registered)."""
        with self._lock:
            return self._wanted.get(entity, {}).get(object_name)

    def register(self, entity: str, spec: Any, since: datetime, read: AuditRead) -> None:
        """``spec`` (an ObjectSpec) needs the deletes audited since ``since``."""
        with self._lock:
            self._wanted.setdefault(entity, {})[spec.name] = since
            self._specs[spec.name] = spec
            self._readers.setdefault(entity, read)

    def deletes_for(
        self, entity: str, object_name: str, since: datetime | None = None
    ) -> AuditResult:
        """The keys of ``object_name`` deleted in its window (or since ``since``: a line object
        takes its headers' deletes from its own window start), or why they are unknown."""
        with self._lock:
            if entity not in self._done:
                self._done[entity] = self._read(entity)
            found = self._done[entity]
            if since is None:
                since = self._wanted[entity][object_name]
            else:
                since = max(since, min(self._wanted[entity].values()))
        if isinstance(found, str):
            return AuditResult(unavailable=found)
        keys = sorted({key for key, at in found.get(object_name, []) if at >= since})
        return AuditResult(keys)

    def _read(self, entity: str) -> dict[str, list[tuple[int, datetime]]] | str:
        from intacct_sync.intacct.errors import AuditUnavailable, PermissionDenied

        wanted = self._wanted[entity]
        since = min(wanted.values())
        from intacct_sync.intacct.stats import scope

        try:
            with scope(self.tag) if self.tag else nullcontext():
                specs = [self._specs[name] for name in sorted(wanted)]
                return self._readers[entity](specs, since, self.until)
        except (AuditUnavailable, PermissionDenied) as exc:
            log.warning("AUDITHISTORY could not be read (%s): deletes by key sweep this run", exc)
            return _why(exc)


def _why(exc: Exception) -> str:
    from intacct_sync.intacct.errors import PermissionDenied

    numbers = ", ".join(getattr(exc, "errornos", []) or []) or exc.__class__.__name__
    if isinstance(exc, PermissionDenied):
        return (
            f"AUDITHISTORY is not readable by this user ({numbers}); deletes were found by a key "
            "sweep instead, which reads every key. Grant the web-services user 'View' on audit "
            "trails (Platform Services custom reports permission)."
        )
    return (
        f"AUDITHISTORY could not be read this run ({numbers}: Intacct answers this now and then); "
        "deletes were found by a key sweep instead. Nothing to do unless it persists."
    )
