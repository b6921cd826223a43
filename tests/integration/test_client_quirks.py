"""The client against the gateway's production behaviours (docs/protocol.md §17), over real HTTP.

Refused fields, a company too busy (200024), off-type values, heavy pages (524), the
AUDITHISTORY hiccup, and billed transactions counted as the emulator bills them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intacct_sync.emulator import Emulator
from intacct_sync.intacct import errors as E
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.fields import FieldType
from intacct_sync.intacct.options import ClientOptions
from intacct_sync.intacct.records import Window
from intacct_sync.intacct.retry import RetryPolicy
from intacct_sync.intacct.session import Credentials
from intacct_sync.intacct.stats import scope
from intacct_sync.intacct.values import TIMESTAMP_FORMAT

REFUSED = ("PAYTOCONTACTNAME", "RETURNTOCONTACTNAME")


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(emu: Emulator, sleeps: Sleeps | None = None, **kw) -> IntacctClient:
    policy = RetryPolicy(sleep=sleeps if sleeps is not None else Sleeps())
    return IntacctClient(
        emu.url, Credentials.from_mapping(emu.credentials), ClientOptions(retry=policy, **kw)
    )


def window(emu: Emulator, start: datetime | None = None) -> Window:
    return Window(start, emu.company.clock.now())


@pytest.fixture(scope="module")
def emu():
    with Emulator(seed=7, scale="small", port=0) as e:
        yield e


# --- 1. fields lookup lists and query refuses ------------------------------------------------


def test_refused_fields_are_dropped_remembered_and_null(emu: Emulator) -> None:
    spec = CATALOG["APBILL"]
    with client_for(emu) as client:
        fields = client.lookup("APBILL")  # lists the refused fields (nothing learned yet)
        assert set(REFUSED) <= {f.name for f in fields}
        before = client.stats()
        with scope("run/APBILL"):
            pages = list(client.read_pages(spec, fields, window(emu)))
        used = client.stats() - before
        rows = sum(p.num_rows for p in pages)
        assert rows == emu.company.count("APBILL")
        for name in REFUSED:  # still in the schema the caller asked for, null
            assert pages[0].batch.column(name).null_count == pages[0].num_rows
        assert used.calls == {"query": len(pages) + 1}  # one refused, asked again without them
        notices = client.usage("run/APBILL").notices
        assert len(notices) == 1 and all(n in notices[0] for n in REFUSED)
        assert "skip_fields" in notices[0]
        # Remembered for the run, by every client of the company: no refusal again.
        entity = client.for_entity(None)
        assert not set(REFUSED) & {f.name for f in entity.lookup("APBILL")}
        before = client.stats()
        again = list(entity.read_pages(spec, fields, window(emu)))
        assert (client.stats() - before).calls == {"query": len(again)}


def test_fields_refused_in_an_earlier_run_cost_nothing_this_run(emu: Emulator) -> None:
    # No probe query: the refusal is met by the first read of a run (and dropped there), and the
    # pipeline hands the refused fields of earlier runs back in (remember_refused).
    with client_for(emu) as client:
        before = client.stats()
        fields = client.readable_fields(CATALOG["APBILL"])
        assert (client.stats() - before).calls == {"getAPISession": 1, "lookup": 1}
        client.remember_refused("APBILL", REFUSED)
        assert client.refused("APBILL") == frozenset(REFUSED)
        fields = [f for f in fields if f.name not in REFUSED]
        before = client.stats()
        pages = list(client.read_pages(CATALOG["APBILL"], fields, window(emu)))
        assert (client.stats() - before).calls == {"query": len(pages)}  # none refused
        assert pages[0].batch.schema.names == [f.name for f in fields]


def test_skip_fields_are_never_selected(emu: Emulator) -> None:
    spec = CATALOG["APBILL"]
    with client_for(emu, skip_fields={"apbill": list(REFUSED)}) as client:
        fields = client.lookup("APBILL")
        assert not set(REFUSED) & {f.name for f in fields}
        all_fields = client.lookup("APBILL", include_skipped=True)
        before = client.stats()
        pages = list(client.read_pages(spec, all_fields, window(emu)))
        assert (client.stats() - before).calls == {"query": len(pages)}
        assert not client.notices()


def test_a_refusal_that_names_the_key_fails_clearly(emu: Emulator) -> None:
    emu.quirks.unqueryable_fields["VENDOR"] = ("RECORDNO",)
    try:
        with client_for(emu) as client:
            fields = client.lookup("VENDOR")
            with pytest.raises(E.UnqueryableFields, match="VENDOR: Intacct refused") as caught:
                list(client.read_pages(CATALOG["VENDOR"], fields, window(emu)))
            assert "skip_fields" in str(caught.value)
    finally:
        del emu.quirks.unqueryable_fields["VENDOR"]


# --- 2. a company too busy (200024) ----------------------------------------------------------


def test_200024_backs_off_and_lowers_the_company_to_one_request_in_flight() -> None:
    with Emulator(seed=7, scale="small") as emu:
        sleeps = Sleeps()
        with client_for(emu, sleeps) as client:
            entity = client.for_entity(None)
            client.lookup("VENDOR")  # logged in
            assert client.max_in_flight == 2
            emu.quirks.hold_seconds = 0.1  # other integrations hold every slot for 0.25 s
            emu.faults.add("busy_company@call=1,seconds=0.25")
            with scope("run/VENDOR"):
                assert client.lookup("VENDOR")
            assert emu.stats.rejected_busy >= 1 and client.stats().retries >= 1
            assert len(sleeps) == client.stats().retries  # backed off before each retry
            assert client.max_in_flight == entity.max_in_flight == 1
            (notice,) = client.usage("run/VENDOR").notices
            assert "200024" in notice and "from 2 to 1" in notice
            # The rest of the run: never more than one request at once, split reads included.
            emu.stats.max_in_flight = 0
            list(client.read_pages(CATALOG["APBILLITEM"], client.lookup("APBILLITEM"), window(emu)))
            assert emu.stats.max_in_flight == 1


# --- 3. values off their declared type -------------------------------------------------------


@pytest.mark.parametrize(
    "obj,field,ftype",
    [("APBILL", "DUE_IN_DAYS", FieldType.INTEGER), ("VENDOR", "WHENCREATED", FieldType.TIMESTAMP)],
)
def test_lossless_shapes_are_read_exactly(emu: Emulator, obj: str, field: str, ftype) -> None:
    with client_for(emu) as client:
        fields = client.readable_fields(CATALOG[obj])
        assert next(f for f in fields if f.name == field).type is ftype
        got = {}
        for page in client.read_pages(CATALOG[obj], fields, window(emu)):
            batch = page.batch
            keys, values = batch.column("RECORDNO").to_pylist(), batch.column(field).to_pylist()
            got.update(zip(keys, values, strict=True))
    stored = {int(r["RECORDNO"]): r[field] for r in emu.company.rows(obj)}
    assert len(got) == len(stored)
    zone = ZoneInfo(client.timezone)
    shaped = 0
    for key, value in got.items():
        text = stored[key]
        if ftype is FieldType.INTEGER:
            assert value == (int(text) if text else None)
        elif text:
            assert value.astimezone(zone).replace(tzinfo=None) == datetime.strptime(
                text, TIMESTAMP_FORMAT
            )
            shaped += text.endswith(" 00:00:00")
    assert ftype is FieldType.INTEGER or shaped  # date-only rows were among them


def test_a_lossy_value_is_refused_naming_object_key_field_and_value(emu: Emulator) -> None:
    try:
        with client_for(emu) as client:
            client.remember_refused("APBILL", REFUSED)  # the first page is the data page
            fields = client.readable_fields(CATALOG["APBILL"])
            emu.faults.add("lossy_value@page=1,object=APBILL,variant=integer")
            with pytest.raises(E.InvalidValue) as caught:
                list(client.read_pages(CATALOG["APBILL"], fields, window(emu)))
    finally:
        emu.faults.clear()
    message = str(caught.value)
    first = min(int(r["RECORDNO"]) for r in emu.company.rows("APBILL"))
    assert "APBILL." in message and f"record {first}" in message and ".5'" in message


# --- 4. heavy pages: HTTP 524 ----------------------------------------------------------------


def test_a_524_halves_the_page_from_the_same_position_and_remembers_it() -> None:
    with Emulator(seed=7, scale="small") as emu:
        sleeps = Sleeps()
        spec = CATALOG["GLENTRY"]
        with client_for(
            emu, sleeps, page_size=200, min_page_size=50, pause_after_heavy_page=3.0
        ) as client:
            fields = client.readable_fields(spec)
            emu.quirks.heavy_budget = 150 * len(fields)  # 200 rows time out, 100 do not
            before = client.stats()
            with scope("run/GLENTRY"):
                pages = list(client.read_pages(spec, fields, window(emu)))
            keys = [k for p in pages for k in p.batch.column("RECORDNO").to_pylist()]
            visible = emu.company.rows("GLENTRY", include_private=False)
            assert len(keys) == len(set(keys))  # split key ranges arrive interleaved: no order
            assert sorted(keys) == [int(r["RECORDNO"]) for r in emu.company.rows("GLENTRY")]
            assert all(p.num_rows <= 100 for p in pages) and visible
            assert sleeps == [3.0]  # one short pause, not the policy's 2 minutes
            used = client.stats() - before
            # the refused page, then each page once; a large read also asks for its largest key
            assert used.calls["query"] in (len(pages) + 1, len(pages) + 2) and used.retries == 0
            (notice,) = client.usage("run/GLENTRY").notices
            assert "524" in notice and "100 rows" in notice
            before = client.stats()
            again = list(client.read_pages(spec, fields, window(emu)))  # starts at 100 rows
            assert all(p.num_rows <= 100 for p in again)
            assert (client.stats() - before).calls["query"] <= len(again) + 1  # no 524 again


def test_below_the_minimum_page_the_page_is_asked_again_once_then_the_read_fails() -> None:
    with Emulator(seed=7, scale="small") as emu:
        sleeps = Sleeps()
        with client_for(emu, sleeps, page_size=400, min_page_size=100) as client:
            fields = client.readable_fields(CATALOG["GLENTRY"])
            emu.quirks.heavy_budget = 10
            with pytest.raises(E.ServerMayStillBeWorking, match="twice .* cannot be halved"):
                list(client.read_pages(CATALOG["GLENTRY"], fields, window(emu)))
            # 400, 200, 100, then 100 once more after the policy's wait: each ran and billed
            assert emu.stats.transactions["GLENTRY"] >= 4
            assert RetryPolicy().pause_after_524 in sleeps


def test_a_small_page_survives_one_524_as_the_gateway_policy_would() -> None:
    with Emulator(seed=7, scale="small") as emu:
        sleeps = Sleeps()
        with client_for(emu, sleeps, page_size=8) as client:  # 8 rows: nothing to halve
            fields = client.readable_fields(CATALOG["VENDOR"])
            emu.faults.add("http_524@object=VENDOR,page=2,times=1")
            pages = list(client.read_pages(CATALOG["VENDOR"], fields, window(emu)))
            keys = [k for p in pages for k in p.batch.column("RECORDNO").to_pylist()]
            assert sorted(keys) == [int(r["RECORDNO"]) for r in emu.company.rows("VENDOR")]
            assert sleeps == [RetryPolicy().pause_after_524]  # the policy's wait, not a halving
            assert all(p.num_rows <= 8 for p in pages)


# --- 6. AUDITHISTORY -------------------------------------------------------------------------


def _deleted(emu: Emulator, *objects: str) -> tuple[datetime, dict[str, int]]:
    since = emu.company.clock.now() - timedelta(seconds=1)
    keys = {}
    for obj in objects:
        keys[obj] = int(emu.company.rows(obj)[-1]["RECORDNO"])
        emu.company.delete(obj, keys[obj])
    return since, keys


def test_one_audit_query_for_several_objects() -> None:
    with Emulator(seed=7, scale="small") as emu:
        since, keys = _deleted(emu, "VENDOR", "CUSTOMER")
        until = emu.company.clock.now() + timedelta(seconds=1)
        specs = [CATALOG[n] for n in ("VENDOR", "CUSTOMER", "CLASS")]
        with client_for(emu) as client:
            client.lookup("VENDOR")  # logged in
            before = client.stats()
            got = client.audit_deletes_many(specs, since, until)
            assert (client.stats() - before).calls == {"query": 1}
        deleted = {name: [key for key, _ in found] for name, found in got.items()}
        assert deleted == {"VENDOR": [keys["VENDOR"]], "CUSTOMER": [keys["CUSTOMER"]], "CLASS": []}
        assert all(since <= at <= until for found in got.values() for _, at in found)


def test_the_audit_hiccup_is_asked_again_once_then_is_audit_unavailable() -> None:
    with Emulator(seed=7, scale="small") as emu:
        since, keys = _deleted(emu, "VENDOR")
        until = emu.company.clock.now() + timedelta(seconds=1)
        with client_for(emu) as client:
            emu.faults.add("audit_error@page=1")
            assert client.audit_deletes(CATALOG["VENDOR"], since, until) == [keys["VENDOR"]]
            emu.faults.add("audit_error@page=1,times=2")
            with pytest.raises(E.AuditUnavailable, match="key sweep") as caught:
                client.audit_deletes(CATALOG["VENDOR"], since, until)
        assert not isinstance(caught.value, E.PermissionDenied)
        assert isinstance(caught.value.cause, E.BadQuery)
        assert caught.value.errornos == ["DL02000001"]


def test_a_forbidden_audit_history_is_audit_unavailable_and_permission_denied() -> None:
    with Emulator(seed=7, scale="small") as emu:
        emu.company.settings.forbidden.add("AUDITHISTORY")
        now = emu.company.clock.now()
        with client_for(emu) as client:
            with pytest.raises(E.AuditPermissionDenied) as caught:
                client.audit_deletes(CATALOG["VENDOR"], now - timedelta(hours=1), now)
        assert isinstance(caught.value, E.PermissionDenied)
        assert isinstance(caught.value, E.AuditUnavailable)
        assert isinstance(caught.value.cause, E.PermissionDenied)


# --- 7. billed transactions ------------------------------------------------------------------


def test_our_transaction_counts_equal_the_emulators_bill() -> None:
    with Emulator(seed=7, scale="small") as emu:
        since, _ = _deleted(emu, "VENDOR")
        with client_for(emu, page_size=100) as client:
            with scope("run/APBILL"):
                fields = client.readable_fields(CATALOG["APBILL"])  # lookup + probe + refused
                list(client.read_pages(CATALOG["APBILL"], fields, window(emu)))
            with scope("run/VENDOR"):
                vendor = client.lookup("VENDOR")
                list(client.read_pages(CATALOG["VENDOR"], vendor, window(emu, since)))
                list(client.read_keys(CATALOG["VENDOR"]))
                client.count("VENDOR")
                client.summary("VENDOR", ["TOTALDUE"])
                client.audit_deletes(CATALOG["VENDOR"], since, emu.company.clock.now())
            udd = next(iter(client.dimensions()), None)
            client.dimensions()
        total = client.usage()
        assert total.transactions == emu.stats.transactions_total > 0
        assert client.stats().transactions == {k: v for k, v in emu.stats.transactions.items() if v}
        bills, vendors = client.usage("run/APBILL"), client.usage("run/VENDOR")
        assert bills.transactions == emu.stats.transactions["APBILL"]
        assert (
            vendors.transactions
            == emu.stats.transactions["VENDOR"] + emu.stats.transactions["AUDITHISTORY"]
        )
        assert bills.calls == bills.transactions + 2  # the login and lookup: calls, not billed
        assert total.calls > total.transactions and total.logins == 1
        assert udd is None or udd
