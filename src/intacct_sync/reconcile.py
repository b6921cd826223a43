"""Reconciliation on every run: Intacct's own count and money sums against the Delta table.

After an object is loaded, Intacct is asked for its row count (``COUNT`` aggregate, or
``totalcount`` of a ``query`` with ``pagesize`` 1 where there is nothing to sum;
docs/protocol.md §9) and for the exact sums of the object's money fields
(``query`` aggregates, grouped where the catalog says so, e.g. GLENTRY AMOUNT by TR_TYPE). The
live rows of the table are summed the same way with exact decimals. Equal on every figure means
the table holds what Intacct holds; anything else is a warning naming the object and the
differences. Cost: one call (the count rides along with the sums in one aggregate query; one per
page of aggregate rows, one page in practice), and one more only when they differ (to tell a real
gap from changes made after the window end).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from intacct_sync.intacct.objects import ObjectSpec
from intacct_sync.lake.runlog import Reconciliation, RunRecord

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

log = logging.getLogger("intacct_sync.reconcile")

# The table's figures at an earlier version (count, sums) and its row changes since then (the
# change data feed up to the version reconciled): ``target_after_changes``.
Since = tuple[int, dict[str, Decimal], Callable[[], "DataFrame"]]


def reconcile(
    spec: ObjectSpec,
    client,  # IntacctClient (entity-scoped or top level with showprivate, as the read was)
    table: Callable[[], DataFrame],  # the object's live rows in the Delta table, at one version
    *,
    entity: str,
    window_end: datetime,
    calls: Callable[[], int],
    known_target: tuple[int, dict[str, Decimal]] | None = None,
    since: Since | None = None,
) -> Reconciliation:
    """Compare Intacct's count and money sums of ``spec`` with the table's live rows.

    ``calls`` returns the API calls made so far for this object; the difference is the cost.
    The table's side, exactly, whichever way: ``known_target``, its figures when they are known
    not to have changed (the same Delta version as when they were computed: not scanned again);
    else ``since``, its figures at an earlier version and the row changes from then to the
    version ``table`` is at (its change data feed); else a scan of ``table``. A feed that cannot
    be read falls back to the scan.
    """
    before = calls()
    source_count, source_sums = source_summary(spec, client)
    target, basis = None, "scan"
    if known_target is not None and known_target[0] is not None:
        target, basis = (known_target[0], dict(known_target[1] or {})), "unchanged"
    elif since is not None:
        try:
            target = target_after_changes(spec, since, entity, _fields_named(source_sums))
            basis = "changes"
        except Exception as exc:  # noqa: BLE001 - the scan below is exact too, only dearer
            log.info("%s: counting the table (its change data feed: %s)", spec.name, exc)
    if target is None:
        target = target_summary(spec, scoped(table(), entity))
    result = Reconciliation(
        spec.name, source_count, target[0], source_sums, target[1], target_basis=basis
    )
    if not result.matched:
        result = _with_late_changes(result, spec, client, window_end)
    return replace(result, api_calls=calls() - before)


def reconcile_run(spec: ObjectSpec, client, table, record: RunRecord, **kwargs) -> None:
    """``reconcile`` for the pipeline: the figures go on ``record``; a mismatch is a warning.

    A reconciliation that cannot run does not fail the object: its data was loaded correctly.
    """
    try:
        result = reconcile(spec, client, table, **kwargs)
    except Exception as exc:  # noqa: BLE001
        message = f"{spec.name}: reconciliation could not run ({exc.__class__.__name__}: {exc})"
        record.warn(message)
        log.warning("%s", message)
        return
    record.reconciliation = result
    if result.warning():
        record.warn(result.warning())
        log.warning("%s", result.warning())
    else:
        log.info(
            "%s reconciles: %d rows, sums %s", spec.name, result.source_count, result.source_sums
        )


def source_summary(spec: ObjectSpec, client) -> tuple[int, dict[str, Decimal]]:
    if not spec.money_fields:
        return _count(spec, client), {}
    # One query: the count rides along with the sums (the key is RECORDNO for every object
    # with money fields; user-defined dimensions have none).
    count, groups = client.summary(
        spec.name, list(spec.money_fields), group_by=spec.money_group_by, count=spec.key
    )
    sums: dict[str, Decimal] = {}
    for group, values in groups.items():
        for name, value in values.items():
            label = _label(name, spec.money_group_by, group)
            sums[label] = sums.get(label, Decimal(0)) + value
    return count, _complete(spec, sums)


def _count(spec: ObjectSpec, client) -> int:
    if spec.key == "RECORDNO":
        return client.count(spec.name)
    # Platform objects (user-defined dimensions) have no RECORDNO for the count query to
    # select; they are small, so their keys are read and counted instead (docs/protocol.md §6.3).
    return sum(len(keys) for keys in client.read_keys(spec))


def target_summary(spec: ObjectSpec, table) -> tuple[int, dict[str, Decimal]]:
    from intacct_sync.lake.compare import live_summary

    count, sums = _labelled(spec, live_summary, table)
    return count, _complete(spec, sums)


def target_after_changes(
    spec: ObjectSpec, since: Since, entity: str, summed: set[str] | frozenset[str] = frozenset()
) -> tuple[int, dict[str, Decimal]]:
    """The table's figures from ``since``: the earlier ones plus what the changes add.

    Exact: every commit between the two versions is in the change data feed (else Delta
    refuses the read), each as the row images it added and removed; a live image added counts
    and sums positively, a live image removed negatively (``change_summary``), so the result
    is the count and sums a scan of the later version would find. Refused
    (``FiguresOutOfDate``) when the earlier figures are not about the money fields summed now;
    ``summed``: the fields Intacct's figures of this run name.
    """
    from intacct_sync.lake.compare import change_summary

    count, sums, changes = since
    _require_covered(spec, sums, summed)
    added, added_sums = _labelled(spec, change_summary, scoped(changes(), entity))
    out = dict(sums)
    for label, value in added_sums.items():
        out[label] = out.get(label, Decimal(0)) + value
    return count + added, _complete(spec, out)


def _labelled(spec: ObjectSpec, summary, frame) -> tuple[int, dict[str, Decimal]]:
    """``summary`` (``live_summary`` or ``change_summary``) of ``frame``'s money columns, the
    sums by Intacct's labels (the field; grouped: the field and its group, ``_label``)."""
    from intacct_sync.lake.schema import column_name

    columns = {column_name(f): f for f in spec.money_fields}
    if not spec.money_group_by:
        count, sums = summary(frame, list(spec.money_fields))
        return count, {columns[c]: v for c, v in sums.items()}
    total, out = 0, {}
    grouped = summary(frame, list(spec.money_fields), [spec.money_group_by])
    for (group,), (count, sums) in grouped.items():
        total += count
        for column, value in sums.items():
            label = _label(columns[column], spec.money_group_by, group)
            out[label] = out.get(label, Decimal(0)) + value
    return total, out


class FiguresOutOfDate(ValueError):
    """The earlier figures are not about the money fields summed now: the table is scanned."""


def _require_covered(
    spec: ObjectSpec, sums: dict[str, Decimal], summed: set[str] | frozenset[str]
) -> None:
    """The earlier sums are about the fields summed now. An object's money fields can change
    between runs (a currency field added in Intacct to an object read from its lookup, or a new
    release): a field the earlier figures lack would be summed over the changed rows alone, and
    one no longer summed would stay in the result. Ungrouped figures name every field, zeros
    included (``_complete``). Grouped ones drop zero groups: a field they lack that Intacct's
    figures name (``summed``) is new to them, or was all zeros in the table and not in Intacct
    (a mismatch the scan shows as well).
    """
    fields = set(spec.money_fields)
    if spec.money_group_by:
        named = _fields_named(sums)
        wrong = sorted((named - fields) | (set(summed) - named))
    else:
        wrong = sorted(fields.symmetric_difference(sums))
    if wrong:
        raise FiguresOutOfDate(
            f"the last figures and this run's money fields differ ({', '.join(wrong)})"
        )


def _fields_named(sums: dict[str, Decimal]) -> set[str]:
    """The money fields the figures name: labels are a field, or a field and its group
    (``_label``)."""
    return {label.split("[", 1)[0] for label in sums}


def scoped(table, entity: str):
    """The rows an entity session sees: its own and the shared ones (docs/protocol.md §10)."""
    if not entity or "megaentityid" not in table.columns:
        return table
    from pyspark.sql import functions as F

    owner = F.coalesce(F.col("megaentityid"), F.lit(""))
    return table.where(owner.isin("", entity))


def _label(name: str, group_by: str | None, group: object) -> str:
    if not group_by:
        return name
    # Intacct answers group values as text, the table has them typed: compare their text.
    text = "" if group is None else str(group)
    return f"{name}[{group_by}={text}]"


def _complete(spec: ObjectSpec, sums: dict[str, Decimal]) -> dict[str, Decimal]:
    """Ungrouped fields always present (0 for an empty object); zero groups dropped."""
    if spec.money_group_by:
        return {k: v for k, v in sums.items() if v != 0}
    return {name: sums.get(name, Decimal(0)) for name in spec.money_fields}


def _with_late_changes(
    result: Reconciliation, spec: ObjectSpec, client, window_end: datetime
) -> Reconciliation:
    """Count rows modified after the window end: a mismatch they explain is not a gap."""
    if not spec.cursor:
        return result
    from intacct_sync.intacct.filters import Cmp
    from intacct_sync.intacct.values import format_timestamp

    after = Cmp("greaterthan", spec.cursor, format_timestamp(window_end, client.timezone))
    try:
        late = client.count(spec.name, after)
    except Exception as exc:  # noqa: BLE001 - the warning is still worth giving without it
        log.info("%s: could not count late changes: %s", spec.name, exc)
        return result
    return replace(result, changed_after_window=late)
