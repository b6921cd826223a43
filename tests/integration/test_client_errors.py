"""Every failure level of the emulated gateway, classified; retries bounded; replays safe."""

from __future__ import annotations

import time

import pytest
import requests

from intacct_sync.emulator import Emulator, Fault
from intacct_sync.intacct import envelope
from intacct_sync.intacct import errors as E
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.fields import Field, FieldType
from intacct_sync.intacct.options import ClientOptions
from intacct_sync.intacct.records import Window
from intacct_sync.intacct.retry import RetryPolicy
from intacct_sync.intacct.session import Credentials


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class WaitsOut(Sleeps):
    """Records each wait and really sleeps a little: after a read timeout the first attempt is
    still running on the server, and a retry meeting it is refused as in process (§17) until
    it ends, so the test must let that much real time pass (a fraction of a second)."""

    def __call__(self, seconds: float) -> None:
        super().__call__(seconds)
        time.sleep(min(seconds, 0.4))


class RecordingSession(requests.Session):
    """The transport seam: a real requests.Session that remembers every body it sent."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[bytes] = []

    def post(self, url, data=None, **kw):  # type: ignore[no-untyped-def, override]
        self.bodies.append(data)
        return super().post(url, data=data, **kw)


@pytest.fixture(scope="module")
def emu():
    with Emulator(seed=7, scale="small", port=0) as e:
        yield e


@pytest.fixture(autouse=True)
def no_faults(emu: Emulator):
    emu.faults.clear()
    yield
    emu.faults.clear()


def client_for(
    emu: Emulator,
    *,
    creds: dict | None = None,
    sleeps: Sleeps | None = None,
    transport: requests.Session | None = None,
    **kw,
) -> IntacctClient:
    policy = RetryPolicy(sleep=sleeps if sleeps is not None else Sleeps(), **kw.pop("policy", {}))
    return IntacctClient(
        emu.url,
        Credentials.from_mapping({**emu.credentials, **(creds or {})}),
        ClientOptions(**{"retry": policy, "timeout": (5.0, 5.0), **kw}),
        transport=transport,
    )


def test_bad_sender_password_is_a_sender_credentials_error(emu: Emulator) -> None:
    with client_for(emu, creds={"sender_password": "wrong"}) as client:
        with pytest.raises(E.SenderCredentialsError, match="sender-id and sender-password"):
            client.lookup("VENDOR")
        assert client.stats().retries == 0


def test_bad_user_password_is_a_user_credentials_error(emu: Emulator) -> None:
    with client_for(emu, creds={"user_password": "wrong"}) as client:
        with pytest.raises(E.UserCredentialsError) as info:
            client.lookup("VENDOR")
    assert "wrong" not in str(info.value)


def test_unauthorized_sender_and_expired_company(emu: Emulator) -> None:
    settings = emu.company.settings
    settings.unauthorized_senders.add(emu.credentials["sender_id"])
    try:
        with client_for(emu) as client, pytest.raises(E.NotAuthorizedError):
            client.lookup("VENDOR")
    finally:
        settings.unauthorized_senders.clear()
    settings.demo_expired = True
    try:
        with client_for(emu) as client, pytest.raises(E.CompanyExpiredError):
            client.lookup("VENDOR")
    finally:
        settings.demo_expired = False


def test_result_level_errors_are_classified(emu: Emulator) -> None:
    with client_for(emu) as client:
        with pytest.raises(E.UnknownObject) as info:
            client.lookup("NOSUCHOBJECT")
        assert info.value.function == "lookup" and info.value.object == "NOSUCHOBJECT"
        bogus = [Field("RECORDNO", FieldType.INTEGER), Field("NO_SUCH_FIELD", FieldType.TEXT)]
        with pytest.raises(E.InvalidField, match="NO_SUCH_FIELD"):
            list(client.read_pages(CATALOG["VENDOR"], bogus, Window.until_now()))


def test_audit_history_without_permission_is_permission_denied(emu: Emulator) -> None:
    emu.company.settings.forbidden.add("AUDITHISTORY")
    try:
        with client_for(emu) as client, pytest.raises(E.PermissionDenied):
            window = Window.until_now()
            client.audit_deletes(CATALOG["APBILL"], window.end.replace(year=2000), window.end)
    finally:
        emu.company.settings.forbidden.discard("AUDITHISTORY")


TRANSIENT = [
    "http_429",
    "http_500",
    "http_502",
    "http_503",
    "http_504",
    "cloudflare_html",
    "connection_reset",
    "read_timeout",
    "malformed_xml",
    "offline",
]


@pytest.mark.parametrize("kind", TRANSIENT)
def test_transient_faults_are_retried_once_and_succeed(emu: Emulator, kind: str) -> None:
    # A read timeout leaves the first attempt running 0.2 s more: the retry waits it out.
    timeout = kind == "read_timeout"
    sleeps = WaitsOut() if timeout else Sleeps()
    with client_for(emu, timeout=(5.0, 0.5), sleeps=sleeps) as client:
        client.lookup("VENDOR")  # logged in
        emu.faults.add(Fault(kind, function="lookup", seconds=0.7 if timeout else 1.0))
        assert client.lookup("VENDOR")
        assert client.stats().retries == 1
        assert client.stats().calls["lookup"] == 3


@pytest.mark.parametrize(
    ("kind", "cls"),
    [("http_400", E.RequestRejected), ("http_401", E.UserCredentialsError)],
)
def test_fatal_gateway_answers_are_not_retried(emu: Emulator, kind: str, cls: type) -> None:
    with client_for(emu) as client:
        client.lookup("VENDOR")
        emu.faults.add(Fault(kind, function="lookup"))
        with pytest.raises(cls):
            client.lookup("VENDOR")
        assert client.stats().retries == 0


def test_retries_stop_after_max_attempts(emu: Emulator) -> None:
    sleeps = Sleeps()
    with client_for(emu, sleeps=sleeps, policy={"max_attempts": 4}) as client:
        client.lookup("VENDOR")
        emu.faults.add(Fault("http_503", function="lookup", times=50))
        with pytest.raises(E.ServiceUnavailable):
            client.lookup("VENDOR")
        assert client.stats().calls["lookup"] == 1 + 4 and len(sleeps) == 3


def test_a_524_is_retried_once_after_a_pause_then_fails(emu: Emulator) -> None:
    sleeps = Sleeps()
    with client_for(emu, sleeps=sleeps) as client:
        client.lookup("VENDOR")
        emu.faults.add(Fault("http_524", function="lookup", times=2))
        with pytest.raises(E.ServerMayStillBeWorking):
            client.lookup("VENDOR")
        assert sleeps == [120.0] and client.stats().calls["lookup"] == 3


def test_a_lost_answer_is_replayed_with_the_same_controlids(emu: Emulator) -> None:
    transport = RecordingSession()
    with client_for(emu, transport=transport, timeout=(5.0, 0.5), sleeps=WaitsOut()) as client:
        client.lookup("VENDOR")
        emu.faults.add(Fault("read_timeout", function="lookup", seconds=0.7))
        assert client.lookup("VENDOR")
    first, retry = transport.bodies[-2:]
    assert first == retry  # same function controlids, uniqueid false: the replay is answered
    assert b"<uniqueid>false</uniqueid>" in retry


def test_an_in_process_refusal_is_waited_out_and_the_same_request_sent_again(emu: Emulator) -> None:
    transport, sleeps = RecordingSession(), Sleeps()
    with client_for(emu, transport=transport, sleeps=sleeps) as client:
        client.lookup("VENDOR")
        emu.faults.add("in_process@function=lookup")
        assert client.lookup("VENDOR")
        assert client.stats().retries == 1 and len(sleeps) == 1  # backed off once
    refused, replay = transport.bodies[-2:]
    assert refused == replay


def test_in_process_is_transient_and_200024_too() -> None:
    from intacct_sync.intacct.classify import classify

    busy = E.ErrorDetail(
        "200024", description2="There are too many operations running for this company."
    )
    in_process = E.ErrorDetail(
        "XL03000011", description2="A request's function with the control ID x is in process."
    )
    assert isinstance(classify("control", [busy]), E.CompanyBusy)
    assert isinstance(classify("result", [in_process]), E.FunctionInProcess)
    assert isinstance(classify("result", [in_process]), E.RetryableError)


def test_write_functions_are_refused_before_anything_is_sent(emu: Emulator) -> None:
    before = emu.stats.requests
    for name in ("create", "update", "delete", "create_vendor"):
        with pytest.raises(E.WriteRefused):
            envelope.Function(name)
    assert emu.stats.requests == before
    assert not set(emu.stats.function_names) - envelope.READ_FUNCTIONS
