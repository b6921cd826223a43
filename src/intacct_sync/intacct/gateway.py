"""HTTP transport to the XML gateway: one requests.Session, timeouts, TLS, limits, retries.

Each logical request is sent under the retry policy (``retry.py``) with the same bytes, so
a retry re-sends the same function controlids. Every attempt holds one slot of the company's
in-flight limit (``limiter.InFlight``; not while backing off), is counted in ``CallStats``
(calls, and the transactions Intacct bills for it, §12) and is read as a stream so a body
larger than ``max_response_bytes`` is refused before it fills memory. HTTP-level failures are
classified here (docs/protocol.md §4.3); XML-level ones in ``response.py``.

A 200024 answer ("too many operations running for this company", §17) lowers the company's
in-flight limit to 1 for the rest of the run, with a notice, before the policy backs off.
"""

from __future__ import annotations

import dataclasses
import email.utils
import ipaddress
import logging
import re
import time
import urllib.parse
from datetime import datetime, timezone

import requests

from intacct_sync.intacct import errors as E
from intacct_sync.intacct.classify import classify
from intacct_sync.intacct.limiter import InFlight
from intacct_sync.intacct.response import Response, check_response, parse_errors
from intacct_sync.intacct.retry import RetryPolicy
from intacct_sync.intacct.stats import CallStats, billed_functions
from intacct_sync.intacct.xmlsafe import parse_xml

log = logging.getLogger(__name__)

DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
_CHUNK = 256 * 1024
_HEADERS = {
    "Content-Type": "application/xml; charset=utf-8",
    "Accept": "application/xml, text/xml",
    "Accept-Encoding": "gzip, deflate",
    "User-Agent": "intacct-sync/0.1",
}
_SECRETS = re.compile(rb"(<(password|sessionid)>)[^<]*(</\2>)")


def redact(body: bytes) -> str:
    """A request or response body for debug logs, with passwords and session ids masked."""
    return _SECRETS.sub(rb"\1***\3", body).decode("utf-8", "replace")


def validate_endpoint(url: str) -> str:
    """https:// is required, except for loopback hosts (the local emulator)."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and is_loopback(host):
        return url
    raise ValueError(
        f"Intacct endpoint {parts.scheme}://{host or '?'}{parts.path} is not allowed: use an "
        "https:// URL (plain http:// is accepted only for 127.0.0.0/8, localhost and ::1)."
    )


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1): where plain http is allowed."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(timezone.utc)).total_seconds(), 0.0)


class Gateway:
    """Sends request bytes and returns a checked ``Response`` (or raises a typed error)."""

    def __init__(
        self,
        *,
        timeout: tuple[float, float] = (10.0, 300.0),
        retry: RetryPolicy | None = None,
        limiter: InFlight | None = None,
        stats: CallStats | None = None,
        transport: requests.Session | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if not (isinstance(timeout, tuple) and len(timeout) == 2 and all(t > 0 for t in timeout)):
            raise ValueError("timeout must be (connect seconds, read seconds), both > 0")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.limiter = limiter or InFlight(2)
        self.stats = stats or CallStats()
        self.session = transport or requests.Session()
        self.max_response_bytes = max_response_bytes

    def close(self) -> None:
        self.session.close()

    def post(
        self,
        url: str,
        body: bytes,
        *,
        functions: list[str],
        sent_session: bool,
        object: str | None = None,  # noqa: A002
        retry_524: bool = True,
    ) -> Response:
        """POST ``body`` to ``url`` under the retry policy; the same bytes on every attempt.

        ``retry_524=False`` hands an HTTP 524 straight to the caller: a keyset reader answers it
        with a smaller page, which only it can build (``adaptive.py``).
        """
        validate_endpoint(url)
        what = f"Intacct {','.join(functions)}" + (f" on {object}" if object else "")
        started = time.perf_counter()

        def attempt() -> Response:
            status, headers, payload = self._send(url, body, functions)
            try:
                response = raise_for_response(
                    status, headers, payload, sent_session=sent_session, object=object
                )
            except E.IntacctError as error:
                self.stats.record_transactions(object, billed_on_error(functions, error))
                if isinstance(error, E.CompanyBusy):
                    self._lower_in_flight()
                raise
            self.stats.record_transactions(object, billed_functions(functions))
            return dataclasses.replace(
                response, nbytes=len(payload), elapsed=time.perf_counter() - started
            )

        return self.retry.call(
            attempt, what=what, on_retry=self.stats.record_retry, retry_524=retry_524
        )

    def _lower_in_flight(self) -> None:
        previous = self.limiter.lower(1)
        if previous is None:
            return
        message = (
            f"Intacct answered 200024 (too many operations running for this company): requests "
            f"in flight lowered from {previous} to 1 for the rest of this run. The company's "
            "other integrations share its allowance: schedule this sync away from them, or set "
            "max_in_flight: 1 (docs/protocol.md §12, §17)."
        )
        self.stats.notice(message)
        log.warning("%s", message)

    def _send(self, url: str, body: bytes, functions: list[str]) -> tuple[int, dict, bytes]:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("POST %s %s", url, redact(body))
        started = time.perf_counter()
        nbytes = 0
        with self.limiter:
            try:
                with self.session.post(
                    url,
                    data=body,
                    headers=_HEADERS,
                    timeout=self.timeout,
                    stream=True,
                    verify=True,
                ) as resp:
                    payload = self._read_capped(resp)
                    nbytes = len(payload)
                    return resp.status_code, dict(resp.headers), payload
            except requests.exceptions.SSLError as exc:
                raise E.FatalError(
                    f"TLS verification of the Intacct endpoint failed ({type(exc).__name__}); "
                    "check the endpoint URL and the machine's CA certificates."
                ) from None
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                raise E.TransportError(
                    f"Connection to Intacct failed ({type(exc).__name__}); the client retries."
                ) from None
            finally:
                self.stats.record(functions, time.perf_counter() - started, nbytes)

    def _read_capped(self, resp: requests.Response) -> bytes:
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_response_bytes:
            raise self._too_large()
        chunks, total = [], 0
        for chunk in resp.iter_content(_CHUNK):
            total += len(chunk)
            if total > self.max_response_bytes:
                raise self._too_large()
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> E.UnsafeResponse:
        return E.UnsafeResponse(
            f"The Intacct response exceeds {self.max_response_bytes} bytes and was refused; "
            "lower the page size or raise max_response_bytes."
        )


def billed_on_error(functions: list[str], error: E.IntacctError) -> int:
    """Billed transactions of a failed attempt: the gateway ran the functions when it answered
    at result level (except an in-process refusal, which runs nothing) or gave up behind the CDN
    (524: the origin goes on working). A control or authentication failure, a 5xx or a lost
    connection is not counted: nothing ran, or we cannot know (docs/protocol.md §12, §17)."""
    if isinstance(error, E.FunctionInProcess):
        return 0
    if error.level == "result" or error.http_status == 524:
        return billed_functions(functions)
    return 0


def raise_for_response(
    status: int, headers: dict, payload: bytes, *, sent_session: bool, object: str | None = None
) -> Response:  # noqa: A002
    """An HTTP answer as a checked ``Response``, or the typed error it means (§4.3, §4.1)."""
    if status != 200:
        raise _http_error(status, headers, payload, object)
    if b"cf-error-details" in payload[:65536]:
        raise E.ServiceUnavailable(
            "Intacct answered with a Cloudflare error page; the client retries.",
            http_status=status,
            object=object,
        )
    root = parse_xml(payload)
    if log.isEnabledFor(logging.DEBUG):
        log.debug("response %d bytes: %s", len(payload), redact(payload[:4096]))
    return check_response(root, sent_session=sent_session, http_status=status, object=object)


def _http_error(status: int, headers: dict, payload: bytes, object: str | None) -> E.IntacctError:  # noqa: A002
    errors: tuple[E.ErrorDetail, ...] = ()
    if payload.lstrip().startswith(b"<?xml") or payload.lstrip().startswith(b"<response"):
        try:
            errors = parse_errors(parse_xml(payload).find("errormessage"))
        except E.IntacctError:
            errors = ()
    error = classify("gateway", errors, http_status=status, object=object)
    if b"cf-error-details" in payload and not isinstance(error, E.ServerMayStillBeWorking):
        error = E.ServiceUnavailable(
            f"Intacct answered HTTP {status} with a Cloudflare error page; the client retries.",
            http_status=status,
            object=object,
        )
    if isinstance(error, E.RateLimited):
        error.retry_after = _retry_after(headers.get("Retry-After"))
    return error
