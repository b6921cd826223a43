"""Every Intacct fixture document through the parser, with the outcome the client must reach."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from intacct_sync.intacct import errors as E
from intacct_sync.intacct.gateway import raise_for_response
from intacct_sync.intacct.metadata import parse_dimensions, parse_lookup
from intacct_sync.intacct.response import Response

# The project's own documents in the shape of real gateway answers (see their README.md).
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "intacct"

OK = "ok"
REQUEST = "request"  # compared with the envelope builder in test_intacct_envelope.py
# file -> (HTTP status, sent a sessionid?, outcome, detail)
#   outcome OK: detail = rows per result (records inside <data>, or None for no <data>)
#   outcome an error class: detail = every errorno the exception must carry, in order
EXPECTED: dict[str, tuple[int, bool, object, object]] = {
    "auth_failure_bad_login.xml": (200, False, E.UserCredentialsError, ["XL03000006"]),
    "auth_failure_sender_not_authorized.xml": (200, False, E.NotAuthorizedError, ["XL03000006"]),
    "control_failure_bad_sender_credentials.xml": (
        200,
        True,
        E.SenderCredentialsError,
        ["XL03000006"],
    ),
    "control_failure_demo_expired_PL04000055.xml": (
        200,
        True,
        E.CompanyExpiredError,
        ["PL04000055"],
    ),
    "control_failure_invalid_policy.xml": (200, True, E.RequestRejected, ["XL03000006"]),
    "control_failure_xml_parse_XL03000003.xml": (
        200,
        True,
        E.RequestRejected,
        ["XL03000003", "XL03000003"],
    ),
    "control_failure_xml_parse_with_support_id.xml": (200, True, E.RequestRejected, ["XL03000003"]),
    "create_key_response.xml": (200, True, OK, [None]),
    "error_invalid_session.xml": (200, True, E.SessionExpired, ["XL03000006"]),
    "gateway_400_GW-0011.xml": (400, True, E.RequestRejected, ["GW-0011"]),
    "gateway_401_XMLGW_JPP0002.xml": (401, False, E.UserCredentialsError, ["XMLGW_JPP0002"]),
    "getapisession_response.xml": (200, False, OK, [1]),
    "getapisession_response_entity.xml": (200, False, OK, [1]),
    "getapisession_response_entity_switch.xml": (200, True, OK, [1]),
    "getdimensions_response.xml": (200, True, OK, [1]),
    "inspect_all_objects_response.xml": (200, True, OK, [4]),
    "inspect_detail0_response.xml": (200, True, OK, [1]),
    "inspect_detail1_response.xml": (200, True, OK, [1]),
    "legacy_get_list_response.xml": (200, True, OK, [2]),
    "lookup_apbill_response_excerpt.xml": (200, True, E.UnexpectedResponse, []),
    "multi_result_mixed_legacy_response.xml": (200, True, OK, [1, 1, 1]),
    "multi_result_partial_failure.xml": (
        200,
        True,
        E.InvalidField,
        ["Invalid fields list x", "Invalid fields list y"],
    ),
    "multi_result_readbyquery_read_success.xml": (200, True, OK, [5, 1]),
    "offline_acknowledgement_response.xml": (200, True, E.UnexpectedResponse, []),
    "query_vendor_response.xml": (200, True, OK, [2]),
    "read_customer_response.xml": (200, True, OK, [1]),
    "read_glaccount_response.xml": (200, True, OK, [2]),
    "read_vendor_and_readbyquery_response.xml": (200, True, OK, [2, 1]),
    "readbyquery_apbill_paginated_response.xml": (200, True, OK, [1]),
    "readbyquery_class_page1_response.xml": (200, True, OK, [1]),
    "readbyquery_empty_response.xml": (200, True, OK, [0]),
    "readbyquery_glaccount_page1_response.xml": (200, True, OK, [1]),
    "readbyquery_project_page1_response.xml": (200, True, OK, [10]),
    "readbyquery_sodocument_compact_response.xml": (200, True, OK, [1]),
    "readmore_glaccount_page2_response.xml": (200, True, OK, [1]),
    "readmore_project_page2_response.xml": (200, True, OK, [2]),
    "request_envelope_session_auth.xml": (200, True, REQUEST, None),
    "request_getapisession_top_level.xml": (200, True, REQUEST, None),
    "request_inspect_detail.xml": (200, True, REQUEST, None),
    "request_login_block_with_entity.xml": (200, True, REQUEST, None),
    "request_lookup.xml": (200, True, REQUEST, None),
    "request_query_aggregates.xml": (200, True, REQUEST, None),
    "request_query_all_params.xml": (200, True, REQUEST, None),
    "request_query_filter_or_and.xml": (200, True, REQUEST, None),
    "request_query_orderby.xml": (200, True, REQUEST, None),
    "request_read.xml": (200, True, REQUEST, None),
    "request_readbyquery.xml": (200, True, REQUEST, None),
    "request_readmore.xml": (200, True, REQUEST, None),
    "result_failure_bad_query_DL02000001.xml": (200, True, E.BadQuery, ["DL02000001"]),
    "result_failure_create_BL34000061.xml": (
        200,
        True,
        E.FunctionFailed,
        ["BL34000061", "BL01001973", "BL01001973"],
    ),
    "result_failure_create_duplicate_BL34000061.xml": (
        200,
        True,
        E.FunctionFailed,
        ["BL34000061", "BL01001973", "BL01001973"],
    ),
    "result_failure_default_error_BL01001973.xml": (
        200,
        True,
        E.FunctionFailed,
        ["BL01001973", "BL01001973"],
    ),
    "result_failure_object_not_found.xml": (200, True, E.UnknownObject, ["XXX"]),
    "result_failure_readmore_expired.xml": (200, True, E.ResultIdExpired, ["readMore failed"]),
    "result_failure_showadditionalerrorinfo.xml": (
        200,
        True,
        E.FunctionFailed,
        ["BL01001973", "BL01001973"],
    ),
    "result_failure_user_not_found_BL03000025.xml": (200, True, E.FunctionFailed, ["BL03000025"]),
    "transaction_aborted_response.xml": (
        200,
        True,
        E.FunctionFailed,
        ["XL03000009", "Get API Session Failed", "XL03000009"],
    ),
}


def _body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _parse(name: str) -> Response:
    status, sent_session, _outcome, _detail = EXPECTED[name]
    return raise_for_response(status, {}, _body(name), sent_session=sent_session)


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.xml")) == sorted(EXPECTED)


def test_fixture_readme_describes_every_fixture() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    described = sorted(set(re.findall(r"`([\w.-]+\.xml)`", readme)))
    assert described == sorted(EXPECTED)


def test_every_request_fixture_is_compared_with_the_builder() -> None:
    envelope_tests = (Path(__file__).parent / "test_intacct_envelope.py").read_text()
    requests = sorted(n for n, e in EXPECTED.items() if e[2] is REQUEST)
    assert requests and all(f'"{name}"' in envelope_tests for name in requests)


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e[2] is not REQUEST))
def test_fixture_parses_to_its_expected_outcome(name: str) -> None:
    _status, _sent, outcome, detail = EXPECTED[name]
    if outcome == OK:
        response = _parse(name)
        rows = [len(r.data) if r.data is not None else None for r in response.results]
        assert rows == detail
        return
    with pytest.raises(outcome) as info:  # type: ignore[call-overload]
        _parse(name)
    assert type(info.value) is outcome
    assert info.value.errornos == detail
    assert "Traceback" not in str(info.value) and str(info.value)


def test_invalid_session_after_a_login_is_a_credentials_error_not_an_expiry() -> None:
    with pytest.raises(E.UserCredentialsError):
        raise_for_response(200, {}, _body("error_invalid_session.xml"), sent_session=False)


def test_error_text_is_unescaped_and_support_id_decoded() -> None:
    with pytest.raises(E.FunctionFailed) as info:
        _parse("result_failure_default_error_BL01001973.xml")
    first = info.value.errors[0]
    assert first.description2 == (
        "The account number '6100.25' already exists "
        "[Support ID: Wq8Zt~Mb3nK5vHp2Rd7Lc0Xe4FgYAAAAB]"
    )
    assert first.description == "Duplicate account number"
    assert first.correction == "Enter unique account number"
    assert info.value.function == "create" and info.value.controlid == "isync-fn-glacct"


def test_sender_credential_message_says_what_to_do() -> None:
    with pytest.raises(E.SenderCredentialsError) as info:
        _parse("control_failure_bad_sender_credentials.xml")
    assert "sender-id and sender-password" in str(info.value)
    assert "Incorrect Intacct XML Partner ID or password." in str(info.value)


def test_not_authorized_sender_is_named_with_quotes_unescaped() -> None:
    with pytest.raises(E.NotAuthorizedError) as info:
        _parse("auth_failure_sender_not_authorized.xml")
    assert "The sender ID 'isync-sender' is not authorized" in str(info.value)


def test_session_values_are_read_from_getapisession() -> None:
    response = _parse("getapisession_response.xml")
    api = response.results[0].data.find("api")
    assert api.findtext("sessionid") == "Zq3xR8mLk2Vt-pYw0sNc7HbFdJ_4gE.."
    auth = response.authentication
    assert (auth.sessiontimeout - auth.sessiontimestamp).total_seconds() == 12 * 3600


def test_lookup_excerpt_gives_typed_fields() -> None:
    root = etree.fromstring(_body("lookup_apbill_response_excerpt.xml"))
    fields = parse_lookup(root)
    assert [(f.name, f.type.value, f.is_custom) for f in fields] == [
        ("RECORDNO", "INTEGER", False),
        ("STATE", "TEXT", False),
        ("APPROVAL_DUE", "DATE", True),
    ]
    assert fields[0].label == "Record number"


def test_dimensions_fixture_marks_gl_enabled() -> None:
    dims = parse_dimensions(_parse("getdimensions_response.xml").results[0].data)
    by_name = {d.object_name: d for d in dims}
    assert len(dims) == 11 and not any(d.user_defined for d in dims)
    assert by_name["PROJECT"].label == "Engagement"
    assert by_name["DEPARTMENT"].enabled_in_gl and not by_name["EMPLOYEE"].enabled_in_gl
