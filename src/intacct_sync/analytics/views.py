"""The analysis views: which SQL file each one is, what it reads, and its text for one schema.

Each view is one ``.sql`` file of this package (the four dimension hierarchies share one
template), plain Spark SQL that a Databricks SQL warehouse and a local Spark session both run.
Placeholders in braces name what a view reads: ``{ap_bill}`` is the synced table's default name
and becomes its qualified name in the configured schema (the ``tables`` and ``table_prefix``
settings applied); ``{ap_open_bills}`` is another view. No Spark here: rendering is text.
"""

# ruff: noqa: S608 -- SQL holds only checked identifiers (names.py) and the package's own text.

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.lake.names import TableNames, check_identifier
from intacct_sync.lake.sql import quote_string

HASH_PROPERTY = "intacct_sync.sql_sha256"  # in the view's TBLPROPERTIES: the text it was made of
RUN_PROPERTY = "intacct_sync.run_id"  # the run that (re)created it
LEVELS = 10  # hierarchy depth the bounded self-joins follow (level_1 .. level_10)

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_TABLE_OBJECT = {spec.table: name for name, spec in CATALOG.items()}


@dataclass(frozen=True)
class View:
    name: str
    comment: str  # the view's COMMENT, what an analyst sees in the catalog
    tables: tuple[str, ...]  # synced tables it reads (their default names)
    views: tuple[str, ...] = ()  # analysis views it reads
    template: str | None = None  # the SQL file, when not <name>.sql
    params: tuple[tuple[str, str], ...] = ()  # template values: column names

    @property
    def objects(self) -> tuple[str, ...]:
        """The Intacct objects behind its tables (what a user syncs to get the view)."""
        return tuple(_TABLE_OBJECT[table] for table in self.tables)

    def sql(self) -> str:
        return _read(self.template or f"{self.name}.sql")


def _dimension(name: str, table: str, id_column: str, name_column: str) -> View:
    return View(
        f"{name}_hierarchy",
        f"Every live {name} with its parents as level_1 (top) .. level_{LEVELS}, path and depth; "
        "cycles, missing parents and trees deeper than 10 levels in issue.",
        (table,),
        template="dimension_hierarchy.sql",
        params=(("dimension", table), ("id_column", id_column), ("name_column", name_column)),
    )


# In dependency order: a view comes after every view it reads.
VIEWS: tuple[View, ...] = (
    View(
        "gl_account_group_hierarchy",
        "Every account group with its chain of parent groups as level_1 (top) .. level_10, path "
        "and depth; cycles and missing parents in issue.",
        ("gl_account_group", "gl_account_group_member"),
    ),
    View(
        "gl_account_hierarchy",
        "Every live GL account with its chain of account groups as level_1 (top) .. level_10; "
        "accounts in no group under 'Ungrouped'.",
        ("gl_account", "gl_account_range", "gl_account_group"),
        ("gl_account_group_hierarchy",),
    ),
    _dimension("department", "department", "departmentid", "title"),
    _dimension("location", "location", "locationid", "name"),
    _dimension("class", "class", "classid", "name"),
    _dimension("project", "project", "projectid", "name"),
    View(
        "ap_open_bills",
        "Open AP bills (posted, amount due) with days past due, aging bucket and due week; "
        "total_due in base currency.",
        ("ap_bill",),
    ),
    View(
        "ap_aging",
        "AP aging as of today: bills and total_due (base currency) per bucket current, 1-30, "
        "31-60, 61-90, over 90 days past due.",
        (),
        ("ap_open_bills",),
    ),
    View(
        "ap_aging_by_vendor",
        "AP aging per vendor as of today: amount due per bucket and in all, base currency.",
        (),
        ("ap_open_bills",),
    ),
    View(
        "ap_cash_forecast",
        "Open AP bills by due week (Monday), overdue ones in a 'past due' row; total_due in base "
        "currency.",
        (),
        ("ap_open_bills",),
    ),
    View(
        "vendor_spend_monthly",
        "Posted AP bills per month (bill date) and vendor: bills and amount (TOTALENTERED, base "
        "currency).",
        ("ap_bill",),
    ),
    View(
        "ar_open_invoices",
        "Open AR invoices (posted, amount due) with days past due, aging bucket and due week; "
        "total_due in base currency.",
        ("ar_invoice",),
    ),
    View(
        "ar_aging",
        "AR aging as of today: invoices and total_due (base currency) per bucket current, 1-30, "
        "31-60, 61-90, over 90 days past due.",
        (),
        ("ar_open_invoices",),
    ),
    View(
        "gl_balance_by_period",
        "Posted GL lines per month, account and dimension: debit, credit, net (base currency) and "
        "the running balance of balance-sheet accounts.",
        ("gl_entry", "gl_batch", "gl_account"),
    ),
    View(
        "trial_balance",
        "Each month's trial balance per account: debit, credit and balance = debit - credit, base "
        "currency; debits equal credits.",
        (),
        ("gl_balance_by_period",),
    ),
    View(
        "trial_balance_by_group",
        "The monthly trial balance rolled up every level of the account group tree, base currency.",
        (),
        ("trial_balance", "gl_account_hierarchy"),
    ),
)
BY_NAME: dict[str, View] = {view.name: view for view in VIEWS}


def needed_tables(view: View) -> tuple[str, ...]:
    """Every synced table a view reads, itself or through the views it reads."""
    out = list(view.tables)
    for name in view.views:
        out.extend(needed_tables(BY_NAME[name]))
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Schema:
    """Where the views go and what their placeholders become, from the settings."""

    names: TableNames
    tables: dict[str, str]  # default table name -> the configured one (tables, table_prefix)
    history: frozenset[str]  # tables kept in history mode (every version of a row)
    prefix: str = ""  # table_prefix: views take it too

    def view_name(self, view: View | str) -> str:
        return self.prefix + (view if isinstance(view, str) else view.name)

    def table_name(self, table: str) -> str:
        return self.tables.get(table, self.prefix + table)

    def source(self, table: str) -> str:
        """A synced table as a view reads it: history-mode tables as their current versions."""
        qualified = self.names.qualified(self.table_name(table))
        if table in self.history:
            return f"(SELECT * FROM {qualified} WHERE coalesce(_is_current, true))"
        return qualified

    def select(self, view: View) -> str:
        """The view's query with every placeholder filled in."""
        params = dict(view.params)
        for key, value in params.items():
            check_identifier(value, f"{view.name} parameter {key}")
        if "dimension" in params:
            params["dimension"] = self.source(params["dimension"])
        return self.render(view.name, view.sql(), view.tables, view.views, params)

    def render(
        self,
        what: str,
        sql: str,
        tables: tuple[str, ...],
        views: tuple[str, ...],
        params: dict[str, str] | None = None,
    ) -> str:
        """``sql`` with ``{table}`` and ``{view}`` placeholders as qualified names; a
        placeholder not declared is a bug, and says so."""
        values = dict(params or {})
        values.update({table: self.source(table) for table in tables})
        values.update({name: self.names.qualified(self.view_name(name)) for name in views})

        def fill(match: re.Match[str]) -> str:
            if match.group(1) not in values:
                raise KeyError(f"{what}: the SQL names {{{match.group(1)}}}, not declared")
            return values[match.group(1)]

        return _PLACEHOLDER.sub(fill, sql).strip().rstrip(";")

    def statement(self, view: View, run_id: str) -> tuple[str, str]:
        """``CREATE OR REPLACE VIEW`` for ``view`` and the hash of what it depends on.

        The hash covers the name, comment and query (so a new release's SQL, or another schema,
        is a change) and lives in the view's properties: a run compares it before creating.
        """
        select = self.select(view)
        target = self.names.qualified(self.view_name(view))
        digest = sql_hash(f"{target}\n{view.comment}\n{select}")
        properties = ", ".join(
            f"{quote_string(k)} = {quote_string(v)}"
            for k, v in ((HASH_PROPERTY, digest), (RUN_PROPERTY, run_id))
        )
        text = (
            f"CREATE OR REPLACE VIEW {target}\nCOMMENT {quote_string(view.comment)}\n"
            f"TBLPROPERTIES ({properties})\nAS\n{select}"
        )
        return text, digest


def sql_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def _read(file: str) -> str:
    return resources.files(__package__).joinpath(file).read_text(encoding="utf-8")
