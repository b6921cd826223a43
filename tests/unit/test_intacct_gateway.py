"""Gateway: HTTP errors classified, retries bounded, limits and safety, secrets kept out."""

from __future__ import annotations

import logging

import pytest
import requests

from intacct_sync.intacct import errors as E
from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.gateway import Gateway, raise_for_response, validate_endpoint
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

URL = "https://api.example.test/ia/xml/xmlgw.phtml"
CREDS = Credentials("sender", "s3nder-pw", "company", "user", "us3r-pw")


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_with(
    answers: list, *, sleeps: Sleeps | None = None, **kw
) -> tuple[IntacctClient, ScriptedAdapter]:
    adapter = ScriptedAdapter(answers)
    policy = RetryPolicy(sleep=sleeps if sleeps is not None else Sleeps(), **kw)
    client = IntacctClient(URL, CREDS, ClientOptions(retry=policy), transport=session_with(adapter))
    return client, adapter


GATEWAY_CASES = [
    (
        429,
        b"<response><control><status>failure</status></control><errormessage><error>"
        b"<errorno>GW-0010</errorno><description>Too many</description></error></errormessage>"
        b"</response>",
        E.RateLimited,
    ),
    (500, b"", E.ServiceUnavailable),
    (502, b"<html>Bad gateway</html>", E.ServiceUnavailable),
    (503, b"", E.ServiceUnavailable),
    (504, b"", E.ServiceUnavailable),
    (520, b"<html><div id='cf-error-details'>origin</div></html>", E.ServiceUnavailable),
    (200, b"<html><div id='cf-error-details'>challenge</div></html>", E.ServiceUnavailable),
    (524, b"<html><div id='cf-error-details'>timeout</div></html>", E.ServerMayStillBeWorking),
    (400, (FIXTURES / "gateway_400_GW-0011.xml").read_bytes(), E.RequestRejected),
    (401, (FIXTURES / "gateway_401_XMLGW_JPP0002.xml").read_bytes(), E.UserCredentialsError),
    (200, b"<response><control><status>succ", E.MalformedResponse),
    (200, b"", E.MalformedResponse),
]


@pytest.mark.parametrize(("status", "body", "cls"), GATEWAY_CASES)
def test_gateway_level_answers_are_classified(status: int, body: bytes, cls: type) -> None:
    with pytest.raises(cls) as info:
        raise_for_response(status, {}, body, sent_session=True)
    assert type(info.value) is cls
    assert info.value.http_status == status or status == 200


def test_retry_after_is_read_from_a_429() -> None:
    with pytest.raises(E.RateLimited) as info:
        raise_for_response(429, {"Retry-After": "7"}, b"", sent_session=True)
    assert info.value.retry_after == 7.0


def test_rate_limit_text_in_a_200_body_is_retryable() -> None:
    body = (
        b"<response><control><status>success</status></control><operation><authentication>"
        b"<status>success</status></authentication><result><status>failure</status>"
        b"<function>query</function><errormessage><error><errorno>X</errorno><description2>"
        b"API rate limit exceeded</description2></error></errormessage></result></operation>"
        b"</response>"
    )
    with pytest.raises(E.RateLimited):
        raise_for_response(200, {}, body, sent_session=True)


def test_transient_failures_are_retried_then_succeed_with_backoff() -> None:
    sleeps = Sleeps()
    client, adapter = client_with(
        [
            (503, b""),
            requests.ConnectionError("reset"),
            (429, b"", {"Retry-After": "3"}),
            (200, session_answer()),
            (200, lookup_answer()),
        ],
        sleeps=sleeps,
    )
    fields = client.lookup("X")
    assert [f.name for f in fields] == ["RECORDNO", "MY_FIELD"] and fields[1].is_custom
    assert len(adapter.requests) == 5
    assert sleeps[2] == 3.0  # Retry-After honoured
    assert 1.0 <= sleeps[0] <= 2.0 and 2.0 <= sleeps[1] <= 3.0  # exponential with jitter
    assert client.stats().retries == 3


def test_retries_are_bounded_in_attempts() -> None:
    sleeps = Sleeps()
    client, adapter = client_with([(503, b"")], sleeps=sleeps, max_attempts=4)
    with pytest.raises(E.ServiceUnavailable):
        client.lookup("X")
    assert len(adapter.requests) == 4 and len(sleeps) == 3


def test_retries_are_bounded_in_total_time() -> None:
    sleeps = Sleeps()
    client, adapter = client_with(
        [(429, b"", {"Retry-After": "40"})], sleeps=sleeps, max_total_seconds=100
    )
    with pytest.raises(E.RateLimited):
        client.lookup("X")
    assert sum(sleeps) <= 100 and len(adapter.requests) == 3


def test_524_is_retried_once_after_a_long_pause_then_fails() -> None:
    sleeps = Sleeps()
    client, adapter = client_with([(524, b"")], sleeps=sleeps)
    with pytest.raises(E.ServerMayStillBeWorking, match="may still be working"):
        client.lookup("X")
    assert len(adapter.requests) == 2 and sleeps == [120.0]


def test_fatal_errors_are_not_retried() -> None:
    body = (FIXTURES / "control_failure_bad_sender_credentials.xml").read_bytes()
    client, adapter = client_with([(200, body)])
    with pytest.raises(E.SenderCredentialsError):
        client.lookup("X")
    assert len(adapter.requests) == 1


def test_a_retry_resends_the_same_bytes_and_function_controlids() -> None:
    client, adapter = client_with([(200, session_answer()), (502, b""), (200, lookup_answer())])
    client.lookup("X")
    first, second = adapter.requests[1].body, adapter.requests[2].body
    assert first == second and b"<lookup>" in first


def test_timeouts_and_tls_are_always_set() -> None:
    client, adapter = client_with([(200, session_answer()), (200, lookup_answer())])
    client.lookup("X")
    assert adapter.kwargs["timeout"] == (10.0, 300.0)
    assert adapter.kwargs["verify"] not in (False, None, "")  # True or a CA bundle path
    assert adapter.kwargs["stream"] is True


def test_oversized_responses_are_refused_while_streaming() -> None:
    adapter = ScriptedAdapter([(200, b"<response>" + b"x" * 5000 + b"</response>")])
    gateway = Gateway(
        transport=session_with(adapter), max_response_bytes=1024, retry=RetryPolicy(sleep=Sleeps())
    )
    with pytest.raises(E.UnsafeResponse, match="exceeds 1024 bytes"):
        gateway.post(URL, b"<request/>", functions=["lookup"], sent_session=True)
    assert len(adapter.requests) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://api.intacct.com/ia/xml/xmlgw.phtml",
        "ftp://x/y",
        "http://10.0.0.1/x",
        "api.intacct.com",
    ],
)
def test_plain_http_is_refused_except_for_loopback(url: str) -> None:
    with pytest.raises(ValueError, match="https://"):
        validate_endpoint(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/ia",
        "http://127.1.2.3/x",
        "http://localhost:9/x",
        "http://[::1]:80/x",
        URL,
    ],
)
def test_loopback_and_https_endpoints_are_accepted(url: str) -> None:
    assert validate_endpoint(url) == url


def test_secrets_never_reach_logs_reprs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="intacct_sync")
    body = (FIXTURES / "control_failure_bad_sender_credentials.xml").read_bytes()
    client, _ = client_with(
        [(200, session_answer(sessionid="SECRET-SESSION..")), (503, b""), (200, body)]
    )
    with pytest.raises(E.SenderCredentialsError) as info:
        client.lookup("X")
    text = caplog.text + repr(CREDS) + str(CREDS) + repr(client) + str(info.value)
    text += repr(client._session) + repr(client._session._session)
    for secret in ("s3nder-pw", "us3r-pw", "SECRET-SESSION.."):
        assert secret not in text
    assert "***" in caplog.text  # the debug log ran, redacted
    assert (
        repr(CREDS.user_password) == "Secret('***')" and CREDS.user_password.reveal() == "us3r-pw"
    )


def test_an_in_process_refusal_waits_for_the_first_attempt_without_using_up_attempts() -> None:
    """XL03000011 runs nothing (our first attempt still works): the policy keeps waiting for it
    past max_attempts, bounded by the total time; real failures still count."""
    sleeps = Sleeps()
    policy = RetryPolicy(sleep=sleeps, max_attempts=3, initial_wait=1.0, max_wait=1.0, jitter=0)
    answers = [E.FunctionInProcess("in process")] * 5 + [E.ServiceUnavailable("503")] + ["ok"]

    def call():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert policy.call(call) == "ok" and len(sleeps) == 6
    forever = RetryPolicy(sleep=sleeps, max_attempts=3, max_total_seconds=10, max_wait=4)
    with pytest.raises(E.FunctionInProcess):
        forever.call(lambda: (_ for _ in ()).throw(E.FunctionInProcess("still")))
