"""How deletes in Intacct reach the Delta tables (docs/protocol.md §9).

Intacct keeps no tombstones. Three sources, per object, as its catalog entry declares:

* AUDITHISTORY rows with ACCESSMODE 'D' in the change window (objects with the ``audit`` or
  ``cascade`` strategy: Intacct audits a line deleted on its own under the line's object type),
  read once per run for every object (``audit.AuditBoard``). When the audit trail cannot be
  read: a warning, and a key sweep instead;
* a key sweep: read only the keys and mark every other live row deleted. A full read is one for
  free; otherwise it runs on a cadence (``key_sweep_every``), on demand (``sweep_keys``), and
  on every run for objects without an audit trail (``sweep``);
* cascades: a deleted header takes its lines with it (APBILL -> APBILLITEM, APPYMTDETAIL;
  APPYMT -> APPYMTDETAIL; GLBATCH -> GLENTRY), since Intacct audits only the header.

Rows are soft-deleted (``_deleted = true``) unless ``hard_delete`` is set. Nothing is written
when nothing was deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from intacct_sync.audit import AuditBoard
from intacct_sync.intacct.objects import DeleteStrategy, ObjectSpec, children_of

if TYPE_CHECKING:
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
    audit: AuditBoard
    specs: dict[str, ObjectSpec] = field(default_factory=dict)  # this run's objects (cascades)
    warnings: list[str] = field(default_factory=list)
    entity: str = ""  # an entity session sweeps only its entity's rows
    # Header objects whose audited deletes this run already took to their lines (shared by
    # the run's objects; headers finish before their lines, a tier earlier).
    cascaded: set[str] = field(default_factory=set)
    # Rows cascades marked, per line object: their tables changed although their own sync
    # found nothing (so they are reconciled and their version recorded).
    cascaded_into: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DeleteOutcome:
    deleted: int  # rows of the object's own table marked (or removed)
    keys_swept: bool  # a complete key set was compared: the sweep cadence restarts
    cascaded: int = 0  # lines of deleted headers marked in their own tables


def apply_deletes(
    ctx: DeleteContext,
    *,
    full_read: bool,
    keys_seen: list[pa.Array],
    table_was_new: bool,
    sweep_due: bool,
) -> DeleteOutcome:
    """Mark this run's deletes in ``ctx.spec``'s table (and cascade them to its lines)."""
    if full_read:
        # A full read saw every live key: anything else in the table is gone.
        if table_was_new:
            return DeleteOutcome(0, True)  # a brand-new table holds only what was just read
        return DeleteOutcome(_sweep(ctx, keys_seen), True)
    count = cascaded = 0
    sweep = sweep_due or ctx.spec.deletes is DeleteStrategy.SWEEP  # no audit trail to read
    if ctx.spec.deletes is not DeleteStrategy.SWEEP:
        found = ctx.audit.deletes_for(ctx.entity, ctx.spec.name)
        if found.unavailable:
            warn(ctx, f"{ctx.spec.name}: {found.unavailable}")
            sweep = True
        else:
            if found.keys:
                count += ctx.writer.mark_deleted(found.keys, run_id=ctx.run_id, synced_at=ctx.now())
                cascaded = cascade(ctx, found.keys)
            ctx.cascaded.add(ctx.spec.name)
    if ctx.spec.deletes is DeleteStrategy.CASCADE:
        count += orphaned_lines(ctx)
    if sweep:
        count += sweep_all_keys(ctx)
    return DeleteOutcome(count, sweep, cascaded)


def orphaned_lines(ctx: DeleteContext) -> int:
    """Lines whose header was deleted, when no header sync of this run took the delete to them
    (the header object is not synced, failed, or read in full: a first or forced full read
    finds no audited deletes to cascade)."""
    total = 0
    for parent in ctx.spec.parents:
        if parent.object in ctx.cascaded:
            continue
        found = ctx.audit.deletes_for(ctx.entity, parent.object)
        if found.unavailable:
            warn(ctx, f"{ctx.spec.name}: {found.unavailable}")
        elif found.keys:
            total += ctx.writer.mark_deleted_where_parent(
                parent.field, found.keys, run_id=ctx.run_id, synced_at=ctx.now()
            )
    return total


def warn(ctx: DeleteContext, message: str) -> None:
    if message not in ctx.warnings:
        ctx.warnings.append(message)
        log.warning("%s", message)


def sweep_all_keys(ctx: DeleteContext) -> int:
    """Read only the keys from Intacct and mark every table row not among them as deleted."""
    return _sweep(ctx, list(ctx.client.read_keys(ctx.spec)))


def _sweep(ctx: DeleteContext, keys: list[pa.Array]) -> int:
    # An empty key set is refused by the writer (it would delete the whole table): an object
    # that really emptied out needs a look by a person, the error says so.
    return ctx.writer.sweep_keys(
        keys, run_id=ctx.run_id, synced_at=ctx.now(), entity=ctx.entity or None
    )


def cascade(ctx: DeleteContext, deleted_headers: list[int]) -> int:
    """Lines of deleted headers are deleted too (Intacct audits only the header)."""
    total = 0
    for child, parent in children_of(ctx.spec.name, ctx.specs):
        marked = ctx.writer_for(child).mark_deleted_where_parent(
            parent.field, deleted_headers, run_id=ctx.run_id, synced_at=ctx.now()
        )
        ctx.cascaded_into[child.name] = ctx.cascaded_into.get(child.name, 0) + marked
        total += marked
    return total
