"""API sessions (sliding timeout, valid at their endpoint and the main URL) and readMore cursors.

docs/protocol.md §3: sessiontimeout = now + duration, pushed forward by every call. §1: a session
belongs to the endpoint getAPISession returned; §17: widely used clients post it to the main
URL (/ia/xml/xmlgw.phtml) instead and work in production, so both are accepted (Stats counts
session requests per path, so a test can still tell which one a client used). §5.1: a
readByQuery resultId stays valid for 30 minutes after its last use (a guess, UNCONFIRMED) and
is bound to the company.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .clock import Clock

CURSOR_IDLE = timedelta(minutes=30)
MAIN_PATH = "/ia/xml/xmlgw.phtml"  # the gateway's main URL: every session works there too


@dataclass
class Session:
    id: str
    user_id: str
    company_id: str
    location_id: str  # '' for top level
    endpoint_path: str
    expires: datetime


@dataclass
class Cursor:
    id: str
    company_id: str
    object: str
    where: str
    params: list[object]
    names: list[str]
    pagesize: int
    total: int
    location_id: str
    delivered: int = 0
    last_key: object = None
    last_used: datetime | None = None
    done: bool = False


@dataclass
class SessionStore:
    clock: Clock
    duration: timedelta
    _sessions: dict[str, Session] = field(default_factory=dict)
    _cursors: dict[str, Cursor] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(
        self, user_id: str, company_id: str, location_id: str, endpoint_path: str
    ) -> Session:
        sid = secrets.token_urlsafe(24).replace(".", "_") + ".."  # real ids end in '..' (§3.1)
        session = Session(
            sid, user_id, company_id, location_id, endpoint_path, self.clock.now() + self.duration
        )
        with self._lock:
            self._sessions[sid] = session
        return session

    def touch(self, sid: str, endpoint_path: str) -> Session | None:
        """The live session for this id, posted to its own endpoint or to the main URL, with
        its timeout slid forward."""
        now = self.clock.now()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None or session.expires <= now:
                return None
            if endpoint_path not in (session.endpoint_path, MAIN_PATH):
                return None
            session.expires = now + self.duration
            return session

    def expire_all(self) -> int:
        with self._lock:
            n = len(self._sessions)
            self._sessions.clear()
            return n

    # ----- cursors -------------------------------------------------------------------
    def new_cursor(self, **values: object) -> Cursor:
        cursor = Cursor(id=_result_id(), last_used=self.clock.now(), **values)  # type: ignore[arg-type]
        with self._lock:
            self._cursors[cursor.id] = cursor
        return cursor

    def cursor(self, rid: str, company_id: str) -> Cursor | None:
        now = self.clock.now()
        with self._lock:
            cur = self._cursors.get(rid)
            if cur is None or cur.company_id != company_id or now - cur.last_used > CURSOR_IDLE:
                self._cursors.pop(rid, None)
                return None
            cur.last_used = now
            return cur

    def latest_cursor(self, obj: str, company_id: str) -> Cursor | None:
        """Legacy readMore by <object>: the most recent open cursor on that object (§5.1)."""
        with self._lock:
            found = [
                c
                for c in self._cursors.values()
                if c.object == obj and c.company_id == company_id and not c.done
            ]
        return self.cursor(found[-1].id, company_id) if found else None

    def drop_cursors(self) -> int:
        with self._lock:
            n = len(self._cursors)
            self._cursors.clear()
            return n


def _result_id() -> str:
    # Shaped like real ids (e.g. 7765623338X7bwUx4HsmSBC9j3Gof@eQAAAAY4): digits, letters, '@'.
    return f"{secrets.randbelow(9_000_000_000) + 1_000_000_000}X{secrets.token_urlsafe(12)}@eQ"
