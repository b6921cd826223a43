"""A controllable clock: real time by default, frozen once set or advanced.

Tests move it to expire sessions (docs/protocol.md §3.2) and to stamp WHENMODIFIED on mutations.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


class Clock:
    """UTC clock. ``set``/``advance`` switch it from real time to a controlled offset."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(timezone.utc) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._offset += delta
        return self.now()

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        with self._lock:
            self._offset = when - datetime.now(timezone.utc)
        return self.now()
