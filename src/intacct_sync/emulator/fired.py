"""What the faults firing on one request do to its answer (faults.py decides which fire).

``Fired`` holds them by kind and records the one that decided what the client got (the
reliability harness reads it: ``FaultPlan.mark_decisive``). Request-level kinds answer before
the XML (``early_reply``), function-level ones become result failures (``function_faults``);
``control_chars`` damages an answer after the fact.
"""

from __future__ import annotations

import re

from . import envelope as env
from .errors import BAD_QUERY, OFFLINE, Err, support_id
from .faults import Fault
from .inprocess import in_process_error

RETRYABLE = Err(
    "BL01001973", "The request could not be processed at this time.", "", "Please Try Again Later"
)
FATAL = Err("BL01001973", "Could not read the requested records.", "", "")


def function_faults(kinds: Fired, functions: list) -> dict[int, Err]:
    """Result failures planted by faults, by function index (not where one is refused anyway
    as in process: that refusal is what the client gets)."""
    out: dict[int, Err] = {}
    count = len(functions)
    for kind in ("result_error", "offline", "audit_error", "in_process"):
        if kind not in kinds or not count:
            continue
        fault, index = kinds[kind]
        if kind == "offline" and fault.level != "result":
            continue
        at = min(index or 0, count - 1)
        if at in kinds.refused or at in out:
            continue
        kinds.decide(kind)
        if kind == "in_process":
            out[at] = in_process_error(functions[at].get("controlid", ""))
            continue
        if kind == "offline":
            base = Err(OFFLINE[0], OFFLINE[1], "", OFFLINE[2])
        elif kind == "audit_error":  # §4.4/§9: exactly the rbq parse-failure answer
            base = Err(BAD_QUERY[0], BAD_QUERY[2], BAD_QUERY[1])
        else:
            base = RETRYABLE if fault.variant != "fatal" else FATAL
        suffix = "" if kind == "audit_error" and not fault.description2 else support_id()
        out[at] = Err(
            fault.errorno or base.errorno,
            (fault.description2 or base.description2) + suffix,
            base.description,
            fault.correction if fault.correction is not None else base.correction,
        )
    return out


class Fired(dict):
    """The faults firing on one request by kind, and the one that decided what the client got
    (several can fire on one request, e.g. a retry meeting the next fault's page)."""

    def __init__(self, fired: list[tuple[Fault, int | None]]) -> None:
        super().__init__((f.kind, (f, i)) for f, i in fired)
        self.all = list(fired)  # every fault firing, two of one kind included
        self.decisive: str | None = None
        self.refused: dict[int, Err] = {}  # functions refused as in process, by index
        self.voided = False  # the answer became a heavy page's 524: no fault decided it

    def decide(self, kind: str) -> None:
        if self.decisive is None and not self.voided:
            self.decisive = kind

    def void(self) -> None:
        """The XML answer was replaced (heavy 524): faults that shaped it decided nothing,
        except a read timeout (the client had given up before any answer)."""
        if self.decisive != "read_timeout":
            self.decisive = None
        self.voided = True


def early_reply(kinds: Fired) -> env.Reply | None:
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


def inject_control_chars(body: bytes) -> bytes:
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
