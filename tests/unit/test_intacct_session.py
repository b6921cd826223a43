"""Sessions: reuse, sliding expiry, proactive refresh, re-login once, entities, threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from lxml import etree

from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.errors import SessionExpired
from intacct_sync.intacct.options import ClientOptions
from intacct_sync.intacct.retry import RetryPolicy
from intacct_sync.intacct.session import Credentials
from tests.unit.test_intacct_samples import FIXTURES
from tests.unit.test_intacct_transport import (
    ScriptedAdapter,
    lookup_answer,
    session_answer,
    session_with,
)

LOGIN_URL = "https://login.example.test/ia/xml/xmlgw.phtml"
SESSION_URL = "https://na9.example.test/ia/xml/xmlgw.phtml"
CREDS = Credentials("sender", "spw", "company", "user", "upw")
INVALID = (FIXTURES / "error_invalid_session.xml").read_bytes()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Server:
    """Logs in (counting), then answers lookups; ``expire()`` makes the next use fail."""

    def __init__(
        self,
        *,
        stamp: str = "2030-01-01T00:00:00+00:00",
        timeout: str = "2030-01-01T12:00:00+00:00",
    ) -> None:
        self.logins = 0
        self.expired_once = False
        self.requests: list[tuple[str, etree._Element]] = []
        self.stamp, self.timeout = stamp, timeout
        self.lock = threading.Lock()

    def __call__(self, request):  # type: ignore[no-untyped-def]
        root = etree.fromstring(request.body)
        with self.lock:
            self.requests.append((request.url, root))
            if root.find(".//getAPISession") is not None:
                self.logins += 1
                return 200, session_answer(
                    f"S{self.logins}..", SESSION_URL, stamp=self.stamp, timeout=self.timeout
                )
            if self.expired_once:
                self.expired_once = False
                return 200, INVALID
        return 200, lookup_answer()


def client_for(
    server: Server, clock: Callable[[], float] = time.monotonic, **options
) -> tuple[IntacctClient, ScriptedAdapter]:
    adapter = ScriptedAdapter([server])
    client = IntacctClient(
        LOGIN_URL,
        CREDS,
        ClientOptions(retry=RetryPolicy(sleep=lambda s: None), **options),
        transport=session_with(adapter),
        clock=clock,
    )
    return client, adapter


def test_one_login_serves_many_calls_on_the_returned_endpoint() -> None:
    server = Server()
    client, _ = client_for(server)
    for _ in range(5):
        client.lookup("X")
    assert server.logins == 1
    urls = [url for url, _ in server.requests]
    assert urls[0] == LOGIN_URL and set(urls[1:]) == {SESSION_URL}
    assert {r.findtext(".//sessionid") for _, r in server.requests[1:]} == {"S1.."}
    assert client.stats().calls == {"getAPISession": 1, "lookup": 5}


def test_session_is_refreshed_5_minutes_before_the_reported_timeout() -> None:
    clock = FakeClock()
    server = Server(stamp="2030-01-01T00:00:00+00:00", timeout="2030-01-01T00:30:00+00:00")
    client, _ = client_for(server, clock=clock)
    client.lookup("X")
    clock.now += 24 * 60  # 6 min left of 30: still fresh (refresh margin is 5)
    client.lookup("X")
    clock.now += 24 * 60  # 48 min after login: fresh only because the timeout slid
    client.lookup("X")
    assert server.logins == 1
    clock.now += 26 * 60  # 26 min after the last answer: within 5 minutes of expiry
    client.lookup("X")
    assert server.logins == 2


def test_configured_lifetime_caps_a_long_server_timeout() -> None:
    clock = FakeClock()
    server = Server()  # 12 h sessions
    client, _ = client_for(server, clock=clock, session_lifetime=timedelta(minutes=50))
    client.lookup("X")
    clock.now += 49 * 60
    client.lookup("X")
    assert server.logins == 1
    clock.now += 2 * 60
    client.lookup("X")
    assert server.logins == 2


def test_expired_session_logs_in_again_once_and_repeats_the_request() -> None:
    server = Server()
    client, _ = client_for(server)
    client.lookup("X")
    server.expired_once = True
    fields = client.lookup("X")
    assert fields and server.logins == 2
    functions = [r.find("operation/content/function")[0].tag for _, r in server.requests]
    assert functions == ["getAPISession", "lookup", "lookup", "getAPISession", "lookup"]
    replayed = [
        r.find("operation/content/function").get("controlid")
        for _, r in server.requests[2:]
        if r.find(".//lookup") is not None
    ]
    assert replayed[0] == replayed[1]  # the repeat re-sends the same function controlid


def test_a_session_that_stays_invalid_fails_after_one_relogin() -> None:
    server = Server()
    client, _ = client_for(server)
    client.lookup("X")
    original = server.__call__
    adapter_calls = []

    def always_invalid(request):  # type: ignore[no-untyped-def]
        adapter_calls.append(1)
        if b"getAPISession" in request.body:
            return original(request)
        return 200, INVALID

    client._gateway.session.adapters[LOGIN_URL[:8]].answers = [always_invalid]
    with pytest.raises(SessionExpired, match="logs in again"):
        client.lookup("X")
    assert server.logins == 2


def test_concurrent_threads_share_one_login() -> None:
    server = Server()
    client, _ = client_for(server, max_in_flight=2)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.lookup("X"), range(32)))
    assert server.logins == 1 and client.stats().calls["lookup"] == 32


def test_entity_sessions_send_the_locationid_and_share_limits() -> None:
    server = Server()
    client, _ = client_for(server)
    entity = client.for_entity("E100")
    entity.lookup("X")
    client.lookup("X")
    logins = [r for _, r in server.requests if r.find(".//getAPISession") is not None]
    assert logins[0].findtext(".//login/locationid") == "E100"
    assert logins[0].findtext(".//getAPISession/locationid") == "E100"
    assert logins[1].find(".//login/locationid") is None
    assert logins[1].find(".//getAPISession/locationid").text is None  # empty = top level
    assert entity._gateway is client._gateway and client.stats().logins == 2


def test_showprivate_is_sent_at_the_top_level_only() -> None:
    server = Server()
    client, _ = client_for(server)
    client.count("VENDOR")
    client.for_entity("E100").count("VENDOR")
    queries = [r.find(".//query") for _, r in server.requests if r.find(".//query") is not None]
    assert queries[0].findtext("options/showprivate") == "true"
    assert queries[1].find("options") is None
