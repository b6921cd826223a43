"""Every Intacct API call counted (per function) and timed, thread-safe.

Intacct meters API transactions per function (PROTOCOL.md §12), so each HTTP request sent is
counted once per function it carries, retries included. A snapshot taken before and after
one object's read gives that object's calls: ``after - before``.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

# The object a thread is working for: calls made under ``scope(name)`` are also counted for it,
# so objects synced in parallel each get their own API-call count (a before/after diff of the
# shared counters would mix them up).
_SCOPE: ContextVar[str | None] = ContextVar("intacct_stats_scope", default=None)


@contextmanager
def scope(name: str) -> Iterator[None]:
    """Count the calls made in this context (and contexts copied from it) under ``name``."""
    token = _SCOPE.set(name)
    try:
        yield
    finally:
        _SCOPE.reset(token)


# Intacct bills these per call (each page is another transaction); lookup, getAPISession,
# inspect, getDimensions and read are not counted (PROTOCOL.md §12, §17).
BILLABLE = frozenset({"query", "readByQuery", "readMore"})


@dataclass(frozen=True)
class Usage:
    """What one scope (an object, or the run) cost: calls, billed transactions, bytes, and the
    notices the client raised for it (fields dropped, page size halved...)."""

    calls: int = 0
    transactions: int = 0
    bytes: int = 0
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatsSnapshot:
    calls: dict[str, int] = field(default_factory=dict)  # function -> requests sent
    seconds: dict[str, float] = field(default_factory=dict)  # function -> wall time
    bytes_received: int = 0
    retries: int = 0
    logins: int = 0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def __sub__(self, other: StatsSnapshot) -> StatsSnapshot:
        return StatsSnapshot(
            calls={
                k: v - other.calls.get(k, 0)
                for k, v in self.calls.items()
                if v - other.calls.get(k, 0)
            },
            seconds={
                k: v - other.seconds.get(k, 0.0)
                for k, v in self.seconds.items()
                if k in self.calls and self.calls[k] - other.calls.get(k, 0)
            },
            bytes_received=self.bytes_received - other.bytes_received,
            retries=self.retries - other.retries,
            logins=self.logins - other.logins,
        )


class CallStats:
    """Counters shared by every thread (and every entity client) of one company."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._seconds: Counter[str] = Counter()
        self._bytes = 0
        self._retries = 0
        self._logins = 0
        self._scoped: dict[str, Counter[str]] = {}
        self._notices: dict[str, list[str]] = {}

    def record(self, functions: list[str], seconds: float, nbytes: int) -> None:
        tag = _SCOPE.get()
        with self._lock:
            for name in functions:
                self._calls[name] += 1
                self._seconds[name] += seconds / max(len(functions), 1)
            self._bytes += nbytes
            if tag is not None:
                mine = self._scoped.setdefault(tag, Counter())
                mine["calls"] += len(functions)
                mine["transactions"] += sum(1 for name in functions if name in BILLABLE)
                mine["bytes"] += nbytes

    def scoped(self, tag: str) -> tuple[int, int]:
        """(API calls, bytes received) counted under ``scope(tag)`` so far."""
        usage = self.usage(tag)
        return usage.calls, usage.bytes

    def usage(self, tag: str) -> Usage:
        """What was counted under ``scope(tag)`` so far."""
        with self._lock:
            mine = self._scoped.get(tag, Counter())
            notices = tuple(self._notices.get(tag, ()))
            return Usage(mine["calls"], mine["transactions"], mine["bytes"], notices)

    def notice(self, message: str) -> None:
        """A notice for the current scope (shown in its run record's warnings), once."""
        tag = _SCOPE.get()
        with self._lock:
            found = self._notices.setdefault(tag or "", [])
            if message not in found:
                found.append(message)

    def record_retry(self) -> None:
        with self._lock:
            self._retries += 1

    def record_login(self) -> None:
        with self._lock:
            self._logins += 1

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return StatsSnapshot(
                calls=dict(self._calls),
                seconds=dict(self._seconds),
                bytes_received=self._bytes,
                retries=self._retries,
                logins=self._logins,
            )
