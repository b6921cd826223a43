"""The run summary a person reads: the reconciled column says what _sync_runs says."""

from __future__ import annotations

import io

from rich.console import Console

from intacct_sync import report
from intacct_sync.pipeline import RunSummary
from intacct_sync.sync_object import ObjectResult


def test_summary_shows_reconciled_yes_no_and_dash(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(report, "console", Console(file=out, width=200, color_system=None))
    results = [
        ObjectResult(
            "APBILL", "ap_bill", "", status="succeeded", reconciliation={"reconciled": True}
        ),
        ObjectResult(
            "VENDOR", "vendor", "", status="succeeded", reconciliation={"reconciled": False}
        ),
        ObjectResult("CLASS", "class", "", status="succeeded", reconciliation={}),
    ]
    report.print_summary(RunSummary("r1", results))
    rows = {
        line.split()[1]: line.split()[-2] for line in out.getvalue().splitlines() if "│" in line
    }
    assert rows == {"APBILL": "yes", "VENDOR": "NO", "CLASS": "-"}
