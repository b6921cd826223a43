"""The finance dashboard file (resources/intacct_finance.lvdash.json) as queries to run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DASHBOARD = Path(__file__).resolve().parents[2] / "resources" / "intacct_finance.lvdash.json"


def load() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def datasets(dashboard: dict[str, Any]) -> dict[str, str]:
    """Dataset name -> its SQL (``queryLines`` joined, as Lakeview joins them)."""
    return {d["name"]: "".join(d["queryLines"]) for d in dashboard["datasets"]}


def widgets(dashboard: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(page name, widget) for every widget of every page."""
    for page in dashboard["pages"]:
        for item in page["layout"]:
            yield page["name"], item["widget"]


def widget_sql(dataset_sql: str, query: dict[str, Any]) -> str:
    """What Lakeview runs for a widget: its fields over the dataset, grouped by the fields that
    are not aggregates unless the widget shows rows as they are (``disaggregated``)."""
    fields = ", ".join(f"{f['expression']} AS `{f['name']}`" for f in query["fields"])
    grouped = "" if query["disaggregated"] else " GROUP BY ALL"
    return f"SELECT {fields} FROM ({dataset_sql}) AS dataset{grouped}"
