"""How deletes in Intacct reach the Delta tables (PROTOCOL.md §9).

Intacct keeps no tombstones. Three sources, per object, as its catalog entry declares:

* a full read saw every live key, so any other key in the table is gone;
* AUDITHISTORY rows with ACCESSMODE 'D' in the change window (when the user may read it;
  otherwise a warning and a key reconciliation instead);
* cascades: a deleted header takes its lines with it (APBILL -> APBILLITEM, APPYMTDETAIL;
  APPYMT -> APPYMTDETAIL; GLBATCH -> GLENTRY), since Intacct audits only the header.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from intacct_sync.intacct.objects import ObjectSpec, children_of

log = logging.getLogger("intacct_sync.deletes")


@dataclass
class DeleteContext:
    spec: ObjectSpec
    client: object  # IntacctClient
    writer: object  # TableWriter of spec
    writer_for: Callable[[ObjectSpec], object]  # TableWriter of another object (cascades)
    run_id: str
    now: Callable[[], datetime]
    warnings: list[str] = field(default_factory=list)


def apply_deletes(
    ctx: DeleteContext, start: datetime | None, end: datetime, keys_seen: list[pa.Array], had_rows: bool
) -> int:
    """Mark this run's deletes; returns how many rows of ``ctx.spec``'s table were marked."""
    if start is None:
        # A full read saw every live key: anything else in the table is gone.
        if not had_rows:
            return 0  # a brand-new table holds only what was just read
        return ctx.writer.reconcile_keys(keys_seen, run_id=ctx.run_id, synced_at=ctx.now())
    deleted = audit_deletes(ctx, start, end)
    if deleted is None:
        return reconcile_all_keys(ctx)
    count = ctx.writer.mark_deleted(deleted, run_id=ctx.run_id, synced_at=ctx.now()) if deleted else 0
    cascade(ctx, deleted)
    return count


def audit_deletes(ctx: DeleteContext, start: datetime, end: datetime) -> list[int] | None:
    """Keys deleted in the window per AUDITHISTORY, or None when the user may not read it."""
    from intacct_sync.intacct.errors import PermissionDenied

    try:
        return ctx.client.audit_deletes(ctx.spec, start, end)
    except PermissionDenied as exc:
        message = (
            f"AUDITHISTORY is not readable by this user ({exc.errornos or 'permission denied'}); "
            "deletes were found by a key reconciliation instead, which costs more API calls. "
            "Grant the web-services user 'View' on audit trails (custom reports permission)."
        )
        ctx.warnings.append(message)
        log.warning("%s: %s", ctx.spec.name, message)
        return None


def reconcile_all_keys(ctx: DeleteContext) -> int:
    """Read only the keys from Intacct and mark every table row not among them as deleted."""
    keys = list(ctx.client.read_keys(ctx.spec))
    count = ctx.writer.reconcile_keys(keys, run_id=ctx.run_id, synced_at=ctx.now())
    return count


def cascade(ctx: DeleteContext, deleted_headers: list[int]) -> None:
    """Lines of deleted headers are deleted too (Intacct audits only the header)."""
    if not deleted_headers:
        return
    for child, parent in children_of(ctx.spec.name):
        ctx.writer_for(child).mark_deleted_where_parent(
            parent.field, deleted_headers, run_id=ctx.run_id, synced_at=ctx.now()
        )
