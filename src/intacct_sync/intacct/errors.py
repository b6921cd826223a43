"""Every way a call to Intacct can fail, grouped by what the caller should do.

::

    IntacctError                      base; carries errors (ErrorDetail), function, controlid,
    |                                 object, http_status
    +-- RetryableError                transient: the retry policy tries again
    |   +-- RateLimited               HTTP 429 / GW-0010 / "API rate limit exceeded" (retry_after)
    |   +-- ServiceUnavailable        HTTP 500/502/503/504, Cloudflare error pages
    |   +-- TransportError            connection reset, connect/read timeout
    |   +-- MalformedResponse         body is not parsable XML (docs/protocol.md §11.1)
    |   +-- TemporarilyOffline        "Temporarily Off-line", "Please Try Again Later"
    |   +-- CompanyBusy               200024 "too many operations running for this company":
    |   |                             back off; the client drops to 1 request in flight (§17)
    |   +-- FunctionInProcess         "... control ID X is in process": the first attempt still
    |                                 runs; wait, then re-send the same bytes (§2, §17)
    +-- SessionExpired                log in again once and repeat (docs/protocol.md §3.3)
    +-- ResultIdExpired               restart the readByQuery (docs/protocol.md §5.1)
    |   +-- ReadMoreLostPage          a readMore ran after the client gave up: restart it too
    +-- FatalError                    fail the object; a human must act
        +-- ConfigurationError        fix the configuration (credentials, company); exit 2
        |   +-- SenderCredentialsError    control-level XL03000006: sender id / password
        |   +-- UserCredentialsError      bad user / company / password (401 XMLGW_JPP0002)
        |   +-- NotAuthorizedError        sender not authorized for this company
        |   +-- CompanyExpiredError       PL04000055
        +-- PermissionDenied          the API user lacks a permission
        +-- AuditUnavailable          AUDITHISTORY cannot be read (``cause`` says why): fall back
        |   |                         to a key sweep (§9, §17)
        |   +-- AuditPermissionDenied     ... because of a permission (also a PermissionDenied)
        +-- UnknownObject             "Object definition X not found"
        +-- InvalidField              unknown or non-queryable field
        |   +-- UnqueryableFields         XL03000006 "cannot be queried" (the reader drops them)
        +-- BadQuery                  DL02000001, filter the server cannot run
        +-- RequestRejected           XL03000003, GW-0011, invalid policy: request is wrong
        +-- FunctionFailed            any other result-level failure
        +-- WriteRefused              a write function was asked for (never sent)
        +-- UnsafeResponse            DOCTYPE / entity bomb / XXE / body too large
        +-- UnexpectedResponse        valid XML of a shape we never asked for
        +-- InvalidValue              a value does not fit its declared type
        +-- ServerMayStillBeWorking   HTTP 524: Cloudflare gave up, the server may still run
        +-- PaginationLoop            a page did not move the keyset cursor forward

``classify.classify`` is the single place where Intacct error elements become one of these.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from dataclasses import dataclass
from typing import Literal

Level = Literal["gateway", "control", "authentication", "result"]


@dataclass(frozen=True)
class ErrorDetail:
    """One ``<error>`` element, cleaned (docs/protocol.md §4.1: unescaped, tags and Support ID)."""

    errorno: str
    description: str = ""
    description2: str = ""
    correction: str = ""

    @property
    def text(self) -> str:
        parts = [self.description, self.description2, self.correction]
        return " ".join(p for p in parts if p)

    def __str__(self) -> str:
        return f"{self.errorno}: {self.text}" if self.text else self.errorno


_TAG = re.compile(r"<[^>]{0,200}>")
_SUPPORT_ID = re.compile(r"\[Support ID: ([^\]]*)\]")


def clean_text(raw: str | None) -> str:
    """Unescape HTML entities, strip tags and URL-decode the Support ID (docs/protocol.md §4.1)."""
    text = html.unescape(raw or "")
    text = _TAG.sub("", text).strip()
    return _SUPPORT_ID.sub(lambda m: f"[Support ID: {urllib.parse.unquote(m.group(1))}]", text)


class IntacctError(Exception):
    """Base of every error raised by the Intacct client."""

    def __init__(
        self,
        message: str,
        *,
        errors: tuple[ErrorDetail, ...] = (),
        function: str | None = None,
        controlid: str | None = None,
        object: str | None = None,  # noqa: A002 - Intacct's own word
        http_status: int | None = None,
        level: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = tuple(errors)
        self.function = function
        self.controlid = controlid
        self.object = object
        self.http_status = http_status
        self.level = level  # where the gateway reported it: gateway/control/authentication/result

    @property
    def errornos(self) -> list[str]:
        return [e.errorno for e in self.errors]

    def __str__(self) -> str:
        context = [
            f"{k}={v}"
            for k, v in (
                ("function", self.function),
                ("object", self.object),
                ("controlid", self.controlid),
                ("http", self.http_status),
            )
            if v
        ]
        return self.message + (f" [{', '.join(context)}]" if context else "")


class RetryableError(IntacctError):
    """Transient: the same request may succeed later."""


class RateLimited(RetryableError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServiceUnavailable(RetryableError): ...


class TransportError(RetryableError): ...


class MalformedResponse(RetryableError): ...


class TemporarilyOffline(RetryableError): ...


class CompanyBusy(RetryableError):
    """200024: the company's allowance of requests in flight is used up (docs/protocol.md §17)."""


class FunctionInProcess(RetryableError):
    """A function whose controlid an earlier attempt carries is still running (§17)."""


class SessionExpired(IntacctError): ...


class ResultIdExpired(IntacctError): ...


class ReadMoreLostPage(ResultIdExpired):
    """A readMore ran after the client gave up on it: its page never reached the client and
    the cursor moved past it. Restarting the query (as for an expired resultId) recovers."""


class FatalError(IntacctError): ...


class ConfigurationError(FatalError):
    """The credentials or the company must change; no object can be read until they do."""


class SenderCredentialsError(ConfigurationError): ...


class UserCredentialsError(ConfigurationError): ...


class NotAuthorizedError(ConfigurationError): ...


class CompanyExpiredError(ConfigurationError): ...


class PermissionDenied(FatalError): ...


class AuditUnavailable(FatalError):
    """AUDITHISTORY could not be read; ``cause`` is the error behind it (docs/protocol.md §9, §17).

    The deletes of the window can still be found by a key sweep: callers fall back to it with a
    warning instead of failing the object.
    """

    def __init__(self, message: str, *, cause: IntacctError, **kw: object) -> None:
        kw.setdefault("errors", cause.errors)
        kw.setdefault("function", cause.function)
        kw.setdefault("controlid", cause.controlid)
        kw.setdefault("object", cause.object)
        kw.setdefault("http_status", cause.http_status)
        kw.setdefault("level", cause.level)
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.cause = cause


class AuditPermissionDenied(AuditUnavailable, PermissionDenied):
    """AUDITHISTORY is not readable by the web-services user (a ``PermissionDenied`` too)."""


class UnknownObject(FatalError): ...


class InvalidField(FatalError): ...


class UnqueryableFields(InvalidField):
    """``query`` refuses fields that ``lookup`` lists (XL03000006, docs/protocol.md §17)."""


class BadQuery(FatalError): ...


class RequestRejected(FatalError): ...


class FunctionFailed(FatalError): ...


class WriteRefused(FatalError): ...


class UnsafeResponse(FatalError): ...


class UnexpectedResponse(FatalError): ...


class InvalidValue(FatalError): ...


class ServerMayStillBeWorking(FatalError): ...


class PaginationLoop(FatalError): ...
