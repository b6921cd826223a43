"""The request builder: structure as the request fixtures, read-only, hostile values escaped."""

from __future__ import annotations

import pytest
from lxml import etree

from intacct_sync.intacct import envelope
from intacct_sync.intacct.errors import WriteRefused
from intacct_sync.intacct.filters import And, Cmp, Or
from tests.unit.test_intacct_samples import FIXTURES


def canon(el: etree._Element) -> tuple:
    return (
        el.tag,
        sorted(el.attrib.items()),
        (el.text or "").strip(),
        [canon(c) for c in el if isinstance(c.tag, str)],
    )


def fixture(name: str) -> etree._Element:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.fromstring((FIXTURES / name).read_bytes(), parser)


def built(function: envelope.Function) -> etree._Element:
    return function.element()


def without(el: etree._Element, *tags: str) -> etree._Element:
    for child in list(el.iter()):
        if child.tag in tags:
            child.getparent().remove(child)
    return el


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("request_getapisession_top_level.xml", envelope.get_api_session(None)),
        ("request_inspect_detail.xml", envelope.inspect("GLACCOUNT", detail=True)),
        ("request_lookup.xml", envelope.lookup("APPYMT")),
        ("request_readmore.xml", envelope.read_more("7765623341Pj3m@Zc8CoB7QAAP6gH9kAAAAJ4")),
        (
            "request_readbyquery.xml",
            envelope.read_by_query("SODOCUMENT", ["RECORDNO", "DOCNO"], "", 250),
        ),
        ("request_read.xml", envelope.read("PODOCUMENT", ["2041", "2042"], ["DOCNO", "TOTAL"])),
    ],
)
def test_function_matches_the_request_fixture(name: str, function: envelope.Function) -> None:
    expected = without(fixture(name), "docparid")  # docparid: documents only, never sent
    got = built(function)
    got.set("controlid", "isync-fn-0001")
    assert canon(got) == canon(expected)


def test_query_with_nested_or_and_filter_matches_the_fixture() -> None:
    expected = fixture("request_query_filter_or_and.xml").find("query")
    where = Or(
        Cmp("equalto", "MODULEKEY", "9.PO"),
        And(
            Cmp("greaterthanorequalto", "WHENMODIFIED", "01/01/2024 00:00:00"),
            Cmp("equalto", "STATE", "Posted"),
        ),
    )
    got = built(envelope.query("APBILL", ["RECORDNO", "VENDORID", "STATE"], filter=where)).find(
        "query"
    )
    for tag in ("select", "object", "filter"):
        assert canon(got.find(tag)) == canon(expected.find(tag))


def test_query_orderby_and_aggregates_match_the_fixtures() -> None:
    orderby = fixture("request_query_orderby.xml").find("query/orderby")
    q = built(
        envelope.query(
            "APBILL",
            ["VENDORID", "RECORDNO"],
            orderby=[("WHENMODIFIED", True), ("RECORDNO", False)],
        )
    ).find("query")
    assert canon(q.find("orderby")) == canon(orderby)
    select = fixture("request_query_aggregates.xml").find("query/select")
    aggregates = [
        ("avg", "AMOUNT"),
        ("min", "ENTRY_DATE"),
        ("max", "TRX_AMOUNT"),
        ("sum", "AMOUNT"),
        ("count", "RECORDNO"),
    ]
    q = built(envelope.query("GLENTRY", ["ACCOUNTNO"], aggregates=aggregates)).find("query")
    assert canon(q.find("select")) == canon(select)


def test_query_paging_and_showprivate_match_the_fixture() -> None:
    expected = fixture("request_query_all_params.xml").find("query")
    q = built(envelope.query("VENDOR", ["VENDORID", "RECORDNO"], pagesize=250, offset=500)).find(
        "query"
    )
    for tag in ("select", "object", "pagesize", "offset", "options/showprivate"):
        assert canon(q.find(tag)) == canon(expected.find(tag))


def _request(auth: envelope.Login | envelope.SessionAuth) -> etree._Element:
    body = envelope.build_request(
        sender_id="isync-sender",
        sender_password="not-a-real-secret",  # noqa: S106 - the fixture's value
        auth=auth,
        functions=[envelope.get_dimensions()],
        controlid="isync-envelope-1",
    )
    return etree.fromstring(body)


def test_control_and_session_auth_match_the_fixture() -> None:
    expected = fixture("request_envelope_session_auth.xml")
    got = _request(envelope.SessionAuth("Hq7vN2xLp0Rk-Tw4.."))
    assert canon(got.find("control")) == canon(expected.find("control"))
    assert canon(got.find("operation/authentication")) == canon(
        expected.find("operation/authentication")
    )
    assert got.find("operation").get("transaction") == "false"
    assert got.findtext("control/uniqueid") == "false"


def test_login_with_entity_matches_the_fixture() -> None:
    expected = fixture("request_login_block_with_entity.xml")
    got = _request(envelope.Login("isync_reader", "isync-demo", "not-a-real-password", "E100"))
    assert canon(got.find("operation/authentication")) == canon(expected)


@pytest.mark.parametrize(
    "name", ["create", "update", "delete", "create_vendor", "readReport", "getAPISESSION", "query "]
)
def test_write_and_unknown_functions_are_refused_before_building(name: str) -> None:
    with pytest.raises(WriteRefused, match="read-only"):
        envelope.Function(name)


def test_each_function_gets_its_own_uuid_controlid() -> None:
    functions = [envelope.lookup("APBILL") for _ in range(3)]
    assert len({f.controlid for f in functions}) == 3
    assert all(len(f.controlid) == 36 for f in functions)


def test_hostile_values_are_escaped_text_not_markup() -> None:
    evil = "x</password></control><operation><content><function><delete>&amp;'\""
    body = envelope.build_request(
        sender_id=evil,
        sender_password=evil,
        auth=envelope.Login(evil, evil, evil, evil),
        functions=[envelope.query(evil, [evil], filter=Cmp("equalto", evil, evil))],
        controlid=evil,
    )
    root = etree.fromstring(body)
    assert root.findtext("control/password") == evil
    assert root.findtext("operation/authentication/login/userid") == evil
    assert root.findtext("operation/content/function/query/filter/equalto/value") == evil
    assert root.find(".//delete") is None
    assert len(root.findall("operation/content/function")) == 1


def test_query_refuses_star_and_out_of_range_pages() -> None:
    with pytest.raises(ValueError, match=r"\*"):
        envelope.query("APBILL", ["*"])
    with pytest.raises(ValueError, match="pagesize"):
        envelope.query("APBILL", ["RECORDNO"], pagesize=2001)
    with pytest.raises(ValueError, match="pagesize"):
        envelope.read_by_query("APBILL", ["RECORDNO"], "", 1001)


def test_filter_operators_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown"):
        Cmp("drop", "RECORDNO", "1")
    with pytest.raises(ValueError, match="2 values"):
        Cmp("between", "RECORDNO", "1")
    assert canon(And(Cmp("isnull", "X")).element()) == ("isnull", [], "", [("field", [], "X", [])])
