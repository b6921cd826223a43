"""Authentication and function execution for one parsed request (docs/protocol.md §2-§5).

Only read functions run; anything else (create, update, delete, create_*, ...) is refused with a
result failure and still counted in the stats, so the suite can prove no write ever arrived.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import envelope as env
from .context import Ctx
from .errors import (
    DUPLICATE_CONTROLID,
    INVALID_SESSION,
    NOT_AUTHORIZED,
    ROLLED_BACK,
    SIGN_IN,
    Err,
    FunctionFailure,
    errormessage,
    generic,
)
from .functions_data import read, read_by_query, read_more
from .functions_meta import get_api_session, get_dimensions, inspect, lookup
from .functions_query import run_query
from .xmlout import E, leaf

HANDLERS = {
    "query": run_query,
    "readByQuery": read_by_query,
    "readMore": read_more,
    "read": read,
    "readByName": lambda ctx, el: read(ctx, el, by_name=True),
    "lookup": lookup,
    "inspect": inspect,
    "getDimensions": get_dimensions,
    "getAPISession": get_api_session,
}


@dataclass
class Outcome:
    status: str  # success | failure | aborted
    function: str
    controlid: str
    data: E | None = None
    errors: list[Err] | None = None
    ran: bool = False  # its handler ran (billing.py counts it), whatever it answered

    def element(self) -> E:
        res = E(
            "result",
            children=[
                leaf("status", self.status),
                leaf("function", self.function),
                leaf("controlid", self.controlid),
            ],
        )
        if self.data is not None and self.status == "success":
            res.add(self.data)
        if self.errors:
            res.add(errormessage(self.errors))
        return res


def authenticate(gw, ctl: env.Control, auth_el, path: str) -> tuple[Ctx, E] | env.Reply:
    company = gw.company
    settings = company.settings
    if auth_el is None:
        return env.control_failure(
            ctl,
            [
                Err(
                    "XL03000003",
                    "XML Parse schema error: Element "
                    "'operation': Missing child element authentication.",
                )
            ],
        )
    login = auth_el.find("login")
    now = company.clock.now()
    if login is not None:
        user_id = (login.findtext("userid") or "").strip()
        company_id = (login.findtext("companyid") or "").strip().split("|")[0]
        user = settings.users.get(user_id)
        if (
            company_id != settings.company_id
            or user is None
            or (login.findtext("password") or "") != user.password
        ):
            return env.gateway_error(401)  # bad login answers HTTP 401 XMLGW_JPP0002 (§4.3)
        if settings.demo_expired:
            return env.bare_control_failure(
                [Err("PL04000055", "This company is a demo company and has expired.")], ctl.pretty
            )
        if ctl.senderid in settings.unauthorized_senders:
            return _not_authorized(ctl, user_id, company_id)
        location = (login.findtext("locationid") or "").strip() or (user.entity or "")
        if location and (
            location not in company.entities or (user.entity and location != user.entity)
        ):
            return env.auth_failure(ctl, user_id, company_id, [Err(*SIGN_IN)])
        gw.stats.record_login()
        session = gw.sessions.create(user_id, company_id, location, path)
        sid = ""
    else:
        session = gw.sessions.touch((auth_el.findtext("sessionid") or "").strip(), path)
        if session is None:
            return env.auth_failure(ctl, "", "", [Err(*INVALID_SESSION)])
        gw.stats.record_session(path)
        if settings.demo_expired:
            return env.bare_control_failure(
                [Err("PL04000055", "This company is a demo company and has expired.")], ctl.pretty
            )
        if ctl.senderid in settings.unauthorized_senders:
            return _not_authorized(ctl, session.user_id, session.company_id)
        sid = session.id
    ctx = Ctx(company, gw.sessions, session.user_id, session.location_id, sid, gw.data_url, path)
    block = env.auth_success(
        session.user_id, session.company_id, session.location_id, now, session.expires
    )
    return ctx, block


def _not_authorized(ctl: env.Control, user: str, company: str) -> env.Reply:
    errno, desc, desc2, corr = NOT_AUTHORIZED
    return env.auth_failure(
        ctl,
        user,
        company,
        [Err(errno, desc2.format(sender=ctl.senderid, company=company), desc, corr)],
    )


def run_functions(
    gw, ctx: Ctx, ctl: env.Control, functions: list, transaction: bool, injected: dict[int, Err]
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for i, fn in enumerate(functions):
        body = next((c for c in fn if isinstance(c.tag, str)), None)
        name = body.tag if body is not None else ""
        cid = fn.get("controlid", "")
        if transaction and any(o.status == "failure" for o in outcomes):
            outcomes.append(Outcome("aborted", name, cid, errors=[Err(*ROLLED_BACK)]))
            continue
        outcomes.append(_run_one(gw, ctx, ctl, name, cid, body, len(functions), injected.get(i)))
    if transaction and any(o.status == "failure" for o in outcomes):
        for o in outcomes:
            if o.status == "success":
                o.status, o.errors = "aborted", [Err(*ROLLED_BACK)]
            elif o.status == "failure":
                o.errors = [*(o.errors or []), Err(*ROLLED_BACK)]
    for o in outcomes:
        if o.status == "success" and ctl.unique:
            gw.executed.add(o.controlid)
    return outcomes


def _run_one(
    gw, ctx: Ctx, ctl: env.Control, name: str, cid: str, body, count: int, injected: Err | None
) -> Outcome:
    ran = False
    try:
        if injected is not None:
            raise FunctionFailure(injected)
        if ctl.unique and cid in gw.executed:
            raise FunctionFailure(
                Err(DUPLICATE_CONTROLID[0], DUPLICATE_CONTROLID[1].format(cid=cid))
            )
        handler = HANDLERS.get(name)
        if handler is None:
            obj = (body.findtext(".//object") or "" if body is not None else "").strip()
            target = f" on objects of type {obj.lower()}" if obj else ""
            raise generic(
                f"You do not have permission for API operation {name.upper()}{target}: "
                f"this gateway is read-only"
            )
        if name == "getAPISession" and count > 1:
            raise generic("getAPISession must be the only function in its request.")
        ran = True
        return Outcome("success", name, cid, data=handler(ctx, body), ran=True)
    except FunctionFailure as exc:
        return Outcome("failure", name, cid, errors=exc.errors, ran=ran)
