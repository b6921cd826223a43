"""Response shells: control, authentication and gateway-level errors (docs/protocol.md §4, §14).

Control failures put <errormessage> under <response> and omit <operation>; authentication
failures put it under <operation> and omit <result>; gateway errors have a control block with
only <status> and errors with only errorno and description, sent with a non-200 status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from .errors import GATEWAY, Err, errormessage, request_id
from .xmlout import E, leaf, render


@dataclass
class Control:
    senderid: str = ""
    password: str = ""
    controlid: str = ""
    uniqueid: str | None = None
    dtdversion: str = ""
    policyid: str | None = None
    pretty: bool = True

    @classmethod
    def parse(cls, el) -> Control:
        if el is None:
            return cls()

        def text(tag: str) -> str | None:
            found = el.find(tag)
            return None if found is None else (found.text or "").strip()

        return cls(
            text("senderid") or "",
            text("password") or "",
            text("controlid") or "",
            text("uniqueid"),
            text("dtdversion") or "",
            text("policyid"),
            (text("includewhitespace") or "true").lower() != "false",
        )

    @property
    def unique(self) -> bool:
        """uniqueid defaults to true when omitted (docs/protocol.md §2)."""
        return (self.uniqueid or "true").lower() != "false"

    def element(self, status: str) -> E:
        return E(
            "control",
            children=[
                leaf("status", status),
                leaf("senderid", self.senderid),
                leaf("controlid", self.controlid),
                leaf("uniqueid", self.uniqueid if self.uniqueid is not None else "true"),
                leaf("dtdversion", self.dtdversion),
            ],
        )


@dataclass
class Reply:
    status: int
    body: bytes | None  # None: reset the connection without answering
    headers: dict[str, str] = field(default_factory=dict)


XML_TYPE = 'text/xml; encoding="UTF-8"'


def xml_reply(root: E, pretty: bool, status: int = 200) -> Reply:
    return Reply(status, render(root, pretty).encode("utf-8"), {"Content-Type": XML_TYPE})


def control_failure(ctl: Control, errors: list[Err]) -> Reply:
    root = E("response", children=[ctl.element("failure"), errormessage(errors)])
    return xml_reply(root, ctl.pretty)


def bare_control_failure(errors: list[Err], pretty: bool) -> Reply:
    """PL04000055 as in the sample: empty senderid/controlid, no uniqueid/dtdversion."""
    ctl = E(
        "control", children=[leaf("status", "failure"), leaf("senderid", ""), leaf("controlid", "")]
    )
    return xml_reply(E("response", children=[ctl, errormessage(errors)]), pretty)


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def auth_success(user: str, company: str, location: str, now: datetime, expires: datetime) -> E:
    return E(
        "authentication",
        children=[
            leaf("status", "success"),
            leaf("userid", user),
            leaf("companyid", company),
            leaf("locationid", location),
            leaf("sessiontimestamp", iso(now)),
            leaf("sessiontimeout", iso(expires)),
        ],
    )


def auth_failure(ctl: Control, user: str, company: str, errors: list[Err]) -> Reply:
    auth = E(
        "authentication",
        children=[leaf("status", "failure"), leaf("userid", user), leaf("companyid", company)],
    )
    op = E("operation", children=[auth, errormessage(errors)])
    return xml_reply(E("response", children=[ctl.element("success"), op]), ctl.pretty)


def acknowledgement(ctl: Control) -> Reply:
    ack = E("acknowledgement", children=[leaf("status", "success")])
    return xml_reply(E("response", children=[ack, ctl.element("success")]), ctl.pretty)


def gateway_error(
    status: int,
    errorno: str | None = None,
    description: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    default_no, default_text = GATEWAY.get(status, GATEWAY[400])
    err = E(
        "error",
        children=[
            leaf("errorno", errorno or default_no),
            leaf("description", description or default_text.format(rid=request_id())),
        ],
    )
    root = E(
        "response",
        children=[
            E("control", children=[leaf("status", "failure")]),
            E("errormessage", children=[err]),
        ],
    )
    reply = xml_reply(root, True, status)
    reply.headers.update(headers or {})
    return reply


REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    524: "A Timeout Occurred",
}


def html_error(status: int, cloudflare: bool = False) -> Reply:
    reason = REASONS.get(status, "Error")
    if cloudflare:
        body = (
            f"<!DOCTYPE html><html><head><title>api.intacct.com | {status}: {reason}</title></head>"
            '<body><div id="cf-wrapper">'
            '<div id="cf-error-details" class="cf-error-details-wrapper">'
            f"<h1>{reason}</h1><span>Error code {status}</span>"
            f"<p>Cloudflare Ray ID: {request_id()}</p></div></div></body></html>"
        )
    else:
        title = f"<title>{status} {reason}</title>"
        body = f"<html><head>{title}</head><body><h1>{reason}</h1></body></html>"
    return Reply(status, body.encode(), {"Content-Type": "text/html; charset=UTF-8"})
