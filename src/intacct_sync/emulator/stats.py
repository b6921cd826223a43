"""Counters of what the gateway received: the suite asserts on them (e.g. no write ever arrived)."""

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
    rejected_429: int = 0
    session_paths: Counter = field(default_factory=Counter)  # session requests per URL path
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def enter(self, limit: int) -> int | None:
        """Take an in-flight slot; None when the limit is reached (answer 429, §12)."""
        with self._lock:
            self.requests += 1
            if self.in_flight >= limit:
                self.rejected_429 += 1
                return None
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.requests

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

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
                "session_paths": dict(self.session_paths),
            }
