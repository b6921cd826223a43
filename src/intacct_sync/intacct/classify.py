"""``classify``: the single place where Intacct error elements become a typed exception.

The rules below are data, checked in order (first match wins); numbers and texts come from
docs/protocol.md §4.3-§4.4. Each carries the advice the message gives the operator.
"""

from __future__ import annotations

from intacct_sync.intacct.errors import (
    BadQuery,
    CompanyBusy,
    CompanyExpiredError,
    ErrorDetail,
    FunctionFailed,
    FunctionInProcess,
    IntacctError,
    InvalidField,
    Level,
    NotAuthorizedError,
    PermissionDenied,
    RateLimited,
    RequestRejected,
    ResultIdExpired,
    SenderCredentialsError,
    ServerMayStillBeWorking,
    ServiceUnavailable,
    SessionExpired,
    TemporarilyOffline,
    UnknownObject,
    UnqueryableFields,
    UserCredentialsError,
)

# --- classification --------------------------------------------------------------------------
# Each rule: (level or None for any, predicate on (errornos, lowercase text), class, advice).
# Order matters: the first match wins. Texts and numbers from docs/protocol.md §4.3-§4.4.

_Rule = tuple["Level | None", "tuple[str, ...]", "tuple[str, ...]", "type[IntacctError]", str]

_RULES: list[_Rule] = [
    (
        None,
        ("GW-0010",),
        ("api rate limit exceeded",),
        RateLimited,
        "Intacct is rate limiting this sender; the client backs off and retries.",
    ),
    (
        None,
        (),
        ("temporarily off-line", "try again later"),
        TemporarilyOffline,
        "Intacct is temporarily off-line; the client retries later.",
    ),
    (
        None,
        ("200024",),
        ("too many operations running",),
        CompanyBusy,
        "Other requests of this company (its other integrations included) use up its allowance; "
        "the client backs off, drops to 1 request in flight and retries (docs/protocol.md §17).",
    ),
    (
        "result",
        ("XL03000011",),
        ("is in process",),
        FunctionInProcess,
        "An earlier attempt of this request is still running; the client waits and sends the "
        "same request again (docs/protocol.md §17).",
    ),
    (
        "control",
        ("PL04000055",),
        (),
        CompanyExpiredError,
        "The Intacct company has expired. Renew the subscription or point to another company.",
    ),
    (
        "control",
        (),
        ("transport policy",),
        RequestRejected,
        "The request named an unknown transport policy; intacct-sync sends none, report a bug.",
    ),
    (
        "control",
        ("XL03000006",),
        (),
        SenderCredentialsError,
        "Check the secret keys sender-id and sender-password (Web Services sender credentials).",
    ),
    (
        "control",
        (),
        (),
        RequestRejected,
        "Intacct refused the request envelope; this is a client bug, report it with the errors.",
    ),
    (
        "authentication",
        (),
        ("not authorized",),
        NotAuthorizedError,
        "Add the sender id to the company's Web Services authorizations "
        "(Company > Setup > Company > Security).",
    ),
    (
        "authentication",
        (),
        (),
        UserCredentialsError,
        "Check the secret keys user-id, user-password and company-id (and the entity id).",
    ),
    (
        "result",
        ("readMore failed",),
        ("expired resultid",),
        ResultIdExpired,
        "The readByQuery result set expired; the reader restarts the query.",
    ),
    (
        "result",
        (),
        ("permission",),
        PermissionDenied,
        "Grant the Web Services user the permission named in the error.",
    ),
    (
        "result",
        (),
        ("object definition",),
        UnknownObject,
        "The object is not enabled in this company; remove it from the sync or enable the module.",
    ),
    (
        "result",
        (),
        ("cannot be queried",),
        UnqueryableFields,
        "query refuses these fields although lookup lists them; the reader leaves them out "
        "(list them under skip_fields to skip the refusal).",
    ),
    (
        "result",
        (),
        ("cannot be queried", "invalid field"),
        InvalidField,
        "Remove the field from the select list or refresh the field list from lookup.",
    ),
    (
        "result",
        ("DL02000001",),
        ("invalid query",),
        BadQuery,
        "Intacct could not run the query; check the filter and the field names.",
    ),
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

    XL03000006 is overloaded (docs/protocol.md §3.3, §4.4): at control level it is the sender
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
        level=level,
    )
