"""The run log's one record type: what one object's sync did, as ``_sync_runs`` stores it.

``RunRecord`` is filled in while the object syncs (counts, watermarks, warnings) and written as
one row; ``Reconciliation`` holds the counts and money sums of both sides. Pure data: no Spark,
no XML, so the pipeline, the report and the state store all speak the same type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

STATUSES = ("running", "succeeded", "failed", "skipped")
MODES = ("full", "incremental", "backfill", "run")
TARGET_BASES = ("scan", "changes", "unchanged")
RUN_OBJECT = "_run"  # the row that carries a whole run's totals and run-level warnings


def sums_json(sums: Mapping[str, Decimal]) -> str:
    """JSON for ``_sync_runs.source_sums``/``target_sums``: exact decimal strings, sorted keys."""
    return json.dumps({k: str(v) for k, v in sums.items()}, sort_keys=True)


def parse_sums(text: str | None) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in json.loads(text).items()} if text else {}


@dataclass(frozen=True)
class Reconciliation:
    """Counts and sums of one object on both sides; sums keyed ``FIELD`` or ``FIELD[group]``."""

    object: str
    source_count: int
    target_count: int
    source_sums: dict[str, Decimal]
    target_sums: dict[str, Decimal]
    api_calls: int = 0
    changed_after_window: int = 0  # Intacct rows modified after the window end (read next run)
    # How the table's figures were had (TARGET_BASES): counted by a scan of its live rows, the
    # last figures with the commits since added from the change data feed, or the last figures
    # as they were (the table at the same version).
    target_basis: str = "scan"

    @property
    def matched(self) -> bool:
        return self.source_count == self.target_count and self.source_sums == self.target_sums

    def differences(self) -> list[str]:
        """Each figure that differs, as ``what: Intacct X, table Y (table - Intacct = D)``."""
        out = []
        if self.source_count != self.target_count:
            gap = self.target_count - self.source_count
            out.append(f"rows: Intacct {self.source_count}, table {self.target_count} ({gap:+d})")
        for name in sorted(set(self.source_sums) | set(self.target_sums)):
            source = self.source_sums.get(name, Decimal(0))
            target = self.target_sums.get(name, Decimal(0))
            if source != target:
                out.append(f"sum {name}: Intacct {source}, table {target} ({target - source:+})")
        return out

    def warning(self) -> str | None:
        if self.matched:
            return None
        text = f"{self.object} does not reconcile with Intacct: " + "; ".join(self.differences())
        if self.changed_after_window:
            text += (
                f". {self.changed_after_window} record(s) changed in Intacct after this run's "
                "window end (the lag); they are read by the next run, check again then."
            )
        return text


@dataclass
class RunRecord:
    """One object's run (per entity): the ``_sync_runs`` row, filled in as the sync goes."""

    run_id: str
    object: str
    entity: str
    started_at: datetime
    table: str = ""
    ended_at: datetime | None = None
    status: str = "running"
    mode: str = "incremental"
    rows_read: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    api_calls: int = 0  # every request: logins, lookups and data reads
    transactions: int = 0  # the billable ones: query, readByQuery, readMore (docs/protocol.md §12)
    pages: int = 0
    bytes: int = 0
    watermark_before: datetime | None = None
    watermark_after: datetime | None = None
    error_message: str | None = None
    warnings: list[str] = field(default_factory=list)
    reconciliation: Reconciliation | None = None
    keys_swept: bool = False  # a complete key set was compared this run
    table_version: int | None = None  # the table's Delta version after this run's writes
    fields_hash: str | None = None  # the fields read (lookup minus skipped), to spot changes
    source_digest: str | None = None  # content digest of a full read (objects read in full)
    refused_fields: str | None = None  # fields Intacct's query refused (comma list; §17)
    page_size: int | None = None  # a smaller page size learned from Intacct's timeouts (§17)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"run status must be one of {STATUSES}, not {self.status!r}")
        if self.mode not in MODES:
            raise ValueError(f"run mode must be one of {MODES}, not {self.mode!r}")

    @property
    def reconciled(self) -> bool | None:
        """True/False when reconciliation ran; None when it was off or could not run."""
        return None if self.reconciliation is None else self.reconciliation.matched

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def row(self) -> dict[str, Any]:
        """The ``_sync_runs`` row: flat columns, sums as JSON of exact decimal strings."""
        rec = self.reconciliation
        plain = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("table", "warnings", "reconciliation")
        }
        return {
            **plain,
            "watermark_after": self.watermark_after
            if self.status == "succeeded"
            else self.watermark_before,
            "warnings": json.dumps(self.warnings) if self.warnings else None,
            "source_count": rec.source_count if rec else None,
            "target_count": rec.target_count if rec else None,
            "source_sums": sums_json(rec.source_sums) if rec else None,
            "target_sums": sums_json(rec.target_sums) if rec else None,
            "reconciled": self.reconciled,
            "reconcile_api_calls": rec.api_calls if rec else 0,
            "target_basis": rec.target_basis if rec else None,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RunRecord:
        """A record read back from ``_sync_runs``."""
        rec = None
        if row.get("source_count") is not None:
            rec = Reconciliation(
                row["object"],
                row["source_count"],
                row["target_count"],
                parse_sums(row.get("source_sums")),
                parse_sums(row.get("target_sums")),
                api_calls=row.get("reconcile_api_calls") or 0,
                target_basis=row.get("target_basis") or "scan",
            )
        names = {f.name for f in fields(cls)} - {"warnings", "reconciliation"}
        return cls(
            **{k: row[k] for k in names if k in row},
            warnings=json.loads(row["warnings"]) if row.get("warnings") else [],
            reconciliation=rec,
        )
