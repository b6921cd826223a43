"""What a person reads after a run: the summary table, the status table."""

from __future__ import annotations

import shutil

from rich.console import Console
from rich.table import Table

# Job logs are not terminals; rich would fold the tables to 80 columns there.
console = Console(width=max(shutil.get_terminal_size((130, 40)).columns, 130))


def print_summary(summary, title: str | None = None) -> None:
    table = Table(title=title or f"run {summary.run_id}")
    for col in (
        "object",
        "entity",
        "mode",
        "status",
        "read",
        "inserted",
        "updated",
        "deleted",
        "API calls",
        "transactions",
        "reconciled",
    ):
        table.add_column(
            col, justify="right" if col not in {"object", "entity", "mode", "status"} else "left"
        )
    for r in summary.results:
        rec = r.reconciled  # the _sync_runs column
        table.add_row(
            r.object,
            r.entity or "-",
            r.mode,
            r.status,
            f"{r.rows_read:,}",
            f"{r.rows_inserted:,}",
            f"{r.rows_updated:,}",
            f"{r.rows_deleted:,}",
            f"{r.api_calls:,}",
            f"{r.transactions:,}",
            "-" if rec is None else ("yes" if rec else "NO"),
        )
    console.print(table)
    for r in summary.failed:
        console.print(f"[red]{r.object}[/red]: {r.error_message}")
    for r in summary.results:
        for warning in r.warnings:
            console.print(f"[yellow]warning[/yellow] {r.object}: {warning}")
    if getattr(summary, "analytics", None) is not None:
        console.print(summary.analytics.summary())
    if summary.run is not None:
        for warning in summary.run.warnings:
            console.print(f"[yellow]warning[/yellow] run: {warning}")
    console.print(
        f"API calls: {summary.api_calls:,}; billable transactions: {summary.transactions:,}; "
        f"failed objects: {len(summary.failed)}"
    )


def print_status(state) -> None:
    marks = Table(title="where each object stands (from _sync_runs)")
    for col in ("object", "entity", "watermark", "last full read", "last key sweep", "updated"):
        marks.add_column(col)
    for s in state.states():
        marks.add_row(
            s.object,
            s.entity or "-",
            str(s.watermark),
            str(s.last_full_sync),
            str(s.last_key_sweep),
            str(s.updated_at),
        )
    console.print(marks)
    runs = Table(title="last runs (_sync_runs)")
    columns = ("run", "object", "status", "mode", "read", "ins", "upd", "del", "calls", "txns")
    for col in (*columns, "error"):
        runs.add_column(col)
    for r in state.last_runs(limit=40):
        runs.add_row(
            r.run_id,
            r.object,
            r.status,
            r.mode,
            str(r.rows_read),
            str(r.rows_inserted),
            str(r.rows_updated),
            str(r.rows_deleted),
            str(r.api_calls),
            str(r.transactions),
            (r.error_message or "")[:80],
        )
    console.print(runs)
