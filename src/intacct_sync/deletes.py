"""How deletes in Intacct reach the Delta tables (PROTOCOL.md §9).

Intacct keeps no tombstones. Three sources, per object, as its catalog entry declares:

* AUDITHISTORY rows with ACCESSMODE 'D' in the change window (objects with the ``audit`` or
  ``cascade`` strategy: Intacct audits a line deleted on its own under the line's object type).
  When the user may not read AUDITHISTORY: a warning, and a key sweep instead;
* a key sweep: read only the keys and mark every other live row deleted. A full read
  is one for free; otherwise it runs on a cadence (``key_sweep_every``), on demand
  (``sweep_keys``), and on every run for objects without an audit trail (``reconcile``);
* cascades: a deleted header takes its lines with it (APBILL -> APBILLITEM, APPYMTDETAIL;
  APPYMT -> APPYMTDETAIL; GLBATCH -> GLENTRY), since Intacct audits only the header.

Rows are soft-deleted (``_deleted = true``) unless ``hard_delete`` is set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from intacct_sync.intacct.objects import DeleteStrategy, ObjectSpec, children_of

if TYPE_CHECKING:
    from intacct_sync.config import Settings
    from intacct_sync.intacct.client import IntacctClient
    from intacct_sync.lake.writer import TableWriter

log = logging.getLogger("intacct_sync.deletes")


@dataclass(kw_only=True)
class DeleteContext:
    """What the delete steps of one object need (built by keyword: no positional mix-ups)."""

    spec: ObjectSpec
    client: IntacctClient
    writer: TableWriter  # of spec's table
    writer_for: Callable[[ObjectSpec], TableWriter]  # another object's table (cascades)
    run_id: str
    now: Callable[[], datetime]
    warnings: list[str] = field(default_factory=list)
    entity: str = ""  # an entity session sweeps only its entity's rows


@dataclass(frozen=True)
class DeleteOutcome:
    deleted: int  # rows of the object's own table marked (or removed)
    keys_swept: bool  # a complete key set was compared: stamp last_key_reconcile


def sweep_due(settings: Settings, last_key_reconcile: datetime | None, now: datetime) -> bool:
    """Is a key sweep due this run (forced, never done, or older than the cadence)?"""
    if settings.sweep_keys or last_key_reconcile is None:
        return True
    return now - last_key_reconcile >= settings.key_sweep_every


def apply_deletes(
    ctx: DeleteContext,
    start: datetime | None,
    end: datetime,
    keys_seen: list[pa.Array],
    had_rows: bool,
    sweep_keys: bool = False,
) -> DeleteOutcome:
    """Mark this run's deletes in ``ctx.spec``'s table (and cascade them to its lines)."""
    if start is None:
        # A full read saw every live key: anything else in the table is gone.
        if not had_rows:
            return DeleteOutcome(0, True)  # a brand-new table holds only what was just read
        return DeleteOutcome(_sweep(ctx, keys_seen), True)
    count = 0
    if ctx.spec.deletes is DeleteStrategy.SWEEP:
        sweep_keys = True  # no audit trail to read
    else:
        deleted = audit_deletes(ctx, start, end)
        if deleted is None:
            sweep_keys = True
        elif deleted:
            count += ctx.writer.mark_deleted(deleted, run_id=ctx.run_id, synced_at=ctx.now())
            cascade(ctx, deleted)
    if sweep_keys:
        count += sweep_all_keys(ctx)
    return DeleteOutcome(count, sweep_keys)


def audit_deletes(ctx: DeleteContext, start: datetime, end: datetime) -> list[int] | None:
    """Keys deleted in the window per AUDITHISTORY, or None when the user may not read it."""
    from intacct_sync.intacct.errors import PermissionDenied

    try:
        return ctx.client.audit_deletes(ctx.spec, start, end)
    except PermissionDenied as exc:
        message = (
            f"{ctx.spec.name}: AUDITHISTORY is not readable by this user "
            f"({', '.join(exc.errornos) if exc.errornos else 'permission denied'}); deletes were "
            "found by a key sweep instead, which reads every key. Grant the web-services "
            "user 'View' on audit trails (Platform Services custom reports permission)."
        )
        if message not in ctx.warnings:
            ctx.warnings.append(message)
        log.warning("%s", message)
        return None


def sweep_all_keys(ctx: DeleteContext) -> int:
    """Read only the keys from Intacct and mark every table row not among them as deleted."""
    return _sweep(ctx, list(ctx.client.read_keys(ctx.spec)))


def _sweep(ctx: DeleteContext, keys: list[pa.Array]) -> int:
    # An empty key set is refused by the writer (it would delete the whole table): an object
    # that really emptied out needs a look by a person, the error says so.
    return ctx.writer.sweep_keys(
        keys, run_id=ctx.run_id, synced_at=ctx.now(), entity=ctx.entity or None
    )


def cascade(ctx: DeleteContext, deleted_headers: list[int]) -> None:
    """Lines of deleted headers are deleted too (Intacct audits only the header)."""
    for child, parent in children_of(ctx.spec.name):
        ctx.writer_for(child).mark_deleted_where_parent(
            parent.field, deleted_headers, run_id=ctx.run_id, synced_at=ctx.now()
        )
