"""The analysis views as text: what each reads, how it is named and hashed, and the setting.

What the views compute is tested on Spark: against the emulator in
tests/integration/test_analytics.py, on hand-made cases in tests/integration/test_notebooks.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from importlib import resources

import pytest

from intacct_sync.analytics.refresh import CHECKS, schema_for
from intacct_sync.analytics.views import BY_NAME, VIEWS, Schema, needed_tables
from intacct_sync.cli import build_parser
from intacct_sync.config import Settings, load_settings
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.lake.names import TableNames

LOCAL = Schema(TableNames("main", "intacct"), {}, frozenset())


def test_a_view_comes_after_every_view_it_reads():
    seen: set[str] = set()
    for view in VIEWS:
        assert set(view.views) <= seen, view.name
        seen.add(view.name)


def test_views_read_only_synced_tables_and_every_sql_file_is_a_view():
    tables = {spec.table for spec in CATALOG.values()}
    assert all(set(needed_tables(view)) <= tables for view in VIEWS)
    files = {p.name for p in resources.files("intacct_sync.analytics").iterdir()}
    used = {view.template or f"{view.name}.sql" for view in VIEWS}
    assert {f for f in files if f.endswith(".sql")} == used


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.name)
def test_every_placeholder_is_filled_and_names_are_qualified(view):
    text = LOCAL.select(view)
    assert "{" not in text and "}" not in text
    for table in view.tables:
        assert f"`intacct`.`{table}`" in text
    for name in view.views:
        assert f"`intacct`.`{name}`" in text


def test_a_placeholder_that_is_not_declared_is_a_bug_that_says_so():
    odd = replace(BY_NAME["ap_aging"], views=())
    with pytest.raises(KeyError, match=r"ap_aging: the SQL names \{ap_open_bills\}"):
        LOCAL.select(odd)


def test_checks_render_against_the_views_and_tables_they_name():
    for check in CHECKS:
        text = LOCAL.render(check.name, check.sql, check.tables, (check.needs,))
        assert "{" not in text and check.needs in BY_NAME


def test_views_follow_the_table_settings_and_read_history_tables_as_current_versions():
    settings = Settings(tables={"APBILL": "bills"}, table_prefix="x_", history=("APBILL",))
    schema = schema_for(settings)
    text = schema.select(BY_NAME["ap_open_bills"])
    assert "(SELECT * FROM `intacct`.`x_bills` WHERE coalesce(_is_current, true))" in text
    statement, _ = schema.statement(BY_NAME["ap_aging"], "run-1")
    assert statement.startswith("CREATE OR REPLACE VIEW `intacct`.`x_ap_aging`\nCOMMENT '")
    assert "FROM `intacct`.`x_ap_open_bills`" in statement
    assert schema.table_name("gl_entry") == "x_gl_entry"


def test_on_databricks_views_and_tables_have_three_part_names():
    schema = Schema(TableNames("finance", "intacct", local=False), {}, frozenset())
    statement, _ = schema.statement(BY_NAME["trial_balance"], "run-1")
    assert "VIEW `finance`.`intacct`.`trial_balance`" in statement
    assert "FROM `finance`.`intacct`.`gl_balance_by_period`" in statement


def test_the_hash_follows_the_sql_and_the_place_not_the_run():
    view = BY_NAME["ap_aging"]
    statement, digest = LOCAL.statement(view, "run-1")
    assert LOCAL.statement(view, "run-2")[1] == digest
    assert re.search(rf"'intacct_sync.sql_sha256' = '{digest}'", statement)
    assert "'intacct_sync.run_id' = 'run-1'" in statement
    elsewhere = Schema(TableNames("main", "finance"), {}, frozenset())
    assert elsewhere.statement(view, "run-1")[1] != digest
    assert LOCAL.statement(replace(view, comment="reworded"), "run-1")[1] != digest


def test_the_refresh_is_on_unless_turned_off_by_flag_environment_or_file(tmp_path):
    assert load_settings({}, env={}).analytics is True
    assert load_settings({}, env={"INTACCT_SYNC_ANALYTICS": "false"}).analytics is False
    config = tmp_path / "settings.yml"
    config.write_text("analytics: false\n")
    assert load_settings({"config": str(config)}, env={}).analytics is False
    args = build_parser().parse_args(["run", "--no-analytics"])
    assert args.analytics is False
    assert build_parser().parse_args(["run"]).analytics is None  # the setting decides
