"""The gateway: one POSTed request in, one Reply out, with faults, latency and the in-flight limit.

Order of work: parse the XML, let the fault plan pick what fires on this request, sleep for
``slow``/``read_timeout`` faults (outside the in-flight slot so a client's retry is not also
refused), take an in-flight slot (HTTP 429 GW-0010 when more than ``max_in_flight`` requests
are open, §12), sleep ``latency`` seconds holding the slot, then check control,
authentication and run the functions.
"""

from __future__ import annotations

import re
import threading
import time

from lxml import etree

from . import envelope as env
from .company import Company
from .dispatch import authenticate, run_functions
from .errors import BAD_SENDER, NOT_AUTHORIZED, OFFLINE, PARSE, Err, support_id
from .faults import Event, Fault, FaultPlan
from .sessions import SessionStore
from .stats import Stats
from .xmlout import E

DATA_FUNCTIONS = ("query", "readByQuery", "readMore")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
RETRYABLE = Err(
    "BL01001973", "The request could not be processed at this time.", "", "Please Try Again Later"
)
FATAL = Err("BL01001973", "Could not read the requested records.", "", "")


class Gateway:
    def __init__(
        self,
        company: Company,
        sessions: SessionStore,
        faults: FaultPlan,
        stats: Stats,
        latency: float,
        max_in_flight: int,
    ) -> None:
        self.company, self.sessions, self.faults, self.stats = company, sessions, faults, stats
        self.latency, self.max_in_flight = latency, max_in_flight
        self.executed: set[str] = set()  # function controlids run under uniqueid=true (§2)
        self.data_url = ""
        self._counter = 0
        self._lock = threading.Lock()

    def handle(self, path: str, body: bytes) -> env.Reply:
        root = _parse(body)
        events = self._events(root) if root is not None else []
        with self._lock:
            self._counter += 1
            number = self._counter
        fired = self.faults.select(number, events)
        self.stats.record_functions(
            [e.function for e in events], [e.object for e in events if e.data_page and e.object]
        )
        for fault, _ in fired:
            if fault.kind in ("slow", "read_timeout"):
                time.sleep(
                    fault.seconds
                    if fault.seconds is not None
                    else (2.0 if fault.kind == "slow" else 10.0)
                )
        if self.stats.enter(self.max_in_flight) is None:
            return self._done(env.gateway_error(429))
        kinds = Fired(fired)
        try:
            if self.latency:
                time.sleep(self.latency)
            return self._done(self._answer(path, body, root, kinds))
        finally:
            self.stats.leave()
            self.faults.mark_decisive(number, kinds.decisive)

    def _done(self, reply: env.Reply) -> env.Reply:
        self.stats.record_status(reply.status if reply.body is not None else 0)
        return reply

    def _events(self, root) -> list[Event]:
        events = []
        for fn in root.iterfind("operation/content/function"):
            body = next((c for c in fn if isinstance(c.tag, str)), None)
            if body is None:
                continue
            obj = (body.findtext("object") or "").strip().upper() or None
            if body.tag == "readMore" and body.findtext("resultId"):
                cur = self.sessions.cursor(
                    body.findtext("resultId").strip(), self.company.settings.company_id
                )
                obj = cur.object if cur else None
            events.append(Event(body.tag, obj, body.tag in DATA_FUNCTIONS))
        return events

    def _answer(self, path: str, body: bytes, root, kinds: Fired) -> env.Reply:
        if "read_timeout" in kinds:  # the client gave up before any answer
            kinds.decide("read_timeout")
        if "session_expire" in kinds:
            self.sessions.expire_all()
        if "resultid_expire" in kinds:
            self.sessions.drop_cursors()
        early = _early_reply(kinds)
        if early is not None:
            return early
        if "malformed_xml" in kinds:  # whatever the answer, the client gets half of it
            kinds.decide("malformed_xml")
        reply = self._process(path, body, root, kinds)
        if reply.body is not None and "control_chars" in kinds:
            reply.body = _inject_control_chars(reply.body)
        if reply.body is not None and "malformed_xml" in kinds:
            reply.body = reply.body[: max(len(reply.body) // 2, 1)]
        return reply

    def _process(self, path: str, body: bytes, root, kinds: dict) -> env.Reply:
        if root is None or root.tag != "request" or root.find("control") is None:
            return env.control_failure(env.Control(), [_parse_error(body)])
        ctl = env.Control.parse(root.find("control"))
        settings = self.company.settings
        if "control_error" in kinds or (
            "offline" in kinds and kinds["offline"][0].level != "result"
        ):
            fault = (kinds.get("control_error") or kinds["offline"])[0]
            kinds.decide(fault.kind)
            base = BAD_SENDER if fault.kind == "control_error" else (OFFLINE[0], OFFLINE[1])
            corr = fault.correction or (OFFLINE[2] if fault.kind == "offline" else "")
            return env.control_failure(
                ctl, [Err(fault.errorno or base[0], fault.description2 or base[1], "", corr)]
            )
        if ctl.senderid != settings.sender_id or ctl.password != settings.sender_password:
            return env.control_failure(ctl, [Err(*BAD_SENDER)])
        if ctl.dtdversion != "3.0" or not ctl.controlid:
            return env.control_failure(
                ctl,
                [
                    Err(
                        PARSE,
                        "XML Parse schema error: Element 'control': "
                        "controlid and dtdversion 3.0 are required." + support_id(),
                    )
                ],
            )
        if ctl.policyid is not None:
            if ctl.policyid in settings.policies:
                return env.acknowledgement(ctl)
            return env.control_failure(
                ctl, [Err("XL03000006", f"{ctl.policyid} is not a valid transport policy.")]
            )
        op = root.find("operation")
        if op is None:
            return env.control_failure(
                ctl,
                [
                    Err(
                        PARSE,
                        "XML Parse schema error: Element 'request': "
                        "Missing child element operation.",
                    )
                ],
            )
        return self._operation(path, ctl, op, kinds)

    def _operation(self, path: str, ctl: env.Control, op, kinds: dict) -> env.Reply:
        authed = authenticate(self, ctl, op.find("authentication"), path)
        if isinstance(authed, env.Reply):
            if "session_expire" in kinds:
                kinds.decide("session_expire")
            return authed
        ctx, auth_block = authed
        if "auth_error" in kinds:
            fault = kinds["auth_error"][0]
            kinds.decide("auth_error")
            errno, desc, desc2, corr = NOT_AUTHORIZED
            return env.auth_failure(
                ctl,
                ctx.user_id,
                ctx.company.settings.company_id,
                [
                    Err(
                        fault.errorno or errno,
                        fault.description2
                        or desc2.format(
                            sender=ctl.senderid, company=ctx.company.settings.company_id
                        ),
                        "" if fault.description2 else desc,
                        fault.correction or ("" if fault.description2 else corr),
                    )
                ],
            )
        functions = op.findall("content/function")
        injected = _function_faults(kinds, len(functions))
        outcomes = run_functions(
            self, ctx, ctl, functions, op.get("transaction") == "true", injected
        )
        operation = E("operation", children=[auth_block, *[o.element() for o in outcomes]])
        return env.xml_reply(
            E("response", children=[ctl.element("success"), operation]), ctl.pretty
        )


def _parse(body: bytes):
    try:
        return etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _parse_error(body: bytes) -> Err:
    try:
        etree.fromstring(body, _PARSER)
        detail = "Element 'request' with a 'control' block expected."
    except (etree.XMLSyntaxError, ValueError) as exc:
        line, col = getattr(exc, "position", (0, 0)) or (0, 0)
        detail = f"Fatal Error 76: {getattr(exc, 'msg', str(exc))}. Line: {line}, column: {col}."
    return Err(PARSE, f"XML Parse schema error: {detail}" + support_id())


def _function_faults(kinds: Fired, count: int) -> dict[int, Err]:
    out = {}
    for kind in ("result_error", "offline"):
        if kind in kinds and count:
            fault, index = kinds[kind]
            if kind == "offline" and fault.level != "result":
                continue
            kinds.decide(kind)
            if kind == "offline":
                base = Err(OFFLINE[0], OFFLINE[1], "", OFFLINE[2])
            else:
                base = RETRYABLE if fault.variant != "fatal" else FATAL
            out[min(index or 0, count - 1)] = Err(
                fault.errorno or base.errorno,
                (fault.description2 or base.description2) + support_id(),
                base.description,
                fault.correction if fault.correction is not None else base.correction,
            )
    return out


class Fired(dict):
    """The faults firing on one request by kind, and the one that decided what the client got
    (several can fire on one request, e.g. a retry meeting the next fault's page)."""

    def __init__(self, fired: list[tuple[Fault, int | None]]) -> None:
        super().__init__((f.kind, (f, i)) for f, i in fired)
        self.decisive: str | None = None

    def decide(self, kind: str) -> None:
        if self.decisive is None:
            self.decisive = kind


def _early_reply(kinds: Fired) -> env.Reply | None:
    for kind, (fault, _) in kinds.items():
        if kind in ("connection_reset", "cloudflare_html") or kind.startswith("http_"):
            kinds.decide(kind)
        if kind == "connection_reset":
            return env.Reply(0, None)
        if kind == "cloudflare_html":
            return env.html_error(502, cloudflare=True)
        if kind.startswith("http_"):
            status = int(kind[5:])
            if status in (400, 401, 429):
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
                return env.gateway_error(status, fault.errorno, fault.description2, headers)
            return env.html_error(status)
    return None


_TEXT_IN_DATA = re.compile(rb"(<data[^>]*>.*?<([A-Za-z_][\w.]*)>)([^<]+)(</\2>)", re.S)


def _inject_control_chars(body: bytes) -> bytes:
    """Raw \\x0b plus &#11; and &#x1F; references in the first text value of the data (§11.2)."""
    junk = b"\x0b&#11;&#x1F;"
    new, n = _TEXT_IN_DATA.subn(
        lambda m: m.group(1) + m.group(3) + junk + m.group(4), body, count=1
    )
    if n:
        return new
    return re.sub(
        rb"(<controlid>[^<]*)(</controlid>)",
        lambda m: m.group(1) + junk + m.group(2),
        body,
        count=1,
    )
