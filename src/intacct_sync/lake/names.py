"""The one place that names tables: Unity Catalog ``catalog.schema.table`` or a local session's
two-part names, always quoted, from plain identifiers only (no Spark import here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from intacct_sync.lake.errors import InvalidName

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,254}")


def check_identifier(name: str, what: str = "identifier") -> str:
    """Return ``name`` if it is a plain identifier; refuse anything that could escape a quote."""
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise InvalidName(
            f"invalid {what} {name!r}: use letters, digits and underscores, starting with a "
            "letter or underscore, at most 255 characters"
        )
    return name


@dataclass(frozen=True)
class TableNames:
    """Maps Unity Catalog ``catalog.schema.table`` names onto the session at hand.

    On Databricks the three-part name is used as given. A local session has a single catalog,
    ``spark_catalog``, so the configured catalog maps to it; as Delta's table builder parses only
    two-part names there, the local name is ``schema.table`` in the session's one catalog.

    >>> TableNames("main", "intacct", local=True).qualified("vendor")
    '`intacct`.`vendor`'
    """

    catalog: str
    schema: str
    local: bool = True  # a session with one catalog (spark_catalog); False on Databricks

    def __post_init__(self) -> None:
        check_identifier(self.catalog, "catalog name")
        check_identifier(self.schema, "schema name")

    @property
    def session_catalog(self) -> str:
        return "spark_catalog" if self.local else self.catalog

    @property
    def qualified_schema(self) -> str:
        if self.local:
            return f"`{self.schema}`"
        return f"`{self.catalog}`.`{self.schema}`"

    def qualified(self, table: str) -> str:
        return f"{self.qualified_schema}.`{check_identifier(table, 'table name')}`"

    def ensure_schema(self, spark: Any) -> None:
        if self.local and spark.catalog.databaseExists(self.schema):
            return  # saves a metastore round trip and its "created concurrently" warning
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS {self.qualified_schema}")

    def list_tables(self, spark: Any, *, views: bool = True) -> list[str]:
        """The schema's tables (and its views, unless ``views`` is False), sorted.

        By SQL rather than ``spark.catalog.listTables``: that call fails in the local session,
        which runs Spark's interpreted expressions (lake/spark.py), and SQL names the catalog
        on Unity Catalog too.
        """
        listed = spark.sql(f"SHOW TABLES IN {self.qualified_schema}").collect()
        names = {row["tableName"] for row in listed if not row["isTemporary"]}
        if not views:
            names -= {
                r["viewName"] for r in spark.sql(f"SHOW VIEWS IN {self.qualified_schema}").collect()
            }
        return sorted(names)

    def exists(self, spark: Any, table: str) -> bool:
        check_identifier(table, "table name")
        return spark.catalog.tableExists(f"{self.session_catalog}.{self.schema}.{table}")
