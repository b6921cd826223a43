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
  APPYMT -> APPYMTDETAIL; GLBATCH -> GLENTRY), since Intacct audits only the header. The line
  object takes its headers' audited deletes itself, from its own window start, whether or not
  the header object is synced in the run.

A line object's own deletes and its headers' reach its table in one statement, and when the
run's window brought rows to write, in the same MERGE as those rows (one commit): without
deletion vectors every commit rewrites the files it touches, so one pass, not two or three.

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
from intacct_sync.intacct.objects import DeleteStrategy, ObjectSpec

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
    run_id: str
    now: Callable[[], datetime]
    audit: AuditBoard
    warnings: list[str] = field(default_factory=list)
    entity: str = ""  # an entity session sweeps only its entity's rows


@dataclass(frozen=True)
class DeleteOutcome:
    deleted: int  # rows of the object's own table marked (or removed)
    keys_swept: bool  # a complete key set was compared: the sweep cadence restarts


@dataclass(frozen=True)
class Audited:
    """An object's deletes found in the audit trail, by the column they match."""

    matching: dict[str, list[int]]  # {"RECORDNO": own deletes, "RECORDKEY": deleted headers}
    sweep: bool  # the audit trail could not be read: a key sweep finds the deletes instead


def audited_deletes(ctx: DeleteContext) -> Audited:
    """The object's audited deletes and, for a line object, its headers' (warnings on
    ``ctx``). The load's MERGE applies them when the window has rows (one commit for both);
    otherwise ``apply_deletes`` does."""
    sweep = False
    matching: dict[str, list[int]] = {}
    if ctx.spec.deletes is not DeleteStrategy.SWEEP:
        found = ctx.audit.deletes_for(ctx.entity, ctx.spec.name)
        if found.unavailable:
            warn(ctx, f"{ctx.spec.name}: {found.unavailable}")
            sweep = True
        elif found.keys:
            matching[ctx.spec.key] = list(found.keys)
    if ctx.spec.deletes is DeleteStrategy.CASCADE:
        for column, keys in headers_deleted(ctx).items():
            matching.setdefault(column, []).extend(keys)
    return Audited(matching, sweep)


def apply_deletes(
    ctx: DeleteContext,
    *,
    full_read: bool,
    keys_seen: list[pa.Array],
    table_was_new: bool,
    sweep_due: bool,
    folded: Audited | None = None,
) -> DeleteOutcome:
    """Mark this run's deletes in ``ctx.spec``'s table (a line object: its headers' too).

    ``folded``: the audited deletes the load's MERGE already applied; only a sweep, if due,
    is left to do."""
    if full_read:
        # A full read saw every live key: anything else in the table is gone.
        if table_was_new:
            return DeleteOutcome(0, True)  # a brand-new table holds only what was just read
        return DeleteOutcome(_sweep(ctx, keys_seen), True)
    count = 0
    audited = folded or audited_deletes(ctx)
    sweep = sweep_due or ctx.spec.deletes is DeleteStrategy.SWEEP or audited.sweep
    if audited.matching and folded is None:
        count += ctx.writer.mark_deleted_matching(
            audited.matching, run_id=ctx.run_id, synced_at=ctx.now()
        )
    if sweep:
        count += sweep_all_keys(ctx)
    return DeleteOutcome(count, sweep)


def headers_deleted(ctx: DeleteContext) -> dict[str, list[int]]:
    """The audited deletes of a line object's headers since the line's own window start, by
    the line's column naming the header. Intacct audits only the header, so its lines go with
    it; whether the header object is synced this run or not, read in full or not."""
    since = ctx.audit.since(ctx.entity, ctx.spec.name)
    out: dict[str, list[int]] = {}
    for parent in ctx.spec.parents:
        found = ctx.audit.deletes_for(ctx.entity, parent.object, since=since)
        if found.unavailable:
            warn(ctx, f"{ctx.spec.name}: {found.unavailable}")
        elif found.keys:
            out.setdefault(parent.field, []).extend(found.keys)
    return out


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
