"""The analysis layer kept up to date by the sync itself, after its tables are written.

It runs wherever the user scheduled the sync (job, notebook, CLI), with no second task to
wire, and costs little: views hold no data. A view is (re)created only when the text it would
be made of differs from the hash in its properties (a new release, another schema) or it does
not exist yet (its tables just appeared, or someone dropped it); a view whose tables are not
synced is skipped. The integrity checks (hierarchy cycles, missing parents, accounts in no
group) read only what a run changed. Nothing here fails the sync or touches a table: every
error becomes a warning of the run, naming the view or check and the SQL error.
"""

# ruff: noqa: S608 -- SQL holds only checked identifiers (names.py) and the package's own text.

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from intacct_sync.analytics.views import BY_NAME, HASH_PROPERTY, VIEWS, Schema, View

if TYPE_CHECKING:
    from intacct_sync.config import Settings

log = logging.getLogger("intacct_sync.analytics")
SHOWN = 10  # problems named in one warning; the rest are counted
CHECK_THREADS = 2  # integrity checks run at once


@dataclass
class RefreshResult:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # view -> why
    failed: dict[str, str] = field(default_factory=dict)  # view -> the error
    checked: list[str] = field(default_factory=list)  # the integrity checks that ran
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{len(self.created)} created", f"{len(self.unchanged)} unchanged"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped (tables not synced)")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return "analysis views: " + ", ".join(parts)


@dataclass(frozen=True)
class Check:
    """An integrity check: a query whose rows are problems, each described in one line."""

    name: str
    needs: str  # the view it reads or is about: checked only when that view is in place
    tables: tuple[str, ...]  # synced tables whose change makes it worth running
    sql: str  # placeholders as in the views' SQL
    what: str  # "members" in "3 <what>: ..."
    describe: Callable[[Any], str]


def _member(kind: str) -> Callable[[Any], str]:
    return lambda r: f"{kind} {r['id']} ({r['name']}): {r['issue']}"


def _hierarchy_check(view: View, kind: str, kinds: str) -> Check:
    return Check(
        view.name,
        view.name,
        view.tables,
        f"SELECT DISTINCT id, name, issue FROM {{{view.name}}} WHERE issue IS NOT NULL ORDER BY id",
        f"{kinds} in a cycle, under a missing parent or too deep (the hierarchy stops there)",
        _member(kind),
    )


CHECKS: tuple[Check, ...] = (
    *(
        _hierarchy_check(BY_NAME[f"{kind}_hierarchy"], kind, kinds)
        for kind, kinds in (
            ("department", "departments"),
            ("location", "locations"),
            ("class", "classes"),
            ("project", "projects"),
        )
    ),
    Check(
        "gl_account_group_hierarchy",
        "gl_account_group_hierarchy",
        ("gl_account_group", "gl_account_group_member"),
        "SELECT DISTINCT recordno AS id, name, issue FROM {gl_account_group_hierarchy} "
        "WHERE issue IS NOT NULL ORDER BY name",
        "account groups in a cycle, under a missing parent or too deep (the hierarchy stops there)",
        _member("account group"),
    ),
    Check(
        "gl_account_group_member",
        "gl_account_group_hierarchy",
        ("gl_account_group", "gl_account_group_member"),
        "SELECT m.recordno, m.childname, m.parentkey FROM {gl_account_group_member} AS m "
        "WHERE NOT coalesce(m._deleted, false) AND NOT EXISTS (SELECT 1 FROM {gl_account_group} "
        "AS g WHERE NOT coalesce(g._deleted, false) AND g.name = m.childname) ORDER BY m.recordno",
        "account group members naming a child group that does not exist",
        lambda r: f"member {r['recordno']} of group {r['parentkey']}: no group {r['childname']}",
    ),
    Check(
        "gl_account_range",
        "gl_account_hierarchy",
        ("gl_account_group", "gl_account_range"),
        "SELECT r.recordno, r.parentkey, r.rangefrom, r.rangeto FROM {gl_account_range} AS r "
        "WHERE NOT coalesce(r._deleted, false) AND NOT EXISTS (SELECT 1 FROM {gl_account_group} "
        "AS g WHERE NOT coalesce(g._deleted, false) AND g.recordno = r.parentkey) "
        "ORDER BY r.recordno",
        "account ranges of a group that does not exist",
        lambda r: f"range {r['rangefrom']}..{r['rangeto']} of missing group {r['parentkey']}",
    ),
    Check(
        "gl_account_hierarchy",
        "gl_account_hierarchy",
        ("gl_account", "gl_account_range", "gl_account_group"),
        "SELECT DISTINCT accountno, account_title FROM {gl_account_hierarchy} "
        "WHERE account_groupkey IS NULL ORDER BY accountno",
        "GL accounts in no account group (under 'Ungrouped' in gl_account_hierarchy)",
        lambda r: f"{r['accountno']} {r['account_title']}",
    ),
)


def schema_for(settings: Settings) -> Schema:
    """Where the views go and what they read, from the settings: the tables mapping and prefix,
    and which objects are kept in history mode (their current versions are read)."""
    from intacct_sync.intacct.catalog import CATALOG

    specs = list(CATALOG.values())
    return Schema(
        settings.table_names(),
        {spec.table: settings.table_for(spec) for spec in specs},
        frozenset(spec.table for spec in specs if spec.name in settings.history),
        settings.table_prefix,
    )


def refresh(
    spark: Any,
    schema: Schema,
    run_id: str,
    changed: Iterable[str] | None = None,
) -> RefreshResult:
    """Bring the views up to date and run the checks whose tables ``changed`` (default table
    names; None: every check). Never raises for a SQL error: it is a warning in the result."""
    result = RefreshResult()
    try:
        tables, views = _catalog(spark, schema)
    except Exception as exc:  # noqa: BLE001 - the views are extra; the sync's tables are safe
        result.warnings.append(f"analysis views not refreshed: the schema could not be listed: "
                               f"{_error(exc)}")  # fmt: skip
        log.warning("%s", result.warnings[-1])
        return result
    recreated: set[str] = set()
    for view in VIEWS:
        _refresh_view(spark, schema, view, run_id, tables, views, recreated, result)
    ready = set(result.created) | set(result.unchanged)
    due = None if changed is None else set(changed)
    checks = [
        check
        for check in CHECKS
        if check.needs in ready
        and (due is None or due & set(check.tables) or check.needs in recreated)
    ]
    # Two at a time: a check is a few small joins, one task at a time, so one alone leaves a
    # core idle at the end of the run. Each writes to its own result, merged in CHECKS order.
    with ThreadPoolExecutor(CHECK_THREADS, "check") as pool:
        outcomes = list(pool.map(lambda c: _run_check(spark, schema, c), checks))
    for outcome in outcomes:
        result.checked.extend(outcome.checked)
        result.warnings.extend(outcome.warnings)
    log.info("%s", result.summary())
    return result


def _catalog(spark: Any, schema: Schema) -> tuple[set[str], set[str]]:
    """Tables and views in the schema, by lower-case name (two statements, however many)."""
    where = schema.names.qualified_schema
    every = {
        row["tableName"].lower()
        for row in spark.sql(f"SHOW TABLES IN {where}").collect()
        if not row["isTemporary"]
    }
    views = {
        row["viewName"].lower()
        for row in spark.sql(f"SHOW VIEWS IN {where}").collect()
        if not row["isTemporary"]
    }
    return every - views, views


def _refresh_view(
    spark: Any,
    schema: Schema,
    view: View,
    run_id: str,
    tables: set[str],
    views: set[str],
    recreated: set[str],
    result: RefreshResult,
) -> None:
    name = schema.view_name(view)
    missing = [t for t in view.tables if schema.table_name(t).lower() not in tables]
    if missing:
        objects = ", ".join(view.objects[view.tables.index(t)] for t in missing)
        why = f"no table {', '.join(missing)} (sync {objects} for it)"
        return _skip(result, view, why)
    waiting = [v for v in view.views if v in result.skipped or v in result.failed]
    if waiting:
        return _skip(result, view, f"reads {', '.join(waiting)}, which is not in place")
    if name.lower() in tables:
        return _fail(result, view, f"a table named {name} is in the schema; it is left as it "
                     "is and the view is not created (rename or drop that table)")  # fmt: skip
    try:
        statement, digest = schema.statement(view, run_id)
        stale = set(view.views) & recreated  # a view it reads was just made anew
        if name.lower() in views and not stale and _stored_hash(spark, schema, name) == digest:
            result.unchanged.append(view.name)
            return None
        spark.sql(statement)
    except Exception as exc:  # noqa: BLE001 - one view failing must not stop the others
        return _fail(result, view, _error(exc))
    recreated.add(view.name)
    result.created.append(view.name)
    log.info("analysis view %s %s", name, "replaced" if name.lower() in views else "created")
    return None


def _stored_hash(spark: Any, schema: Schema, name: str) -> str | None:
    rows = spark.sql(f"SHOW TBLPROPERTIES {schema.names.qualified(name)}").collect()
    return {row["key"]: row["value"] for row in rows}.get(HASH_PROPERTY)


def _skip(result: RefreshResult, view: View, why: str) -> None:
    result.skipped[view.name] = why
    log.info("analysis view %s skipped: %s", view.name, why)


def _fail(result: RefreshResult, view: View, error: str) -> None:
    result.failed[view.name] = error
    result.warnings.append(f"analysis view {view.name} was not refreshed: {error}")
    log.warning("%s", result.warnings[-1])


def _run_check(spark: Any, schema: Schema, check: Check) -> RefreshResult:
    """One check's outcome: its name in ``checked`` if it ran, its finding or error a warning."""
    result = RefreshResult()
    try:
        sql = schema.render(check.name, check.sql, check.tables, (check.needs,))
        rows = spark.sql(sql).collect()
    except Exception as exc:  # noqa: BLE001 - a check that cannot run is a warning, not a failure
        result.warnings.append(f"analysis check {check.name} could not run: {_error(exc)}")
        log.warning("%s", result.warnings[-1])
        return result
    result.checked.append(check.name)
    if not rows:
        return result
    shown = "; ".join(check.describe(row) for row in rows[:SHOWN])
    more = f"; and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
    result.warnings.append(f"analysis check {check.name}: {len(rows)} {check.what}: {shown}{more}")
    log.warning("%s", result.warnings[-1])
    return result


def _error(exc: BaseException) -> str:
    """An exception as one line: its class and the first line of its message (Spark's error
    class and the SQL problem; the plan that follows is noise in a run log)."""
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0] if text else ''}"
