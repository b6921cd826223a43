"""Each fault kind fires on the request its trigger names, and is recorded (emu.faults.injected)."""

from __future__ import annotations

import time

import pytest
import requests
from lxml import etree

from intacct_sync.emulator import Fault

from .gw import data_call, envelope, fn, post, query, result, session


def _send(emu, sid, body=None):
    return post(
        emu.data_url, envelope(emu, body or query("VENDOR", ["RECORDNO", "NAME"]), session=sid)
    )


def test_spec_grammar():
    f = Fault.parse("result_error@function=query,page=3,errorno=DL02000001,object=apbill,times=2")
    assert (f.kind, f.function, f.page, f.errorno, f.object, f.times) == (
        "result_error",
        "query",
        3,
        "DL02000001",
        "APBILL",
        2,
    )
    assert Fault.parse("slow@page=2,seconds=3").seconds == 3.0
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault.parse("boom@call=1")
    with pytest.raises(ValueError, match="bad fault option"):
        Fault.parse("http_502@when=1")


@pytest.mark.parametrize(
    "kind,status,errorno",
    [
        ("http_400", 400, "GW-0011"),
        ("http_401", 401, "XMLGW_JPP0002"),
        ("http_429", 429, "GW-0010"),
    ],
)
def test_gateway_shaped_http_faults(emulator, kind, status, errorno):
    sid = session(emulator)
    emulator.faults.add(f"{kind}@call=1,retry_after=7")
    resp = _send(emulator, sid)
    assert resp.status_code == status
    assert etree.fromstring(resp.content).findtext("errormessage/error/errorno") == errorno
    assert resp.headers.get("Retry-After") == "7"
    assert _send(emulator, sid).status_code == 200
    assert emulator.faults.injected[0]["kind"] == kind


@pytest.mark.parametrize(
    "kind,status",
    [("http_500", 500), ("http_502", 502), ("http_503", 503), ("http_504", 504), ("http_524", 524)],
)
def test_server_error_faults_have_no_xml(emulator, kind, status):
    sid = session(emulator)
    emulator.faults.add(f"{kind}@call=2")
    assert _send(emulator, sid).status_code == 200
    resp = _send(emulator, sid)
    assert resp.status_code == status and "<response>" not in resp.text


def test_cloudflare_html(emulator):
    sid = session(emulator)
    emulator.faults.add("cloudflare_html")
    resp = _send(emulator, sid)
    assert resp.status_code == 502 and "cf-error-details" in resp.text


def test_connection_reset(emulator):
    sid = session(emulator)
    emulator.faults.add("connection_reset")
    with pytest.raises(requests.ConnectionError):
        _send(emulator, sid)
    assert _send(emulator, sid).status_code == 200


def test_read_timeout_and_slow_sleep_before_answering(emulator):
    sid = session(emulator)
    emulator.faults.add("read_timeout@seconds=1.5")
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            emulator.data_url,
            data=envelope(emulator, query("VENDOR", ["RECORDNO"]), session=sid),
            timeout=0.5,
        )
    emulator.faults.add("slow@seconds=0.6")
    started = time.perf_counter()
    assert _send(emulator, sid).status_code == 200
    assert time.perf_counter() - started >= 0.6


def test_session_expire(emulator):
    sid = session(emulator)
    emulator.faults.add("session_expire")
    root = etree.fromstring(_send(emulator, sid).content)
    assert root.findtext("operation/authentication/status") == "failure"


def test_resultid_expire(emulator):
    sid = session(emulator)
    rbq = fn(
        "<readByQuery><object>APBILL</object><fields>RECORDNO</fields><query/><pagesize>10</pagesize></readByQuery>"
    )
    rid = result(data_call(emulator, sid, rbq)).find("data").get("resultId")
    emulator.faults.add("resultid_expire")
    res = result(data_call(emulator, sid, fn(f"<readMore><resultId>{rid}</resultId></readMore>")))
    assert res.findtext("errormessage/error/errorno") == "readMore failed"


def test_control_chars_are_injected_raw_and_as_references(emulator):
    sid = session(emulator)
    emulator.faults.add("control_chars")
    body = _send(emulator, sid).content
    assert b"\x0b" in body and b"&#11;" in body and b"&#x1F;" in body
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body)


def test_malformed_xml_is_truncated(emulator):
    sid = session(emulator)
    emulator.faults.add("malformed_xml")
    resp = _send(emulator, sid)
    assert resp.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(resp.content)


def test_control_and_auth_error_faults(emulator):
    sid = session(emulator)
    emulator.faults.add("control_error@errorno=XL03000006")
    root = etree.fromstring(_send(emulator, sid).content)
    assert root.findtext("control/status") == "failure" and root.find("operation") is None
    emulator.faults.add("auth_error")
    root = etree.fromstring(_send(emulator, sid).content)
    assert root.findtext("operation/authentication/status") == "failure"


def test_offline_at_control_and_result_level(emulator):
    sid = session(emulator)
    emulator.faults.add("offline")
    root = etree.fromstring(_send(emulator, sid).content)
    assert root.findtext("errormessage/error/description2") == "The Service is Temporarily Off-line"
    emulator.faults.add("offline@level=result")
    res = result(etree.fromstring(_send(emulator, sid).content))
    assert res.findtext("status") == "failure"
    assert res.findtext("errormessage/error/correction") == "Please Try Again Later"


def test_result_error_on_the_nth_page_of_an_object(emulator):
    sid = session(emulator)
    emulator.faults.add("result_error@page=3,object=APBILL,times=2")
    statuses = []
    for offset in range(0, 500, 100):
        body = query("APBILL", ["RECORDNO"], "", f"<offset>{offset}</offset>")
        statuses.append(
            result(
                data_call(emulator, sid, body + query("VENDOR", ["RECORDNO"]).replace("f1", "f2"))
            ).findtext("status")
        )
    assert statuses == ["success", "success", "failure", "failure", "success"]
    assert [i["request"] for i in emulator.faults.injected] == [4, 5]  # request 1 was the login


def test_result_error_variants_and_function_call_trigger(emulator):
    sid = session(emulator)
    emulator.faults.add("result_error@function=lookup,call=2,variant=fatal")
    bodies = [fn("<lookup><object>VENDOR</object></lookup>")] * 3
    res = [result(data_call(emulator, sid, b)) for b in bodies]
    assert [r.findtext("status") for r in res] == ["success", "failure", "success"]
    assert res[1].findtext("errormessage/error/correction") == ""
    emulator.faults.add("result_error@function=query")
    r = result(data_call(emulator, sid, query("VENDOR", ["RECORDNO"])))
    assert r.findtext("errormessage/error/correction") == "Please Try Again Later"
