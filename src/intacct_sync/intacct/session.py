"""Credentials and the API session: getAPISession, cache, sliding expiry, re-login, entities.

A session comes from ``getAPISession`` sent with ``<login>``; from then on every request goes
to the **endpoint returned with the session** with ``<sessionid>`` (docs/protocol.md §3.1). The
session is reused until the first of: the configured lifetime (default 50 min) after login, or
5 minutes before the gateway's ``sessiontimeout``. That timeout is sliding, so it is re-read
from every response; the time left is ``sessiontimeout - sessiontimestamp`` (both the
server's clock) from the moment the answer arrived, or from our clock if that is sooner. On an
invalid-session answer the manager logs in again once and repeats the request (§3.3).
One lock makes sure only one thread logs in at a time.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from intacct_sync.intacct import envelope
from intacct_sync.intacct.errors import SessionExpired, UnexpectedResponse
from intacct_sync.intacct.gateway import Gateway, validate_endpoint
from intacct_sync.intacct.response import Authentication, Response

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)


class Secret:
    """A secret string whose repr and str are ``***``; ``reveal()`` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        self._value = str(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __reduce__(self):  # pickling would copy the value out (into a Spark task, a cache...)
        raise TypeError("a Secret cannot be pickled")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Credentials:
    """Web Services sender plus API user; passwords are ``Secret`` (repr shows ``***``)."""

    sender_id: str
    sender_password: Secret
    company_id: str
    user_id: str
    user_password: Secret

    def __post_init__(self) -> None:
        for name in ("sender_password", "user_password"):
            object.__setattr__(self, name, Secret(getattr(self, name)))
        missing = [
            n
            for n in ("sender_id", "sender_password", "company_id", "user_id", "user_password")
            if not getattr(self, n)
        ]
        if missing:
            raise ValueError(
                f"Intacct credentials are missing {', '.join(missing)}; "
                "set them in the secret scope or the environment."
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> Credentials:
        return cls(
            **{
                k: values[k]
                for k in ("sender_id", "sender_password", "company_id", "user_id", "user_password")
            }
        )


@dataclass
class ApiSession:
    sessionid: str = field(repr=False)
    endpoint: str
    locationid: str
    login_deadline: float  # monotonic: login time + configured lifetime
    server_deadline: float  # monotonic: gateway timeout - refresh margin

    def fresh(self, now: float) -> bool:
        return now < min(self.login_deadline, self.server_deadline)


class SessionManager:
    """Owns one API session (top level or one entity) and sends functions with it."""

    def __init__(
        self,
        gateway: Gateway,
        credentials: Credentials,
        login_url: str,
        *,
        entity: str | None = None,
        lifetime: timedelta = timedelta(minutes=50),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gateway = gateway
        self.credentials = credentials
        self.login_url = validate_endpoint(login_url)
        self.entity = entity or None
        self.lifetime = lifetime
        self.clock = clock
        self._lock = threading.Lock()
        self._session: ApiSession | None = None

    def __repr__(self) -> str:
        return f"SessionManager(entity={self.entity!r}, endpoint={self.login_url!r})"

    def call(
        self,
        functions: list[envelope.Function],
        *,
        object: str | None = None,  # noqa: A002
        retry_524: bool = True,
    ) -> Response:
        """Send ``functions`` with the current session; log in again once if it expired."""
        session = self._current()
        try:
            return self._send(session, functions, object, retry_524)
        except SessionExpired:
            log.info("Intacct session expired (entity %s); logging in again", self.entity or "-")
            self._invalidate(session)
            return self._send(self._current(), functions, object, retry_524)

    def _send(
        self,
        session: ApiSession,
        functions: list[envelope.Function],
        object: str | None,  # noqa: A002
        retry_524: bool = True,
    ) -> Response:
        body = self._request(envelope.SessionAuth(session.sessionid), functions)
        response = self.gateway.post(
            session.endpoint,
            body,
            functions=[f.name for f in functions],
            sent_session=True,
            object=object,
            retry_524=retry_524,
        )
        self._slide(session, response.authentication)
        return response

    def _request(
        self, auth: envelope.Login | envelope.SessionAuth, functions: list[envelope.Function]
    ) -> bytes:
        return envelope.build_request(
            sender_id=self.credentials.sender_id,
            sender_password=self.credentials.sender_password.reveal(),
            auth=auth,
            functions=functions,
            controlid=str(uuid.uuid4()),
        )

    def _current(self) -> ApiSession:
        with self._lock:
            if self._session is None or not self._session.fresh(self.clock()):
                self._session = self._login()
            return self._session

    def _invalidate(self, session: ApiSession) -> None:
        with self._lock:
            if self._session is session:
                self._session = None

    def _login(self) -> ApiSession:
        creds = self.credentials
        login = envelope.Login(
            creds.user_id, creds.company_id, creds.user_password.reveal(), self.entity
        )
        function = envelope.get_api_session(self.entity)
        response = self.gateway.post(
            self.login_url,
            self._request(login, [function]),
            functions=[function.name],
            sent_session=False,
        )
        self.gateway.stats.record_login()
        api = (
            response.results[0].data.find("api")
            if response.results and response.results[0].data is not None
            else None
        )
        sessionid = (api.findtext("sessionid") or "").strip() if api is not None else ""
        if not sessionid:
            raise UnexpectedResponse("getAPISession answered without a session id.")
        endpoint = (api.findtext("endpoint") or "").strip() or self.login_url
        now = self.clock()
        session = ApiSession(
            sessionid=sessionid,
            endpoint=validate_endpoint(endpoint),
            locationid=(api.findtext("locationid") or "").strip(),
            login_deadline=now + self.lifetime.total_seconds(),
            server_deadline=now + self.lifetime.total_seconds(),
        )
        self._slide(session, response.authentication)
        log.info("Intacct session opened (entity %s, endpoint %s)", self.entity or "-", endpoint)
        return session

    def _slide(self, session: ApiSession, auth: Authentication | None) -> None:
        """Move the server deadline to the sliding ``sessiontimeout`` of this response."""
        if auth is None or auth.sessiontimeout is None:
            return
        # sessiontimestamp may be the session's start rather than this answer's time, and our
        # clock may differ from the server's: take the more cautious of the two readings.
        remaining = (auth.sessiontimeout - datetime.now(timezone.utc)).total_seconds()
        if auth.sessiontimestamp is not None:
            granted = (auth.sessiontimeout - auth.sessiontimestamp).total_seconds()
            remaining = min(remaining, granted)
        session.server_deadline = self.clock() + remaining - REFRESH_MARGIN.total_seconds()
