"""The run summary a person reads: the reconciled column says what _sync_runs says."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from rich.console import Console

from intacct_sync import report
from intacct_sync.lake.runlog import Reconciliation, RunRecord
from intacct_sync.pipeline import RunSummary

T0 = datetime(2026, 11, 30, tzinfo=timezone.utc)


def test_summary_shows_reconciled_yes_no_and_dash(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(report, "console", Console(file=out, width=200, color_system=None))

    def run(obj: str, reconciliation: Reconciliation | None) -> RunRecord:
        return RunRecord("r1", obj, "", T0, status="succeeded", reconciliation=reconciliation)

    results = [
        run("APBILL", Reconciliation("APBILL", 1, 1, {}, {})),
        run("VENDOR", Reconciliation("VENDOR", 2, 1, {}, {})),
        run("CLASS", None),
    ]
    report.print_summary(RunSummary("r1", results))
    rows = {
        line.split()[1]: line.split()[-2] for line in out.getvalue().splitlines() if "│" in line
    }
    assert rows == {"APBILL": "yes", "VENDOR": "NO", "CLASS": "-"}
