"""The finance dashboard file, checked offline: what it reads, and that its widgets fit together.

The queries themselves run against a synced local warehouse in
tests/integration/test_analytics.py.
"""

from __future__ import annotations

import re
from itertools import combinations

from intacct_sync.analytics.views import BY_NAME
from tests.support.dashboard import datasets, load, widgets

PAGES = {
    "ap_aging": "AP aging",
    "cash_forecast": "Cash forecast",
    "vendor_spend": "Vendor spend",
    "trial_balance": "Trial balance by account group",
    "cost_centers": "Cost-center spend",
}
GRID = 6  # Lakeview's canvas is six columns wide
READS = re.compile(r"\b(?:FROM|JOIN)\s+([`\w.]+)", re.IGNORECASE)


def test_the_pages_are_the_five_finance_views():
    assert {p["name"]: p["displayName"] for p in load()["pages"]} == PAGES


def test_datasets_read_only_analysis_views_by_their_bare_name():
    """The bundle's dataset_catalog and dataset_schema place the views: a qualified name, or a
    catalog or schema on a dataset, would pin the dashboard to one schema."""
    dashboard = load()
    assert all(set(d) == {"name", "displayName", "queryLines"} for d in dashboard["datasets"])
    read = {name for sql in datasets(dashboard).values() for name in READS.findall(sql)}
    assert read and read <= set(BY_NAME), read - set(BY_NAME)


def test_every_widget_reads_a_dataset_and_shows_only_fields_it_asks_for():
    dashboard = load()
    names = set(datasets(dashboard))
    used = set()
    for page, widget in widgets(dashboard):
        if "multilineTextboxSpec" in widget:
            continue
        fields = set()
        for query in widget["queries"]:
            assert query["query"]["datasetName"] in names, (page, widget["name"])
            used.add(query["query"]["datasetName"])
            fields |= {f["name"] for f in query["query"]["fields"]}
        encodings = widget["spec"]["encodings"]
        shown = [e["fieldName"] for e in encodings.get("columns", [])]
        shown += [e["fieldName"] for e in encodings.values() if isinstance(e, dict)]
        assert shown and set(shown) <= fields, (page, widget["name"], set(shown) - fields)
    assert used == names  # no dataset left unused


def test_widget_names_are_unique_and_widgets_do_not_overlap():
    dashboard = load()
    named = [widget["name"] for _page, widget in widgets(dashboard)]
    assert len(named) == len(set(named))
    for page in dashboard["pages"]:
        boxes = [(item["widget"]["name"], item["position"]) for item in page["layout"]]
        for _name, p in boxes:
            assert p["x"] >= 0 and p["width"] > 0 and p["x"] + p["width"] <= GRID
        for (a, p), (b, q) in combinations(boxes, 2):
            apart = (
                p["x"] + p["width"] <= q["x"]
                or q["x"] + q["width"] <= p["x"]
                or p["y"] + p["height"] <= q["y"]
                or q["y"] + q["height"] <= p["y"]
            )
            assert apart, (page["name"], a, b)
