"""The response envelope: three status levels checked in order (docs/protocol.md §4.1).

``check_response`` is the only place a parsed body becomes an error (through
``classify.classify``): control status first (errors under ``response/errormessage``), then the
authentication status (errors under ``operation/errormessage``), then every ``<result>`` (errors
under ``result/errormessage``). Errors of all failed results are collected into one exception
(class by ``classify``'s first matching rule; function and controlid of the first failure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from intacct_sync.intacct.classify import classify
from intacct_sync.intacct.errors import (
    ErrorDetail,
    IntacctError,
    UnexpectedResponse,
    clean_text,
)


@dataclass(frozen=True)
class Authentication:
    status: str
    userid: str = ""
    companyid: str = ""
    locationid: str = ""
    sessiontimestamp: datetime | None = None
    sessiontimeout: datetime | None = None


@dataclass(frozen=True)
class Result:
    status: str
    function: str
    controlid: str
    data: etree._Element | None  # result/data (or legacy key/listtype siblings stay in element)
    element: etree._Element
    errors: tuple[ErrorDetail, ...] = ()


@dataclass(frozen=True)
class Response:
    control_status: str
    authentication: Authentication | None
    results: list[Result] = field(default_factory=list)
    nbytes: int = 0  # body size of the answer (set by the gateway)
    elapsed: float = 0.0  # seconds from the first attempt to this answer


def _text(parent: etree._Element | None, tag: str) -> str:
    if parent is None:
        return ""
    child = parent.find(tag)
    return (child.text or "").strip() if child is not None else ""


def parse_errors(errormessage: etree._Element | None) -> tuple[ErrorDetail, ...]:
    """Every ``<error>`` inside an ``<errormessage>``, cleaned (docs/protocol.md §4.1)."""
    if errormessage is None:
        return ()
    return tuple(
        ErrorDetail(
            errorno=clean_text(_text(err, "errorno")),
            description=clean_text(_text(err, "description")),
            description2=clean_text(_text(err, "description2")),
            correction=clean_text(_text(err, "correction")),
        )
        for err in errormessage.iter("error")
    )


def _timeout(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _authentication(operation: etree._Element) -> Authentication | None:
    auth = operation.find("authentication")
    if auth is None:
        return None
    return Authentication(
        status=_text(auth, "status"),
        userid=_text(auth, "userid"),
        companyid=_text(auth, "companyid"),
        locationid=_text(auth, "locationid"),
        sessiontimestamp=_timeout(_text(auth, "sessiontimestamp")),
        sessiontimeout=_timeout(_text(auth, "sessiontimeout")),
    )


def _result(element: etree._Element) -> Result:
    return Result(
        status=_text(element, "status"),
        function=_text(element, "function"),
        controlid=_text(element, "controlid"),
        data=element.find("data"),
        element=element,
        errors=parse_errors(element.find("errormessage")),
    )


def check_response(
    root: etree._Element,
    *,
    sent_session: bool,
    http_status: int | None = None,
    object: str | None = None,  # noqa: A002
) -> Response:
    """Check control, authentication and every result, in that order; raise on any failure.

    A missing ``<status>`` (seen only in hand-written fixtures with ``<control/>``) is not a
    failure by itself; any status other than ``success`` is.
    """
    if root.tag != "response":
        raise UnexpectedResponse(f"The Intacct response root is <{root.tag}>, not <response>.")
    control = root.find("control")
    control_status = _text(control, "status")
    if control_status not in ("", "success"):
        raise classify(
            "control",
            parse_errors(root.find("errormessage")),
            http_status=http_status,
            controlid=_text(control, "controlid") or None,
            object=object,
        )
    operation = root.find("operation")
    if operation is None:
        what = (
            "an asynchronous acknowledgement"
            if root.find("acknowledgement") is not None
            else ("no <operation>")
        )
        raise UnexpectedResponse(
            f"The Intacct response holds {what}; intacct-sync only sends synchronous requests "
            "without a policy id. Check the endpoint URL."
        )
    authentication = _authentication(operation)
    if authentication is not None and authentication.status not in ("", "success"):
        raise classify(
            "authentication",
            parse_errors(operation.find("errormessage")),
            sent_session=sent_session,
            http_status=http_status,
            object=object,
        )
    results = [_result(el) for el in operation.findall("result")]
    _raise_for_results(results, http_status=http_status, object=object)
    return Response(control_status, authentication, results)


def _raise_for_results(
    results: list[Result],
    *,
    http_status: int | None,
    object: str | None,  # noqa: A002
) -> None:
    failed = [r for r in results if r.status not in ("", "success")]
    if not failed:
        return
    first = failed[0]
    errors = tuple(e for r in failed for e in r.errors)
    error: IntacctError = classify(
        "result",
        errors,
        http_status=http_status,
        function=first.function or None,
        controlid=first.controlid or None,
        object=object,
    )
    if len(failed) > 1:
        error.message += f" ({len(failed)} functions failed)"
    raise error
