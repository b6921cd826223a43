"""Raw-HTTP helpers for the emulator tests: build request XML, POST it, parse the answer."""

from __future__ import annotations

from xml.sax.saxutils import escape

import requests
from lxml import etree

from intacct_sync.emulator import Emulator


def envelope(
    emu: Emulator,
    functions: str,
    session: str | None = None,
    uniqueid: str | None = "false",
    whitespace: str | None = None,
    transaction: str | None = None,
    control_extra: str = "",
    login_extra: str = "",
    sender_password: str | None = None,
) -> str:
    c = emu.credentials
    pw = c["sender_password"] if sender_password is None else sender_password
    if session is not None:
        auth = f"<sessionid>{escape(session)}</sessionid>"
    else:
        auth = (
            f"<login><userid>{c['user_id']}</userid><companyid>{c['company_id']}</companyid>"
            f"<password>{escape(c['user_password'])}</password>{login_extra}</login>"
        )
    uid = f"<uniqueid>{uniqueid}</uniqueid>" if uniqueid is not None else ""
    ws = f"<includewhitespace>{whitespace}</includewhitespace>" if whitespace is not None else ""
    tx = f' transaction="{transaction}"' if transaction else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>{c["sender_id"]}'
        f"</senderid><password>{escape(pw)}</password><controlid>ctl-1</controlid>{uid}"
        f"<dtdversion>3.0</dtdversion>{control_extra}{ws}</control><operation{tx}>"
        f"<authentication>{auth}</authentication><content>{functions}</content></operation></request>"
    )


def fn(body: str, cid: str = "f1") -> str:
    return f'<function controlid="{cid}">{body}</function>'


def post(url: str, xml: str | bytes, timeout: float = 30) -> requests.Response:
    data = xml.encode() if isinstance(xml, str) else xml
    return requests.post(
        url, data=data, headers={"Content-Type": "application/xml"}, timeout=timeout
    )


def call(emu: Emulator, functions: str, url: str | None = None, **kw) -> etree._Element:
    resp = post(url or emu.url, envelope(emu, functions, **kw))
    assert resp.status_code == 200, resp.text
    return etree.fromstring(resp.content)


def session(emu: Emulator, location: str | None = None) -> str:
    """Log in and return a session id for the data endpoint."""
    extra = "" if location is None else f"<locationid>{location}</locationid>"
    root = call(emu, fn(f"<getAPISession>{extra}</getAPISession>"))
    assert root.findtext("operation/result/status") == "success", etree.tostring(root)
    assert root.findtext("operation/result/data/api/endpoint") == emu.data_url
    return root.findtext("operation/result/data/api/sessionid")


def data_call(emu: Emulator, sid: str, functions: str, **kw) -> etree._Element:
    return call(emu, functions, url=emu.data_url, session=sid, **kw)


def query(obj: str, fields: list[str], filt: str = "", extra: str = "") -> str:
    sel = "".join(f"<field>{f}</field>" for f in fields)
    flt = f"<filter>{filt}</filter>" if filt else ""
    return fn(f"<query><object>{obj}</object><select>{sel}</select>{flt}{extra}</query>")


def rows(root: etree._Element, index: int = 0) -> list[dict[str, str]]:
    data = root.findall("operation/result")[index].find("data")
    return [{c.tag: (c.text or "") for c in rec} for rec in data]


def result(root: etree._Element, index: int = 0) -> etree._Element:
    return root.findall("operation/result")[index]
