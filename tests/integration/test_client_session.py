"""The client against the emulator over HTTP: sessions, entities, limits, secrets."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from intacct_sync.emulator import Emulator, Fault
from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.options import ClientOptions
from intacct_sync.intacct.retry import RetryPolicy
from intacct_sync.intacct.session import Credentials


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_client(emu: Emulator, clock=time.monotonic, **options) -> IntacctClient:
    options.setdefault("retry", RetryPolicy(sleep=lambda s: None))
    options.setdefault("timeout", (5.0, 30.0))
    creds = Credentials.from_mapping(emu.credentials)
    return IntacctClient(emu.url, creds, ClientOptions(**options), clock=clock)


@pytest.fixture(scope="module")
def emu():
    with Emulator(seed=7, scale="small", port=0, session_duration=timedelta(hours=2)) as e:
        yield e


def calls(emu: Emulator, name: str) -> int:
    return emu.stats.calls[name]


def test_one_login_serves_many_calls(emu: Emulator) -> None:
    before = calls(emu, "getAPISession")
    with make_client(emu) as client:
        for name in ("VENDOR", "APBILL", "GLACCOUNT"):
            assert client.lookup(name)
        assert client.dimensions()
        assert client.stats().calls == {"getAPISession": 1, "lookup": 3, "getDimensions": 1}
    assert calls(emu, "getAPISession") - before == 1


def test_expired_session_is_renewed_once_and_the_call_repeated() -> None:
    with Emulator(seed=7, scale="small", port=0, session_duration=timedelta(minutes=30)) as emu:
        with make_client(emu) as client:
            client.lookup("VENDOR")
            emu.company.clock.advance(timedelta(minutes=31))  # the server forgets the session
            assert client.lookup("VENDOR")
            assert emu.stats.calls["getAPISession"] == 2
            assert emu.stats.calls["lookup"] == 3  # the failed one, then its repeat


def test_injected_session_expiry_is_renewed() -> None:
    with Emulator(seed=7, scale="small", port=0) as emu:
        with make_client(emu) as client:
            client.lookup("VENDOR")
            emu.faults.add(Fault("session_expire"))
            assert client.lookup("VENDOR")
            assert emu.stats.calls["getAPISession"] == 2


def test_session_is_refreshed_before_the_gateway_timeout() -> None:
    clock = FakeClock()
    with Emulator(seed=7, scale="small", port=0, session_duration=timedelta(minutes=20)) as emu:
        with make_client(emu, clock=clock) as client:
            client.lookup("VENDOR")
            clock.now += 16 * 60  # 4 minutes left of 20: inside the 5-minute margin
            client.lookup("VENDOR")
            # refreshed proactively: no failed call, two logins, two lookups
            assert emu.stats.calls["getAPISession"] == 2
            assert emu.stats.calls["lookup"] == 2


def test_requests_go_to_the_endpoint_returned_with_the_session(emu: Emulator) -> None:
    """The gateway accepts a session at the main URL too (docs/protocol.md §17), so only the
    emulator's per-path count shows the client really follows the returned endpoint."""
    before = dict(emu.stats.session_paths)
    with make_client(emu) as client:
        client.lookup("VENDOR")
        client.lookup("APBILL")
        session = client._session._session
        assert session is not None and session.endpoint == emu.data_url
        assert session.sessionid.endswith("..")
    used = {p: n - before.get(p, 0) for p, n in emu.stats.session_paths.items()}
    data_path = emu.data_url.removeprefix(emu.base_url)
    assert {p: n for p, n in used.items() if n} == {data_path: 2}


def test_entity_client_gets_an_entity_session_and_shares_the_limit(emu: Emulator) -> None:
    with make_client(emu) as client:
        entity_id = next(iter(emu.company.entities))
        entity = client.for_entity(entity_id)
        assert entity.lookup("VENDOR")
        assert entity._session._session.locationid == entity_id
        assert client._gateway.limiter is entity._gateway.limiter


def test_never_more_than_max_in_flight_requests() -> None:
    with Emulator(seed=7, scale="small", port=0, latency=0.05, max_in_flight=2) as emu:
        with make_client(emu, max_in_flight=2) as client:
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _: client.lookup("VENDOR"), range(24)))
            assert emu.stats.max_in_flight == 2
            assert emu.stats.rejected_429 == 0
            assert client.stats().calls["lookup"] == 24


def test_secrets_never_appear_in_logs(emu: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG, logger="intacct_sync.intacct")
    with make_client(emu) as client:
        client.lookup("VENDOR")
        sessionid = client._session._session.sessionid
    secrets = [emu.credentials["sender_password"], emu.credentials["user_password"], sessionid]
    assert caplog.records
    assert not any(s in caplog.text for s in secrets)
