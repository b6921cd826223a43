"""Response shapes match the real gateway's samples (docs/protocol.md §3-§6, §14)."""

from __future__ import annotations

import re

from .gw import call, data_call, envelope, fn, post, query, result, rows, session

AUTH_CHILDREN = [
    "status",
    "userid",
    "companyid",
    "locationid",
    "sessiontimestamp",
    "sessiontimeout",
]
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def test_getapisession_returns_session_for_data_endpoint(emulator_module):
    root = call(emulator_module, fn("<getAPISession/>"))
    assert [c.tag for c in root.find("control")] == [
        "status",
        "senderid",
        "controlid",
        "uniqueid",
        "dtdversion",
    ]
    assert root.findtext("control/controlid") == "ctl-1"
    auth = root.find("operation/authentication")
    assert [c.tag for c in auth] == AUTH_CHILDREN
    assert ISO.match(auth.findtext("sessiontimestamp")) and ISO.match(
        auth.findtext("sessiontimeout")
    )
    res = result(root)
    assert res.findtext("function") == "getAPISession"
    api = res.find("data/api")
    assert [c.tag for c in api] == ["sessionid", "endpoint", "locationid"]
    assert api.findtext("sessionid").endswith("..")
    assert api.findtext("endpoint") == emulator_module.data_url
    assert res.find("data").attrib == {}


def test_session_works_at_the_main_url_and_stats_count_each_path(emulator):
    """The gateway accepts a session at the main URL too (docs/protocol.md §17); the per-path
    counter still shows which URL a client used."""
    sid = session(emulator)
    at_main = call(emulator, query("VENDOR", ["RECORDNO"]), session=sid)
    assert at_main.findtext("operation/authentication/status") == "success"
    assert result(at_main).findtext("status") == "success" and rows(at_main)
    data_call(emulator, sid, query("VENDOR", ["RECORDNO"]))
    data_call(emulator, sid, query("VENDOR", ["RECORDNO"]))
    main_path, data_path = (
        u.split(str(emulator.port), 1)[1] for u in (emulator.url, emulator.data_url)
    )
    assert emulator.stats.session_paths == {main_path: 1, data_path: 2}
    assert emulator.stats.snapshot()["session_paths"] == {main_path: 1, data_path: 2}
    assert emulator.stats.logins == 1  # the login block is not a session request


def test_unknown_session_is_refused_at_either_url(emulator_module):
    for url in (emulator_module.url, emulator_module.data_url):
        root = call(emulator_module, query("VENDOR", ["RECORDNO"]), url=url, session="nope..")
        assert root.findtext("operation/authentication/status") == "failure"
        assert root.findtext("operation/errormessage/error/description2").startswith(
            "Invalid session"
        )
        assert root.find("operation/result") is None


def test_session_timeout_slides_with_each_call(emulator):
    sid = session(emulator)
    first = data_call(emulator, sid, query("VENDOR", ["RECORDNO"]))
    emulator.clock.advance(__import__("datetime").timedelta(minutes=90))
    second = data_call(emulator, sid, query("VENDOR", ["RECORDNO"]))
    t1 = first.findtext("operation/authentication/sessiontimeout")
    t2 = second.findtext("operation/authentication/sessiontimeout")
    assert t2 > t1


def test_readbyquery_uses_lowercase_listtype_and_resultid(emulator_module):
    sid = session(emulator_module)
    root = data_call(
        emulator_module,
        sid,
        fn(
            "<readByQuery><object>VENDOR</object><fields>RECORDNO,NAME</fields><query></query>"
            "<pagesize>5</pagesize><returnFormat>xml</returnFormat></readByQuery>"
        ),
    )
    data = result(root).find("data")
    assert list(data.attrib) == ["listtype", "count", "totalcount", "numremaining", "resultId"]
    assert data.get("listtype") == "vendor" and data[0].tag == "vendor"
    visible = len(emulator_module.company.rows("VENDOR", include_private=False))
    assert data.get("count") == "5" and int(data.get("numremaining")) == visible - 5
    assert data.get("resultId")
    assert [c.tag for c in data[0]] == ["RECORDNO", "NAME"]


def test_query_uses_uppercase_listtype_without_resultid(emulator_module):
    sid = session(emulator_module)
    root = data_call(
        emulator_module,
        sid,
        query(
            "VENDOR",
            ["RECORDNO", "PAYTOCONTACT.CONTACTNAME"],
            extra="<pagesize>3</pagesize><offset>2</offset>",
        ),
    )
    data = result(root).find("data")
    assert list(data.attrib) == ["listtype", "totalcount", "offset", "count", "numremaining"]
    assert data.get("listtype") == "VENDOR" and data[0].tag == "VENDOR"
    visible = len(emulator_module.company.rows("VENDOR", include_private=False))
    assert (data.get("offset"), data.get("count")) == ("2", "3")
    assert int(data.get("numremaining")) == visible - 5
    assert data[0].find("PAYTOCONTACT.CONTACTNAME") is not None


def test_read_uses_uppercase_and_only_count(emulator_module):
    sid = session(emulator_module)
    root = data_call(
        emulator_module,
        sid,
        fn("<read><object>VENDOR</object><keys>100,101</keys><fields>*</fields></read>"),
    )
    data = result(root).find("data")
    assert data.attrib == {"listtype": "VENDOR", "count": "2"}
    assert [r.findtext("RECORDNO") for r in data] == ["100", "101"]


def test_empty_result_is_self_closing_and_empty_values_are_elements(emulator_module):
    sid = session(emulator_module)
    xml = post(
        emulator_module.data_url,
        envelope(
            emulator_module,
            fn(
                "<readByQuery><object>DEPARTMENT</object><fields>*</fields>"
                "<query>DEPARTMENTID = 'nope'</query></readByQuery>"
            ),
            session=sid,
        ),
    ).text
    assert (
        '<data listtype="department" count="0" totalcount="0" numremaining="0" resultId=""/>' in xml
    )
    bill = rows(
        data_call(
            emulator_module,
            sid,
            fn("<read><object>APBILL</object><keys>1001</keys><fields>*</fields></read>"),
        )
    )[0]
    assert bill["WHENDISCOUNT"] == "" and bill["SYSTEMGENERATED"] in ("T", "F")
    assert bill["ONHOLD"] in ("true", "false")
    assert re.match(r"^\d\d/\d\d/\d{4}$", bill["WHENCREATED"])
    assert re.match(r"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d$", bill["AUWHENCREATED"])


def test_compact_output_is_one_line_with_self_closing_empties(emulator_module):
    sid = session(emulator_module)
    text = post(
        emulator_module.data_url,
        envelope(
            emulator_module,
            query("APBILL", ["RECORDNO", "WHENDISCOUNT"], extra="<pagesize>1</pagesize>"),
            session=sid,
            whitespace="false",
        ),
    ).text
    assert "\n" not in text.strip() and "<locationid/>" in text and "<WHENDISCOUNT/>" in text


def test_pretty_output_is_indented_by_default(emulator_module):
    text = post(emulator_module.url, envelope(emulator_module, fn("<getAPISession/>"))).text
    assert "\n    <control>" in text and "<locationid></locationid>" in text


def test_lookup_lists_types_customs_and_relationships(emulator_module):
    sid = session(emulator_module)
    root = data_call(emulator_module, sid, fn("<lookup><object>APBILL</object></lookup>"))
    typ = result(root).find("data/Type")
    assert typ.get("Name") == "APBILL" and typ.get("DocumentType") == ""
    fields = {f.findtext("ID"): f for f in typ.find("Fields")}
    assert [c.tag for c in fields["RECORDNO"]] == [
        "ID",
        "LABEL",
        "DESCRIPTION",
        "REQUIRED",
        "READONLY",
        "DATATYPE",
        "ISCUSTOM",
    ]
    assert fields["STATE"].find("VALIDVALUES/VALIDVALUE") is not None
    assert fields["APPROVAL_CODE"].findtext("ISCUSTOM") == "true"
    types = {f.findtext("DATATYPE") for f in fields.values()}
    assert {"INTEGER", "TEXT", "DECIMAL", "CURRENCY", "BOOLEAN", "DATE", "TIMESTAMP"} <= types
    rel = typ.find("Relationships/Relationship")
    assert rel.findtext("RELATIONSHIPTYPE") == "MANY2ONE" and rel.findtext("OBJECTNAME") == "VENDOR"


def test_inspect_variants(emulator_module):
    sid = session(emulator_module)
    root = data_call(
        emulator_module,
        sid,
        fn("<inspect><object>*</object></inspect>")
        + fn('<inspect detail="1"><object>EMPLOYEE</object></inspect>', "f2")
        + fn("<inspect><object>EMPLOYEE</object></inspect>", "f3"),
    )
    listing = result(root, 0).find("data")
    assert listing.get("listtype") == "All" and listing.find("type[@typename='APBILL']") is not None
    detail = result(root, 1).find("data/Type/Fields/Field")
    assert (
        detail.findtext("Name") == "RECORDNO" and detail.findtext("externalDataName") == "integer"
    )
    assert result(root, 2).findtext("data/Type/Fields/Field") == "RECORDNO"


def test_getdimensions_lists_standard_and_user_defined(emulator_module):
    sid = session(emulator_module)
    root = data_call(emulator_module, sid, fn("<getDimensions/>"))
    dims = {
        d.findtext("objectName"): d.findtext("userDefinedDimension")
        for d in result(root).find("data/dimensions")
    }
    assert (
        dims["DEPARTMENT"] == "false" and dims["FUND"] == "true" and dims["GRANT_PROGRAM"] == "true"
    )
    udd = rows(
        data_call(
            emulator_module,
            sid,
            fn(
                "<readByQuery><object>FUND</object><fields>id,name,updatedAt</fields><query/></readByQuery>"
            ),
        )
    )
    assert len(udd) == 10 and all(r["id"] for r in udd)
