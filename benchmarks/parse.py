"""Parse throughput: one real 2000-row ``query`` page, bytes -> rows, three ways.

The page is taken from the emulator through the client itself (a gateway that keeps the last
response body), so it is byte for byte what the client parses in a sync. Contenders:

- ``ours``: the client's path, ``gateway.raise_for_response`` (safe parse, control /
  authentication / result checks) then ``records.build_batch`` (typed Arrow RecordBatch);
- ``lxml``: bare ``etree.fromstring`` and a walk touching every record field's ``.text``;
- ``xmltodict``: ``xmltodict.parse`` of the same bytes (dicts of strings, no types).

Each round runs every contender once, interleaved, so a noisy neighbour slows all of them
alike; the figure is the median over rounds. ``ours`` is also split into its stages.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import xmltodict
from lxml import etree

from intacct_sync.emulator import Emulator
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.fields import Field
from intacct_sync.intacct.gateway import Gateway, raise_for_response
from intacct_sync.intacct.records import Window, build_batch, raw_columns
from intacct_sync.intacct.session import Credentials
from intacct_sync.intacct.values import to_arrow

OBJECT = "APBILLITEM"
TZ = "America/Los_Angeles"


class _KeepingGateway(Gateway):
    """A gateway that remembers the last response body it received."""

    last_body: bytes = b""

    def _send(self, url: str, body: bytes, functions: list[str]) -> tuple[int, dict, bytes]:
        status, headers, payload = super()._send(url, body, functions)
        self.last_body = payload
        return status, headers, payload


@dataclass(frozen=True)
class SamplePage:
    body: bytes
    fields: list[Field]
    rows: int


def sample_page(seed: int = 7) -> SamplePage:
    """The first 2000-row APBILLITEM page of a small emulator company, as raw bytes."""
    with Emulator(seed=seed, scale="small", bills=800) as emu:
        gateway = _KeepingGateway()
        client = IntacctClient(emu.url, Credentials(**emu.credentials), _gateway=gateway)
        with client:
            fields = client.lookup(OBJECT)
            window = Window(None, datetime.now(timezone.utc))
            page = next(iter(client.read_pages(CATALOG[OBJECT], fields, window)))
    if page.num_rows != 2000:
        raise RuntimeError(f"expected a full 2000-row page, got {page.num_rows} rows")
    return SamplePage(gateway.last_body, fields, page.num_rows)


def ours(page: SamplePage) -> int:
    response = raise_for_response(200, {}, page.body, sent_session=True, object=OBJECT)
    records = list(response.results[0].data)
    return build_batch(records, page.fields, tz=TZ, object_name=OBJECT).num_rows


def bare_lxml(page: SamplePage) -> int:
    data = etree.fromstring(page.body).find("operation/result/data")
    rows = 0
    for record in data:
        for child in record:
            _ = child.text
        rows += 1
    return rows


def with_xmltodict(page: SamplePage) -> int:
    data = xmltodict.parse(page.body)["response"]["operation"]["result"]["data"]
    return len(data[OBJECT])


def _stages(page: SamplePage) -> dict[str, float]:
    """Seconds of each stage of ``ours``: tree + checks, column walk, Arrow conversion."""
    t0 = time.perf_counter()
    response = raise_for_response(200, {}, page.body, sent_session=True, object=OBJECT)
    records = list(response.results[0].data)
    t1 = time.perf_counter()
    columns = raw_columns(records, [f.name for f in page.fields])
    t2 = time.perf_counter()
    for values, f in zip(columns, page.fields, strict=True):
        to_arrow(values, f.type, tz=TZ, object_name=OBJECT, name=f.name)
    t3 = time.perf_counter()
    return {"tree": t1 - t0, "walk": t2 - t1, "arrow": t3 - t2}


CONTENDERS: dict[str, Callable[[SamplePage], int]] = {
    "ours": ours,
    "lxml": bare_lxml,
    "xmltodict": with_xmltodict,
}


def run(rounds: int = 15) -> dict:
    """Median seconds per page and rows/s of each contender, ratios against ``ours``."""
    page = sample_page()
    for fn in CONTENDERS.values():  # warm caches and check every contender sees every row
        if fn(page) != page.rows:
            raise RuntimeError(f"{fn.__name__} did not see {page.rows} rows")
    seconds: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    stages: dict[str, list[float]] = {"tree": [], "walk": [], "arrow": []}
    for _ in range(rounds):
        for name, fn in CONTENDERS.items():
            began = time.perf_counter()
            fn(page)
            seconds[name].append(time.perf_counter() - began)
        for stage, value in _stages(page).items():
            stages[stage].append(value)
    median = {name: statistics.median(values) for name, values in seconds.items()}
    return {
        "rows": page.rows,
        "bytes": len(page.body),
        "fields": len(page.fields),
        "rounds": rounds,
        "seconds": median,
        "rows_per_s": {name: page.rows / s for name, s in median.items()},
        "ours_stage_seconds": {k: statistics.median(v) for k, v in stages.items()},
    }
