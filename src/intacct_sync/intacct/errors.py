"""Every way a call to Intacct can fail, grouped by what the caller should do.

::

    IntacctError                      base; carries errors (ErrorDetail), function, controlid,
    |                                 object, http_status
    +-- RetryableError                transient: the retry policy tries again
    |   +-- RateLimited               HTTP 429 / GW-0010 / "API rate limit exceeded" (retry_after)
    |   +-- ServiceUnavailable        HTTP 500/502/503/504, Cloudflare error pages
    |   +-- TransportError            connection reset, connect/read timeout
    |   +-- MalformedResponse         body is not parsable XML (PROTOCOL.md §11.1)
    |   +-- TemporarilyOffline        "Temporarily Off-line", "Please Try Again Later"
    +-- SessionExpired                log in again once and repeat (PROTOCOL.md §3.3)
    +-- ResultIdExpired               restart the readByQuery (PROTOCOL.md §5.1)
    +-- FatalError                    fail the object; a human must act
        +-- SenderCredentialsError    control-level XL03000006: sender id / password
        +-- UserCredentialsError      bad user / company / password (401 XMLGW_JPP0002)
        +-- NotAuthorizedError        sender not authorized for this company
        +-- CompanyExpiredError       PL04000055
        +-- PermissionDenied          the API user lacks a permission
        +-- UnknownObject             "Object definition X not found"
        +-- InvalidField              unknown or non-queryable field
        +-- BadQuery                  DL02000001, filter the server cannot run
        +-- RequestRejected           XL03000003, GW-0011, invalid policy: request is wrong
        +-- FunctionFailed            any other result-level failure
        +-- WriteRefused              a write function was asked for (never sent)
        +-- UnsafeResponse            DOCTYPE / entity bomb / XXE / body too large
        +-- UnexpectedResponse        valid XML of a shape we never asked for
        +-- InvalidValue              a value does not fit its declared type
        +-- ServerMayStillBeWorking   HTTP 524: Cloudflare gave up, the server may still run
        +-- PaginationLoop            a page did not move the keyset cursor forward

``classify`` is the single place where Intacct error elements become one of these classes.
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
    """One ``<error>`` element, cleaned (PROTOCOL.md §4.1: unescape, strip tags, Support ID)."""

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
    """Unescape HTML entities, strip tags and URL-decode the Support ID (PROTOCOL.md §4.1)."""
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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = tuple(errors)
        self.function = function
        self.controlid = controlid
        self.object = object
        self.http_status = http_status

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


class SessionExpired(IntacctError): ...


class ResultIdExpired(IntacctError): ...


class FatalError(IntacctError): ...


class SenderCredentialsError(FatalError): ...


class UserCredentialsError(FatalError): ...


class NotAuthorizedError(FatalError): ...


class CompanyExpiredError(FatalError): ...


class PermissionDenied(FatalError): ...


class UnknownObject(FatalError): ...


class InvalidField(FatalError): ...


class BadQuery(FatalError): ...


class RequestRejected(FatalError): ...


class FunctionFailed(FatalError): ...


class WriteRefused(FatalError): ...


class UnsafeResponse(FatalError): ...


class UnexpectedResponse(FatalError): ...


class InvalidValue(FatalError): ...


class ServerMayStillBeWorking(FatalError): ...


class PaginationLoop(FatalError): ...


# --- classification --------------------------------------------------------------------------
# Each rule: (level or None for any, predicate on (errornos, lowercase text), class, advice).
# Order matters: the first match wins. Texts and numbers from PROTOCOL.md §4.3-§4.4.

_Rule = tuple[
    "Level | None", "tuple[str, ...]", "tuple[str, ...]", "type[IntacctError]", str
]

_RULES: list[_Rule] = [
    (None, ("GW-0010",), ("api rate limit exceeded",), RateLimited,
     "Intacct is rate limiting this sender; the client backs off and retries."),
    (None, (), ("temporarily off-line", "try again later"), TemporarilyOffline,
     "Intacct is temporarily off-line; the client retries later."),
    ("control", ("PL04000055",), (), CompanyExpiredError,
     "The Intacct company has expired. Renew the subscription or point to another company."),
    ("control", (), ("transport policy",), RequestRejected,
     "The request named an unknown transport policy; intacct-sync sends none, report a bug."),
    ("control", ("XL03000006",), (), SenderCredentialsError,
     "Check the secret keys sender-id and sender-password (Web Services sender credentials)."),
    ("control", (), (), RequestRejected,
     "Intacct refused the request envelope; this is a client bug, report it with the errors."),
    ("authentication", (), ("not authorized",), NotAuthorizedError,
     "Add the sender id to the company's Web Services authorizations "
     "(Company > Setup > Company > Security)."),
    ("authentication", (), (), UserCredentialsError,
     "Check the secret keys user-id, user-password and company-id (and the entity id)."),
    ("result", ("readMore failed",), ("expired resultid",), ResultIdExpired,
     "The readByQuery result set expired; the reader restarts the query."),
    ("result", (), ("permission",), PermissionDenied,
     "Grant the Web Services user the permission named in the error."),
    ("result", (), ("object definition",), UnknownObject,
     "The object is not enabled in this company; remove it from the sync or enable the module."),
    ("result", (), ("cannot be queried", "invalid field"), InvalidField,
     "Remove the field from the select list or refresh the field list from lookup."),
    ("result", ("DL02000001",), (), BadQuery,
     "Intacct could not run the query; check the filter and the field names."),
    ("result", (), (), FunctionFailed, "The Intacct function failed; see the errors."),
]

_WHAT = {
    "control": "Intacct refused the request",
    "authentication": "Intacct refused the login",
    "result": "An Intacct function failed",
    "gateway": "The Intacct gateway refused the request",
}


def _rule_matches(rule: _Rule, level: Level, errornos: set[str], text: str) -> bool:
    rule_level, numbers, phrases, _cls, _advice = rule
    if rule_level is not None and rule_level != level:
        return False
    if not numbers and not phrases:
        return True
    return bool(errornos.intersection(numbers)) or any(p in text for p in phrases)


def _gateway_class(http_status: int, errornos: set[str]) -> tuple[type[IntacctError], str]:
    if http_status == 429 or "GW-0010" in errornos:
        return RateLimited, "Intacct is rate limiting this sender; the client backs off."
    if http_status == 524:
        return ServerMayStillBeWorking, (
            "Cloudflare cut the connection after 100 s but Intacct may still be working; "
            "narrow the window or page size, then run again."
        )
    if http_status >= 500:
        return ServiceUnavailable, "Intacct is unavailable; the client retries."
    if http_status == 401 or errornos & {"XMLGW_JPP0002", "UJPP0002"}:
        return UserCredentialsError, (
            "Check the secret keys user-id, user-password and company-id (and the entity id)."
        )
    return RequestRejected, (
        "Intacct rejected the request (often one or more authentication values are wrong); "
        "check the credentials and the endpoint URL."
    )


def classify(
    level: Level,
    errors: tuple[ErrorDetail, ...] | list[ErrorDetail],
    *,
    sent_session: bool = False,
    http_status: int | None = None,
    function: str | None = None,
    controlid: str | None = None,
    object: str | None = None,  # noqa: A002
) -> IntacctError:
    """Turn the errors reported at one level into one typed exception (the only such place).

    XL03000006 is overloaded (PROTOCOL.md §3.3, §4.4): at control level it is the sender
    credentials, at authentication level an invalid session only if a ``<sessionid>`` was sent
    (otherwise bad login), "not authorized" for the sender authorization.
    """
    errors = tuple(errors)
    errornos = {e.errorno for e in errors}
    text = " ".join(f"{e.errorno} {e.text}" for e in errors).lower()
    if level == "gateway":
        cls, advice = _gateway_class(http_status or 0, errornos)
    elif level == "authentication" and sent_session and "invalid session" in text:
        cls, advice = SessionExpired, "The Intacct session expired; the client logs in again."
    else:
        rule = next(r for r in _RULES if _rule_matches(r, level, errornos, text))
        cls, advice = rule[3], rule[4]
    detail = "; ".join(str(e) for e in errors) or "no error details"
    message = f"{_WHAT[level]} ({detail}). {advice}"
    return cls(
        message,
        errors=errors,
        function=function,
        controlid=controlid,
        object=object,
        http_status=http_status,
    )
