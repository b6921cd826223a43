"""The gateway: one POSTed request in, one Reply out, with faults, latency and the allowance.

Order of work: parse the XML, let the fault plan pick what fires on this request, register its
function controlids as in process (inprocess.py), sleep for ``slow``/``read_timeout`` faults
(outside the allowance, so a client's retry is not also held), take a slot of the company's
allowance -- held up to ``quirks.hold_seconds`` when other requests (the client's or other
integrations', allowance.py) fill it, then refused with 200024 (or, with the ``company_busy``
quirk off, at once with HTTP 429 GW-0010; §12, §17) -- check control, authentication and
run the functions, holding the slot until ``latency`` seconds have passed since they began (a
request takes the latency, or its own work when that is longer, as Intacct's answers do).
After they ran: bill the transactions (billing.py), answer 524 for a heavy query page
(heavy.py), shape values (shapes.py).
"""

from __future__ import annotations

import threading
import time

from lxml import etree

from . import envelope as env
from .allowance import Allowance, busy_refusal
from .billing import transactions
from .company import Company
from .dispatch import authenticate, run_functions
from .errors import BAD_SENDER, NOT_AUTHORIZED, OFFLINE, PARSE, Err, support_id
from .faults import Event, FaultPlan
from .fired import Fired, early_reply, function_faults, inject_control_chars
from .heavy import heavy_page
from .inprocess import InProcess, function_controlids
from .sessions import SessionStore
from .shapes import plant_lossy, shape
from .stats import Stats
from .xmlout import E

DATA_FUNCTIONS = ("query", "readByQuery", "readMore")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class Gateway:
    def __init__(
        self,
        company: Company,
        sessions: SessionStore,
        faults: FaultPlan,
        stats: Stats,
        latency: float,
        max_in_flight: int,
        company_load: int = 0,
    ) -> None:
        self.company, self.sessions, self.faults, self.stats = company, sessions, faults, stats
        self.latency = latency
        self.allowance = Allowance(max_in_flight, company_load)
        self.in_process = InProcess()
        self.executed: set[str] = set()  # function controlids run under uniqueid=true (§2)
        self.data_url = ""
        self._counter = 0
        self._lock = threading.Lock()

    @property
    def max_in_flight(self) -> int:
        """The company's allowance of requests in flight, shared with other integrations."""
        return self.allowance.limit

    @max_in_flight.setter
    def max_in_flight(self, limit: int) -> None:
        self.allowance.set_limit(limit)

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
        kinds = Fired(fired)
        registered: list[str] = []
        if self.company.settings.quirks.in_process:
            registered, kinds.refused = self.in_process.enter(function_controlids(root))
        try:
            return self._admit(path, body, root, number, kinds)
        finally:
            self.in_process.leave(registered)

    def _admit(self, path: str, body: bytes, root, number: int, kinds: Fired) -> env.Reply:
        for fault, _ in kinds.all:
            if fault.kind in ("slow", "read_timeout"):
                time.sleep(
                    fault.seconds
                    if fault.seconds is not None
                    else (2.0 if fault.kind == "slow" else 10.0)
                )
        quirks = self.company.settings.quirks
        if "busy_company" in kinds:  # other integrations take slots as this request arrives
            fault = kinds["busy_company"][0]
            seconds = fault.seconds if fault.seconds is not None else quirks.hold_seconds + 1.0
            self.allowance.occupy(fault.slots or self.allowance.limit, seconds)
        self.stats.arrive()
        try:
            got, waited = self.allowance.acquire(quirks.hold_seconds if quirks.company_busy else 0)
            self.stats.admitted(waited, got, quirks.company_busy)
            if not got:
                if "busy_company" in kinds:
                    kinds.decide("busy_company")
                self.faults.mark_decisive(number, kinds.decisive)
                return self._done(
                    busy_refusal(root) if quirks.company_busy else env.gateway_error(429)
                )
            try:
                # Intacct answers a page in about a second, its own work included: the latency
                # is the request's time in the slot, building the answer counted in it.
                began = time.monotonic()
                reply = self._answer(path, body, root, kinds)
                if self.latency:
                    time.sleep(max(0.0, self.latency - (time.monotonic() - began)))
                return self._done(reply)
            finally:
                self.allowance.release()
                self.faults.mark_decisive(number, kinds.decisive)
        finally:
            self.stats.leave()

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
            events.append(Event(body.tag, obj, body.tag in DATA_FUNCTIONS, fn.get("controlid")))
        return events

    def _answer(self, path: str, body: bytes, root, kinds: Fired) -> env.Reply:
        if "read_timeout" in kinds:  # the client gave up before any answer
            kinds.decide("read_timeout")
        if "session_expire" in kinds:
            self.sessions.expire_all()
        if "resultid_expire" in kinds:
            self.sessions.drop_cursors()
        early = early_reply(kinds)
        if early is not None:
            return early
        if "malformed_xml" in kinds:  # whatever the answer, the client gets half of it
            kinds.decide("malformed_xml")
        reply = self._process(path, body, root, kinds)
        if kinds.voided:  # a heavy page's 524: nothing of the XML reached the client
            return reply
        if reply.body is not None and "control_chars" in kinds:
            reply.body = inject_control_chars(reply.body)
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
        injected = {**function_faults(kinds, functions), **kinds.refused}
        outcomes = run_functions(
            self, ctx, ctl, functions, op.get("transaction") == "true", injected
        )
        self.stats.record_transactions(transactions(functions, outcomes, self._cursor_object))
        quirks = ctx.company.settings.quirks
        if heavy_page(quirks, outcomes) is not None:  # §17: the CDN gives up first
            if quirks.heavy_seconds:
                time.sleep(quirks.heavy_seconds)
            kinds.void()
            return env.html_error(524, cloudflare=True)
        self._reshape(ctx.company, outcomes, kinds)
        operation = E("operation", children=[auth_block, *[o.element() for o in outcomes]])
        return env.xml_reply(
            E("response", children=[ctl.element("success"), operation]), ctl.pretty
        )

    def _cursor_object(self, result_id: str) -> str | None:
        cur = self.sessions.cursor(result_id, self.company.settings.company_id)
        return cur.object if cur else None

    @staticmethod
    def _reshape(company: Company, outcomes: list, kinds: Fired) -> None:
        """Off-type but lossless values (on by default), then a planted lossy one (fault)."""
        if company.settings.quirks.value_shapes:
            for outcome in outcomes:
                shape(company.objects, company.seed, outcome.data)
        if "lossy_value" in kinds:
            fault, index = kinds["lossy_value"]
            outcome = outcomes[min(index or 0, len(outcomes) - 1)] if outcomes else None
            variant = fault.variant if fault.variant in ("integer", "timestamp") else None
            if outcome is not None and outcome.status == "success":
                if plant_lossy(company.objects, outcome.data, variant):
                    kinds.decide("lossy_value")


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
