"""Every error level, gateway errors with their HTTP status, writes refused, uniqueid, transaction,
concurrency (docs/protocol.md §2, §4, §12, §14)."""

from __future__ import annotations

import threading

from lxml import etree

from .gw import call, data_call, envelope, fn, post, query, result, session


def _xml(resp):
    return etree.fromstring(resp.content)


def test_bad_sender_password_is_a_control_failure_without_operation(emulator_module):
    xml = envelope(emulator_module, fn("<getAPISession/>"), sender_password="x")  # noqa: S106
    resp = post(emulator_module.url, xml)
    root = _xml(resp)
    assert resp.status_code == 200 and root.findtext("control/status") == "failure"
    assert root.findtext("errormessage/error/errorno") == "XL03000006"
    assert (
        root.findtext("errormessage/error/description2")
        == "Incorrect Intacct XML Partner ID or password."
    )
    assert root.find("operation") is None and root.findtext("control/senderid") == "emu_sender"


def test_malformed_request_xml_is_xl03000003(emulator_module):
    resp = post(emulator_module.url, "<request><control><senderid>x</senderid></control>")
    root = _xml(resp)
    assert resp.status_code == 200 and root.findtext("control/status") == "failure"
    assert root.findtext("errormessage/error/errorno") == "XL03000003"
    assert root.findtext("errormessage/error/description2").startswith("XML Parse schema error")


def test_policyid_acknowledged_or_refused(emulator_module):
    ok = _xml(
        post(
            emulator_module.url,
            envelope(
                emulator_module,
                fn("<getAPISession/>"),
                control_extra="<policyid>emu_policy</policyid>",
            ),
        )
    )
    assert ok.findtext("acknowledgement/status") == "success"
    bad = _xml(
        post(
            emulator_module.url,
            envelope(
                emulator_module, fn("<getAPISession/>"), control_extra="<policyid>test</policyid>"
            ),
        )
    )
    assert (
        bad.findtext("errormessage/error/description2") == "test is not a valid transport policy."
    )


def test_bad_login_is_http_401_gateway_shape(emulator):
    good = emulator.credentials["user_password"]
    xml = envelope(emulator, fn("<getAPISession/>")).replace(f"<password>{good}<", "<password>bad<")
    resp = post(emulator.url, xml)
    assert resp.status_code == 401
    root = _xml(resp)
    assert [c.tag for c in root.find("control")] == ["status"]
    err = root.find("errormessage/error")
    assert [c.tag for c in err] == ["errorno", "description"]
    assert err.findtext("errorno") == "XMLGW_JPP0002"


def test_demo_expired_company_is_pl04000055(emulator):
    emulator.company.settings.demo_expired = True
    root = _xml(post(emulator.url, envelope(emulator, fn("<getAPISession/>"))))
    assert root.findtext("control/status") == "failure"
    assert root.findtext("errormessage/error/errorno") == "PL04000055"


def test_unauthorized_sender_is_an_authentication_failure(emulator):
    emulator.company.settings.unauthorized_senders.add("emu_sender")
    root = call(emulator, fn("<getAPISession/>"))
    assert root.findtext("operation/authentication/status") == "failure"
    err = root.find("operation/errormessage/error")
    assert err.findtext("description") == "Invalid Web Services Authorization"
    assert err.findtext("description2") == (
        "The sender ID 'emu_sender' is not authorized to make Web "
        "Services requests to company ID 'EMUCO'."
    )
    assert err.findtext("correction").startswith("Contact the company administrator")
    assert root.find("operation/result") is None


def test_expired_session_is_auth_failure_with_empty_ids(emulator):
    from datetime import timedelta

    sid = session(emulator)
    emulator.clock.advance(timedelta(hours=2, seconds=1))
    root = data_call(emulator, sid, query("VENDOR", ["RECORDNO"]))
    auth = root.find("operation/authentication")
    assert auth.findtext("status") == "failure"
    assert auth.findtext("userid") == "" and auth.findtext("companyid") == ""
    assert root.findtext("operation/errormessage/error/errorno") == "XL03000006"
    assert root.find("operation/result") is None


def test_write_functions_are_refused_and_recorded(emulator):
    sid = session(emulator)
    root = data_call(
        emulator,
        sid,
        fn("<create><VENDOR><VENDORID>X</VENDORID></VENDOR></create>")
        + fn("<delete><object>APBILL</object><keys>1001</keys></delete>", "f2"),
    )
    for i in (0, 1):
        assert result(root, i).findtext("status") == "failure"
        assert "permission" in result(root, i).findtext("errormessage/error/description2")
    assert {"create", "delete"} <= set(emulator.stats.function_names)
    assert emulator.company.count("APBILL") == 300


def test_forbidden_object_gives_permission_error(emulator):
    emulator.company.settings.forbidden.add("AUDITHISTORY")
    sid = session(emulator)
    root = data_call(
        emulator,
        sid,
        fn("<readByQuery><object>AUDITHISTORY</object><fields>*</fields><query/></readByQuery>"),
    )
    text = result(root).findtext("errormessage/error/description2")
    assert text.startswith(
        "You do not have permission for API operation READ_BY_QUERY on objects of type audithistory"
    )
    assert "[Support ID: " in text


def test_uniqueid_true_refuses_a_repeated_function_controlid(emulator):
    sid = session(emulator)
    body = query("VENDOR", ["RECORDNO"])
    first = data_call(emulator, sid, body, uniqueid=None)  # omitted means true
    second = data_call(emulator, sid, body, uniqueid="true")
    third = data_call(emulator, sid, body, uniqueid="false")
    assert result(first).findtext("status") == "success"
    assert result(second).findtext("status") == "failure"
    assert result(second).findtext("errormessage/error/errorno") == "XL03000010"
    assert result(third).findtext("status") == "success"


def test_results_fail_independently_without_transaction(emulator_module):
    sid = session(emulator_module)
    root = data_call(
        emulator_module,
        sid,
        query("VENDOR2", ["RECORDNO"], "") + query("VENDOR", ["RECORDNO"]).replace("f1", "f2"),
    )
    assert [result(root, i).findtext("status") for i in (0, 1)] == ["failure", "success"]


def test_transaction_failure_aborts_the_other_results(emulator_module):
    sid = session(emulator_module)
    body = (
        query("VENDOR", ["RECORDNO"])
        + query("NOPE", ["RECORDNO"]).replace("f1", "f2")
        + query("VENDOR", ["RECORDNO"]).replace("f1", "f3")
    )
    root = data_call(emulator_module, sid, body, transaction="true")
    assert [result(root, i).findtext("status") for i in range(3)] == [
        "aborted",
        "failure",
        "aborted",
    ]
    assert result(root, 0).findtext("errormessage/error/errorno") == "XL03000009"
    assert [e.findtext("errorno") for e in result(root, 1).find("errormessage")][-1] == "XL03000009"
    assert result(root, 0).find("data") is None


def test_getapisession_must_be_alone(emulator_module):
    root = call(emulator_module, fn("<getAPISession/>") + fn("<getDimensions/>", "f2"))
    assert result(root, 0).findtext("status") == "failure"


def test_concurrency_above_the_limit_gets_429_with_the_hold_switched_off(emulator):
    """The old answer, kept behind the company_busy switch (the default holds, then 200024:
    test_quirks_busy.py). The four requests share a function controlid, so the in-process
    refusal is switched off too."""
    emulator.quirks.company_busy = False
    emulator.quirks.in_process = False
    emulator.latency = 0.5
    sid = session(emulator)
    xml = envelope(emulator, query("VENDOR", ["RECORDNO"]), session=sid)
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(post(emulator.data_url, xml).status_code))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 200, 429, 429]
    assert emulator.stats.rejected_429 == 2 and emulator.stats.held == 0
    resp = None
    for _ in range(3):
        resp = post(emulator.data_url, xml)
    assert resp.status_code == 200


def test_gateway_error_on_unknown_path(emulator_module):
    resp = post(emulator_module.url.replace("xmlgw", "nope"), "<request/>")
    assert (
        resp.status_code == 400 and _xml(resp).findtext("errormessage/error/errorno") == "GW-0011"
    )
