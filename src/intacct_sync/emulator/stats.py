"""Counters of what the gateway received: the suite asserts on them (e.g. no write ever arrived).

``in_flight``/``max_in_flight`` count the clients' requests open at the gateway, held for a
slot or running (allowance.py): a client keeping to the allowance never goes above it.
``transactions`` counts billable API transactions per object (billing.py, §12).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Stats:
    calls: Counter = field(default_factory=Counter)  # per function name
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    function_names: list[str] = field(default_factory=list)  # every function ever received
    logins: int = 0
    pages: Counter = field(default_factory=Counter)  # data page requests per object
    http_status: Counter = field(default_factory=Counter)
    rejected_429: int = 0  # refused for concurrency with HTTP 429 (quirk company_busy off)
    held: int = 0  # had to wait for a slot of the company's allowance
    rejected_busy: int = 0  # held, then refused with 200024
    transactions: Counter = field(default_factory=Counter)  # billable, per object
    transaction_functions: Counter = field(default_factory=Counter)  # billable, per function
    session_paths: Counter = field(default_factory=Counter)  # session requests per URL path
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def arrive(self) -> None:
        """A request asks for a slot of the company's allowance (§12)."""
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def admitted(self, waited: bool, got_slot: bool, busy_answer: bool) -> None:
        with self._lock:
            self.held += int(waited)
            if not got_slot:
                if busy_answer:
                    self.rejected_busy += 1
                else:
                    self.rejected_429 += 1

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def record_transactions(self, billed: list[tuple[str, str]]) -> None:
        with self._lock:
            self.transactions.update(obj for _, obj in billed)
            self.transaction_functions.update(fn for fn, _ in billed)

    @property
    def transactions_total(self) -> int:
        return sum(self.transactions.values())

    def record_functions(self, names: list[str], data_objects: list[str]) -> None:
        with self._lock:
            self.function_names.extend(names)
            self.calls.update(names)
            self.pages.update(data_objects)

    def record_login(self) -> None:
        with self._lock:
            self.logins += 1

    def record_session(self, path: str) -> None:
        """A request authenticated with a sessionid arrived at ``path``."""
        with self._lock:
            self.session_paths[path] += 1

    def record_status(self, status: int) -> None:
        with self._lock:
            self.http_status[status] += 1

    @property
    def total_requests(self) -> int:
        return self.requests

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "calls": dict(self.calls),
                "requests": self.requests,
                "max_in_flight": self.max_in_flight,
                "function_names": list(self.function_names),
                "logins": self.logins,
                "pages": dict(self.pages),
                "http_status": {str(k): v for k, v in self.http_status.items()},
                "rejected_429": self.rejected_429,
                "held": self.held,
                "rejected_busy": self.rejected_busy,
                "transactions": {
                    "total": sum(self.transactions.values()),
                    "by_object": dict(self.transactions),
                    "by_function": dict(self.transaction_functions),
                },
                "session_paths": dict(self.session_paths),
            }
