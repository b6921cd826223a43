"""Requests in flight for one company: a counting limit the client can lower, never raise.

Intacct counts concurrent requests per company, whoever sends them (docs/protocol.md §12, §17): the
company's other integrations and jobs share its allowance. When the gateway answers 200024
("too many operations running for this company") the client drops to one request in flight
for the rest of the run; a ``BoundedSemaphore`` cannot shrink, this can. One ``InFlight`` is
shared by every entity client of a company, every thread and every key range of a split read.
"""

from __future__ import annotations

import threading


class InFlight:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("requests in flight must be at least 1")
        self._limit = limit
        self._running = 0
        self._cond = threading.Condition()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def running(self) -> int:
        return self._running

    def lower(self, limit: int) -> int | None:
        """Lower the limit to ``limit``; the previous limit if it changed, else None.

        Requests already in flight finish; new ones wait until fewer than ``limit`` run.
        """
        with self._cond:
            if limit >= self._limit:
                return None
            previous, self._limit = self._limit, max(limit, 1)
            return previous

    def __enter__(self) -> InFlight:
        with self._cond:
            while self._running >= self._limit:
                self._cond.wait()
            self._running += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._running -= 1
            self._cond.notify_all()
