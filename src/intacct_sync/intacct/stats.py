"""Every Intacct API call counted (per function) and timed, thread-safe; billed transactions.

Each HTTP request sent is counted once per function it carries, retries included (``calls``).
Intacct bills **transactions** (docs/protocol.md §12, §17): each ``query``, ``readByQuery`` and
``readMore`` the gateway ran counts 1, whatever its result; ``lookup``, ``getAPISession``,
``inspect``, ``getDimensions`` and ``read`` do not. The gateway tells us which ran
(``billed_functions``). A snapshot taken before and after one object's read gives that
object's calls: ``after - before``; ``scope(tag)`` counts the calls, transactions, bytes,
logins and **notices** (what the client changed on its own and what to do about it) of the
work done under one tag, even when objects run in parallel (``usage(tag)``).
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


# What Intacct bills (docs/protocol.md §12, §17).
BILLABLE = frozenset({"query", "readByQuery", "readMore"})


def current_scope() -> str | None:
    return _SCOPE.get()


@dataclass(frozen=True)
class Usage:
    """What one scope (or the whole client) cost and what the client did about trouble."""

    calls: int = 0  # functions sent (API calls), retries and logins included
    transactions: int = 0  # billable transactions the gateway ran (§12)
    bytes: int = 0  # response bytes received
    logins: int = 0  # getAPISession calls
    notices: tuple[str, ...] = ()  # e.g. fields dropped, page size halved, in-flight lowered


@dataclass(frozen=True)
class StatsSnapshot:
    calls: dict[str, int] = field(default_factory=dict)  # function -> requests sent
    seconds: dict[str, float] = field(default_factory=dict)  # function -> wall time
    bytes_received: int = 0
    retries: int = 0
    logins: int = 0
    transactions: dict[str, int] = field(default_factory=dict)  # OBJECT -> billed (§12)

    @property
    def total_transactions(self) -> int:
        return sum(self.transactions.values())

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
            transactions={
                k: v - other.transactions.get(k, 0)
                for k, v in self.transactions.items()
                if v - other.transactions.get(k, 0)
            },
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
        self._transactions: Counter[str] = Counter()
        self._scoped: dict[str, Counter[str]] = {}
        self._notices: dict[str | None, list[str]] = {}

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
                mine["bytes"] += nbytes

    def scoped(self, tag: str) -> tuple[int, int]:
        """(API calls, bytes received) counted under ``scope(tag)`` so far."""
        usage = self.usage(tag)
        return usage.calls, usage.bytes

    def usage(self, tag: str | None = None) -> Usage:
        """What ``scope(tag)`` has cost so far; the whole client's when ``tag`` is None."""
        with self._lock:
            if tag is None:
                notices = [n for group in self._notices.values() for n in group]
                return Usage(
                    calls=sum(self._calls.values()),
                    transactions=sum(self._transactions.values()),
                    bytes=self._bytes,
                    logins=self._logins,
                    notices=tuple(dict.fromkeys(notices)),
                )
            mine = self._scoped.get(tag, Counter())
            return Usage(
                calls=mine["calls"],
                transactions=mine["transactions"],
                bytes=mine["bytes"],
                logins=mine["logins"],
                notices=tuple(self._notices.get(tag, ())),
            )

    def record_transactions(self, object_name: str | None, count: int) -> None:
        """``count`` billed transactions on ``object_name`` (docs/protocol.md §12)."""
        if count <= 0:
            return
        tag = _SCOPE.get()
        with self._lock:
            self._transactions[(object_name or "").upper()] += count
            if tag is not None:
                self._scoped.setdefault(tag, Counter())["transactions"] += count

    def notice(self, text: str) -> bool:
        """Record a notice for the current scope, once; True when it is new."""
        tag = _SCOPE.get()
        with self._lock:
            mine = self._notices.setdefault(tag, [])
            if text in mine:
                return False
            mine.append(text)
            return True

    def record_retry(self) -> None:
        with self._lock:
            self._retries += 1

    def record_login(self) -> None:
        tag = _SCOPE.get()
        with self._lock:
            self._logins += 1
            if tag is not None:
                self._scoped.setdefault(tag, Counter())["logins"] += 1

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return StatsSnapshot(
                calls=dict(self._calls),
                seconds=dict(self._seconds),
                bytes_received=self._bytes,
                retries=self._retries,
                logins=self._logins,
                transactions=dict(self._transactions),
            )


def billed_functions(functions: list[str]) -> int:
    """How many of a request's functions Intacct bills when it ran them (§12)."""
    return sum(1 for name in functions if name in BILLABLE)
