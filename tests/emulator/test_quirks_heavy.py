"""Heavy query pages answer the Cloudflare 524; half the page from the same keyset goes on (§17)."""

from __future__ import annotations

import time

from lxml import etree

from intacct_sync.emulator.heavy import page_cost
from intacct_sync.emulator.quirks import HEAVY_BUDGET, UNQUERYABLE

from .gw import envelope, post, query, result, rows, session


def _glentry(emu, sid, after: int, size: int, obj: str = "GLENTRY"):
    refused = UNQUERYABLE.get(obj, ())  # full width, less what query refuses anyway
    fields = [f for f in emu.company.definition(obj).names if f not in refused]
    filt = f"<greaterthan><field>RECORDNO</field><value>{after}</value></greaterthan>"
    order = "<orderby><order><field>RECORDNO</field><ascending/></order></orderby>"
    body = query(obj, fields, filt, f"{order}<pagesize>{size}</pagesize>")
    return post(emu.data_url, envelope(emu, body, session=sid))


def test_default_budget_fails_a_full_width_2000_row_page_and_passes_half_of_it(emulator_module):
    width = len(emulator_module.company.definition("GLENTRY").fields)
    assert page_cost(2000, width) > HEAVY_BUDGET
    assert page_cost(1000, width) <= HEAVY_BUDGET


def test_rows_on_the_page_count_not_the_pagesize_asked(emulator_module):
    sid = session(emulator_module)
    visible = emulator_module.company.rows("GLENTRY", include_private=False)
    after = int(visible[-500]["RECORDNO"]) - 1  # 500 rows left: a light page, though 2000 asked
    resp = _glentry(emulator_module, sid, after, 2000)
    assert resp.status_code == 200
    assert len(rows(etree.fromstring(resp.content))) == 500


def test_a_heavy_page_times_out_and_half_of_it_goes_on_from_the_same_position(emulator):
    sid = session(emulator)
    width = len(emulator.company.definition("GLENTRY").fields)
    emulator.quirks.heavy_budget = 150 * width  # 200 rows time out, 100 do not
    emulator.quirks.heavy_seconds = 0.3
    after = 57
    started = time.monotonic()
    resp = _glentry(emulator, sid, after, 200)
    assert time.monotonic() - started >= 0.3
    assert resp.status_code == 524
    assert "cf-error-details" in resp.text and "<response>" not in resp.text
    resp = _glentry(emulator, sid, after, 100)
    assert resp.status_code == 200
    got = [int(r["RECORDNO"]) for r in rows(etree.fromstring(resp.content))]
    visible = emulator.company.rows("GLENTRY", include_private=False)
    keys = sorted(int(r["RECORDNO"]) for r in visible)
    assert got == [k for k in keys if k > after][:100]
    # The lost page ran and was billed, as the real one goes on working behind the CDN.
    assert emulator.stats.transactions["GLENTRY"] == 2


def test_only_heavy_objects_and_the_switch(emulator):
    sid = session(emulator)
    emulator.quirks.heavy_budget = 10
    assert _glentry(emulator, sid, 0, 50, obj="APBILLITEM").status_code == 200
    assert _glentry(emulator, sid, 0, 50).status_code == 524
    emulator.quirks.heavy_objects = ("GLENTRY", "APBILLITEM")
    assert _glentry(emulator, sid, 0, 50, obj="APBILLITEM").status_code == 524
    emulator.quirks.heavy_timeout = False
    resp = _glentry(emulator, sid, 0, 50)
    assert resp.status_code == 200
    assert result(etree.fromstring(resp.content)).findtext("status") == "success"


def test_a_fault_on_a_request_lost_to_a_524_decided_nothing(emulator):
    sid = session(emulator)
    emulator.quirks.heavy_budget = 10
    emulator.faults.add("malformed_xml@call=1")
    assert _glentry(emulator, sid, 0, 50).status_code == 524
    assert emulator.faults.injected[-1]["decisive"] is False
