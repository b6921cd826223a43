"""Keyset paging against an in-memory table: no row skipped or repeated, loops detected."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.intacct.errors import PaginationLoop, ResultIdExpired
from intacct_sync.intacct.fields import Field, FieldType
from intacct_sync.intacct.objects import udd_spec
from intacct_sync.intacct.paging import KeysetPaginator, paginate
from intacct_sync.intacct.reader import query_pages, read_by_query_pages
from intacct_sync.intacct.records import Window
from intacct_sync.intacct.response import check_response

FMT = "%m/%d/%Y %H:%M:%S"
LA = "America/Los_Angeles"
FIELDS = [Field("RECORDNO", FieldType.INTEGER), Field("WHENMODIFIED", FieldType.TIMESTAMP)]


def _value(field: str, text: str):  # type: ignore[no-untyped-def]
    return datetime.strptime(text, FMT) if field in ("WHENMODIFIED", "AUWHENCREATED") else int(text)


def _match(el: etree._Element, row: dict) -> bool:
    if el.tag in ("and", "or"):
        results = [_match(c, row) for c in el]
        return all(results) if el.tag == "and" else any(results)
    field = el.findtext("field")
    have = row.get(field)
    if el.tag == "isnull":
        return have is None
    if have is None:
        return False
    want = _value(field, el.findtext("value"))
    ops = {
        "greaterthan": have > want,
        "equalto": have == want,
        "lessthanorequalto": have <= want,
        "greaterthanorequalto": have >= want,
    }
    return ops[el.tag]


class FakeCompany:
    """Answers query functions over ``rows`` (list of dicts) like the gateway would."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows
        self.calls: list[etree._Element] = []
        self.on_call = lambda n: None

    def __call__(self, functions, object=None):  # type: ignore[no-untyped-def]
        fn = functions[0].element()[0]
        self.calls.append(fn)
        self.on_call(len(self.calls))
        where = fn.find("filter")
        rows = [r for r in self.rows if where is None or _match(where[0], r)]
        for order in reversed(list(fn.iterfind("orderby/order"))):  # stable: last key first
            k = order.findtext("field")
            rows.sort(
                key=lambda r: (r[k] is None, r[k] or 0),
                reverse=order.find("descending") is not None,
            )
        size = int(fn.findtext("pagesize"))
        page = rows[:size]
        body = "".join(
            "<X>"
            + "".join(
                f"<{k}>{v.strftime(FMT) if isinstance(v, datetime) else v}</{k}>"
                if v is not None
                else f"<{k}/>"
                for k, v in r.items()
            )
            + "</X>"
            for r in page
        )
        xml = (
            f"<response><control><status>success</status></control><operation><result>"
            f"<status>success</status><data totalcount='{len(rows)}' count='{len(page)}' "
            f"numremaining='{len(rows) - len(page)}'>{body}</data></result></operation>"
            "</response>"
        )
        return check_response(etree.fromstring(xml.encode()), sent_session=True)


BASE = datetime(2024, 1, 1, 8, 0)


def rows(n: int) -> list[dict]:
    # Several rows share each WHENMODIFIED so the key breaks ties.
    return [
        {"RECORDNO": i, "WHENMODIFIED": BASE + timedelta(minutes=i // 3)} for i in range(1, n + 1)
    ]


def window_end() -> datetime:
    return datetime(2024, 6, 1, tzinfo=timezone.utc)


def read_all(
    company: FakeCompany, spec=CATALOG["CLASS"], window=None, size=7, streams=1
) -> list[int]:
    window = window or Window(None, window_end())
    pages = query_pages(company, spec, FIELDS, window, tz=LA, page_size=size, streams=streams)
    return [k for p in pages for k in p.batch.column("RECORDNO").to_pylist()]


def test_full_read_pages_with_keyset_in_key_order_and_offset_zero() -> None:
    company = FakeCompany(rows(50))
    assert read_all(company) == list(range(1, 51))
    # 8 keyset pages (the last has numremaining 0); rows without a cursor in the same pass
    assert len(company.calls) == 8
    assert {c.findtext("offset") for c in company.calls} == {"0"}
    assert company.calls[0].findtext("options/showprivate") == "true"
    assert [o.findtext("field") for o in company.calls[0].iterfind("orderby/order")] == ["RECORDNO"]


def test_a_large_full_read_is_split_into_key_ranges_read_at_once() -> None:
    data = rows(100) + [{"RECORDNO": 150, "WHENMODIFIED": None}]
    company = FakeCompany(data)
    got = read_all(company, size=2, streams=2)
    assert sorted(got) == [r["RECORDNO"] for r in data] and len(got) == len(set(got))
    # the first page, the max-key query, then two keyset series: (2, 76] and (76, open)
    descending = [c for c in company.calls if c.find("orderby/order/descending") is not None]
    assert len(descending) == 1 and descending[0].findtext("pagesize") == "1"
    assert len(company.calls) <= 51 + 2

    def bound(call, op: str) -> str | None:
        for cmp in call.iterfind(f"filter/and/{op}"):
            if cmp.findtext("field") == "RECORDNO":
                return cmp.findtext("value")
        return None

    first_of_ranges = {
        (bound(c, "greaterthan"), bound(c, "lessthanorequalto")) for c in company.calls
    }
    assert {("2", "76"), ("76", None)} <= first_of_ranges


def test_a_small_full_read_is_not_split() -> None:
    company = FakeCompany(rows(30))
    assert read_all(company, size=2, streams=2) == list(range(1, 31))
    assert len(company.calls) == 15  # 14 pages left < 10 per stream: read in a row


def _moving(company: FakeCompany, later: datetime) -> None:
    def modify(call_number: int) -> None:
        if call_number == 3:  # two pages read: move read rows and unread rows forward
            for row in company.rows:
                if row["RECORDNO"] in (2, 5, 40, 41):
                    row["WHENMODIFIED"] = later

    company.on_call = modify


def test_rows_modified_while_paging_are_not_skipped_or_repeated() -> None:
    later = BASE + timedelta(days=400)  # after the window end: the next run's business
    company = FakeCompany(rows(60))
    _moving(company, later)
    start = datetime(2023, 12, 1, tzinfo=timezone.utc)
    got = read_all(company, window=Window(start, window_end()))
    assert len(got) == len(set(got))
    assert set(got) == set(range(1, 61)) - {40, 41}  # unmodified rows: every one, once
    nxt = read_all(
        FakeCompany(company.rows),
        window=Window(window_end(), datetime(2025, 6, 1, tzinfo=timezone.utc)),
    )
    assert set(nxt) >= {40, 41}  # the moved rows are in the next window


def test_a_full_read_sees_every_row_once_even_those_changed_while_paging() -> None:
    # No upper bound: the keys of a full read are the complete set a key sweep compares with.
    company = FakeCompany(rows(60))
    _moving(company, BASE + timedelta(days=400))
    got = read_all(company)
    assert sorted(got) == list(range(1, 61)) and len(got) == len(set(got))


def test_empty_cursor_rows_are_read_in_the_same_pass() -> None:
    data = rows(5) + [{"RECORDNO": 99, "WHENMODIFIED": None}]
    company = FakeCompany(data)
    assert read_all(company) == [1, 2, 3, 4, 5, 99] and len(company.calls) == 1


def test_incremental_read_catches_new_rows_without_cursor_through_created() -> None:
    data = [dict(r, AUWHENCREATED=BASE) for r in rows(5)]
    data += [
        {"RECORDNO": 98, "WHENMODIFIED": None, "AUWHENCREATED": BASE - timedelta(days=9)},
        {"RECORDNO": 99, "WHENMODIFIED": None, "AUWHENCREATED": BASE + timedelta(days=1)},
    ]
    start = datetime(2024, 1, 1, 16, 1, tzinfo=timezone.utc)  # 08:01 in Los Angeles
    company = FakeCompany(data)
    got = read_all(company, spec=CATALOG["APBILL"], window=Window(start, window_end()))
    assert got == [3, 4, 5, 99]  # rows 3-5 were modified at 08:01; 98 was created too early
    assert len(company.calls) == 1  # one pass: one billed transaction


def test_a_page_that_does_not_move_is_a_loop() -> None:
    stuck = FakeCompany(rows(20))
    original = stuck.__call__

    def ignore_filter(functions, object=None):  # type: ignore[no-untyped-def]
        fn = functions[0]
        body = tuple((t, v) for t, v in fn.body if t != "filter")
        return original([type(fn)(fn.name, body, fn.attributes, fn.controlid)], object)

    with pytest.raises(PaginationLoop, match="Loop detected"):
        list(
            paginate(
                ignore_filter,
                KeysetPaginator(
                    "CLASS", ["RECORDNO"], None, key="RECORDNO", cursor="WHENMODIFIED", page_size=5
                ),
            )
        )


def _rbq_answer(records: list[int], remaining: int, result_id: str = "R1") -> etree._Element:
    body = "".join(f"<x><id>{k}</id></x>" for k in records)
    return (
        f"<response><control><status>success</status></control><operation><result>"
        f"<status>success</status><data count='{len(records)}' totalcount='9' "
        f"numremaining='{remaining}' resultId='{result_id}'>{body}</data></result>"
        f"</operation></response>"
    )


def test_read_by_query_restarts_after_an_expired_result_and_drops_seen_rows() -> None:
    answers = iter(
        [
            _rbq_answer([1, 2, 3], 6),
            _rbq_answer([4, 5, 6], 3),
            "EXPIRED",
            _rbq_answer([1, 2, 3], 6),
            _rbq_answer([4, 5, 6], 3),
            _rbq_answer([7, 8, 9], 0),
        ]
    )
    sent: list[str] = []

    def call(functions, object=None):  # type: ignore[no-untyped-def]
        sent.append(functions[0].name)
        answer = next(answers)
        if answer == "EXPIRED":
            raise ResultIdExpired("expired")
        return check_response(etree.fromstring(answer.encode()), sent_session=True)

    spec = udd_spec("DEPARTMENT_TYPE")
    pages = read_by_query_pages(
        call, spec, [Field("id", FieldType.INTEGER)], None, tz=LA, page_size=3
    )
    got = [k for p in pages for k in p.batch.column("id").to_pylist()]
    assert got == list(range(1, 10))
    assert sent == ["readByQuery", "readMore", "readMore", "readByQuery", "readMore", "readMore"]


def test_split_range_cuts_equal_widths_and_leaves_the_last_open():
    from intacct_sync.intacct.reader import split_range

    assert split_range(100, 300, 2) == [(100, 200), (200, None)]
    assert split_range(0, 10, 3) == [(0, 3), (3, 6), (6, None)]
    assert split_range(5, 6, 4) == [(5, None)]  # no room to cut: one open range
    assert split_range(5, None, 4) == [(5, None)]  # no max key (rows deleted meanwhile)
    assert split_range(9, 5, 2) == [(9, None)]
    ranges = split_range(1, 1_000_001, 7)
    assert len(ranges) == 7 and ranges[0][0] == 1 and ranges[-1][1] is None
    assert all(a < b for a, b in ranges[:-1])
    assert all(ranges[i][1] == ranges[i + 1][0] for i in range(len(ranges) - 1))
