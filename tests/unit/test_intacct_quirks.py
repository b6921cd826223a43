"""Unit tests of the client's answers to production behaviours (docs/protocol.md §17)."""

from __future__ import annotations

import threading
import time

import pytest

from intacct_sync.intacct.adaptive import ReadMemory, keep, parse_refused, refused_in_select
from intacct_sync.intacct.errors import InvalidValue
from intacct_sync.intacct.fields import FieldType
from intacct_sync.intacct.limiter import InFlight
from intacct_sync.intacct.options import ClientOptions
from intacct_sync.intacct.stats import CallStats, scope
from intacct_sync.intacct.values import sensitive, to_arrow

CAPTURED = """The following fields cannot be queried: [
        apbill: [PAYTOCONTACTNAME,
                 RETURNTOCONTACTNAME]
    ] [Support ID: abc~def]"""


def test_refused_fields_are_parsed_whatever_the_whitespace() -> None:
    assert parse_refused(CAPTURED) == {"APBILL": ("PAYTOCONTACTNAME", "RETURNTOCONTACTNAME")}
    two = "The following fields cannot be queried: [ apbill: [A], apbillitem: [B, C] ]"
    assert parse_refused(two) == {"APBILL": ("A",), "APBILLITEM": ("B", "C")}
    assert parse_refused("Invalid field(s) X for object Y") == {}
    assert parse_refused("The following fields cannot be queried: [ ]") == {}


def test_related_fields_are_matched_by_their_last_part() -> None:
    select = ["RECORDNO", "GLACCOUNTNO", "APBILL.PAYTOCONTACTNAME", "APBILL.VENDORID"]
    refused = {"APBILLITEM": ("GLACCOUNTNO",), "APBILL": ("PAYTOCONTACTNAME",)}
    assert refused_in_select("APBILLITEM", select, refused) == [
        "GLACCOUNTNO",
        "APBILL.PAYTOCONTACTNAME",
    ]


def test_memory_keeps_skip_fields_refusals_and_page_sizes() -> None:
    memory = ReadMemory({"apbill": ["x"]})
    memory.refuse("APBILL", ["Y"])
    assert memory.left_out("apbill") == {"X", "Y"} and memory.refused("APBILL") == {"Y"}
    assert keep(["RECORDNO", "X", "Z"], memory.left_out("APBILL"), "RECORDNO") == ["RECORDNO", "Z"]
    memory.shrink("GLENTRY", 1000)
    memory.shrink("GLENTRY", 2000)
    assert memory.page_size("GLENTRY", 2000) == 1000 and memory.page_size("GLENTRY", 500) == 500


def test_skip_fields_option_is_normalised_and_checked() -> None:
    options = ClientOptions(skip_fields={"apbill": ["paytocontactname", "PAYTOCONTACTNAME"]})
    assert dict(options.skip_fields) == {"APBILL": ("PAYTOCONTACTNAME",)}
    with pytest.raises(ValueError, match="skip_fields"):
        ClientOptions(skip_fields={"APBILL": ["bad name;"]})


def test_in_flight_limit_can_only_be_lowered_and_holds_new_requests() -> None:
    limit = InFlight(2)
    assert limit.lower(3) is None and limit.lower(1) == 2 and limit.limit == 1
    seen: list[int] = []

    def work() -> None:
        with limit:
            seen.append(limit.running)
            time.sleep(0.01)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [1, 1, 1, 1]


def test_usage_and_notices_per_scope() -> None:
    stats = CallStats()
    with scope("a"):
        stats.record(["query"], 0.1, 100)
        stats.record_transactions("APBILL", 1)
        stats.record_login()
        assert stats.notice("dropped X") and not stats.notice("dropped X")
    stats.record(["lookup"], 0.1, 10)
    a = stats.usage("a")
    assert (a.calls, a.transactions, a.bytes, a.logins, a.notices) == (1, 1, 100, 1, ("dropped X",))
    total = stats.usage()
    assert (total.calls, total.transactions, total.bytes) == (2, 1, 110)
    assert stats.snapshot().transactions == {"APBILL": 1}
    assert stats.scoped("a") == (1, 100)


@pytest.mark.parametrize(
    "values,ftype,expected",
    [
        (["12", "12.0", "-3.00", "7.", None], FieldType.INTEGER, [12, 12, -3, 7, None]),
        (["12", ""], FieldType.INTEGER, [12, None]),
    ],
)
def test_integers_with_a_zero_fraction_are_exact(values, ftype, expected) -> None:
    assert to_arrow(values, ftype).to_pylist() == expected


def test_a_date_only_timestamp_is_that_days_midnight_in_the_zone() -> None:
    got = to_arrow(["03/01/2024", "03/01/2024 00:00:00"], FieldType.TIMESTAMP, tz="UTC")
    assert got[0] == got[1]


@pytest.mark.parametrize(
    "value,ftype",
    [
        ("12.5", FieldType.INTEGER),
        ("00/00/0000 00:00:00", FieldType.TIMESTAMP),
        ("2024-03-01", FieldType.TIMESTAMP),
        ("12.0.0", FieldType.INTEGER),
    ],
)
def test_lossy_values_name_object_record_field_and_value(value, ftype) -> None:
    keys = ["101", "102"]
    with pytest.raises(InvalidValue) as caught:
        good = "1" if ftype is FieldType.INTEGER else "03/01/2024 10:00:00"
        to_arrow(
            [good, value], ftype, object_name="GLENTRY", name="LINE_NO", key_of=keys.__getitem__
        )
    message = str(caught.value)
    assert "GLENTRY.LINE_NO of record 102" in message and repr(value) in message


@pytest.mark.parametrize(
    "name",
    [
        "PASSWORD",
        "ACHACCOUNTNUMBER",
        "TAXID",
        "SSN",
        "ROUTINGNUMBER",
        "VENDOR.ACCOUNTNUMBER",
        "CLIENT_SECRET",
    ],
)
def test_sensitive_fields_never_show_their_value(name: str) -> None:
    assert sensitive(name)
    with pytest.raises(InvalidValue) as caught:
        to_arrow(["123-45-6789x"], FieldType.INTEGER, object_name="VENDOR", name=name)
    assert "123-45" not in str(caught.value) and "***" in str(caught.value)


def test_ordinary_fields_are_not_sensitive() -> None:
    assert not any(sensitive(n) for n in ("RECORDNO", "GLACCOUNTNO", "DESCRIPTION", "SHIPPING"))


def test_zone_evidence_weighs_never_modified_rows() -> None:
    from intacct_sync.intacct.zone import weigh

    # Never modified: WHENMODIFIED is AUWHENCREATED in Pacific time (PDT in July, PST in January).
    same = [
        ("07/01/2024 22:50:21", "07/01/2024 15:50:21"),
        ("01/10/2024 20:00:00", "01/10/2024 12:00:00"),
    ]
    modified = [("07/01/2024 22:50:21", "07/02/2024 09:13:07")]
    right = weigh("APBILL", same * 2 + modified, "America/Los_Angeles")
    assert (right.agree, right.rows, right.mismatch) == (4, 5, False)
    wrong = weigh("APBILL", same * 2 + modified, "America/New_York")
    assert wrong.mismatch and wrong.shift.total_seconds() == -3 * 3600 and wrong.shifted == 4
    assert "-3 h away from America/New_York" in wrong.describe("America/New_York")
    unknown = weigh("APBILL", modified + [(None, "x")], "UTC")
    assert not unknown.mismatch and "could not tell" in unknown.describe("UTC")
