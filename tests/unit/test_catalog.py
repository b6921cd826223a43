"""The catalog: curated specs, groups, the default set, and specs inferred from lookup."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from intacct_sync.config import ConfigError, Settings, load_settings
from intacct_sync.intacct.catalog import CATALOG, DEFAULT, GROUPS, expand
from intacct_sync.intacct.fields import Field, FieldType
from intacct_sync.intacct.infer import CannotInfer, infer_spec
from intacct_sync.intacct.objects import DeleteStrategy, ReadFunction, children_of
from intacct_sync.intacct.reader import slice_bounds

F = FieldType


def fields(*pairs: tuple[str, FieldType]) -> list[Field]:
    return [Field(name, kind) for name, kind in pairs]


def test_table_names_follow_fivetran_for_the_objects_analysts_know():
    tables = {name: CATALOG[name].table for name in CATALOG}
    assert {k: tables[k] for k in ("ARINVOICE", "ARPYMTDETAIL", "GLACCTGRP", "LOCATIONENTITY")} == {
        "ARINVOICE": "ar_invoice",
        "ARPYMTDETAIL": "ar_payment_detail",
        "GLACCTGRP": "gl_account_group",
        "LOCATIONENTITY": "entity",
    }
    assert {CATALOG[n].table for n in ("GLDETAIL", "GLBUDGETITEM", "REPORTINGPERIOD")} == {
        "gl_detail",
        "gl_budget_item",
        "reporting_period",
    }
    assert len(set(tables.values())) == len(tables)  # no two objects share a table


def test_the_default_set_is_ap_gl_and_dimensions_and_groups_expand_in_order():
    assert "APBILL" in DEFAULT and "GLACCTGRP" in DEFAULT and "ARINVOICE" not in DEFAULT
    assert expand(("@ar", "VENDOR", "@ar")) == GROUPS["ar"] + ("VENDOR",)
    with pytest.raises(KeyError):
        expand(("@nope",))
    settings = load_settings({"objects": "@default,@ar", "exclude": "@budgets"}, env={})
    assert set(settings.selected_objects) == set(DEFAULT) | set(GROUPS["ar"])
    with pytest.raises(ConfigError, match="@ar"):
        load_settings({"objects": "@receivables"}, env={})


def test_cascades_reach_every_line_object_of_a_header():
    assert {c.name for c, _ in children_of("ARINVOICE")} == {"ARINVOICEITEM", "ARPYMTDETAIL"}
    assert {c.name for c, _ in children_of("GLBATCH")} == {"GLENTRY", "GLDETAIL"}
    assert {c.name for c, _ in children_of("GLACCTGRP")} == {"GLACCTGRPMEMBER", "GLACCTRANGE"}
    only_lines = {"GLENTRY": CATALOG["GLENTRY"]}  # a run that does not sync GL detail
    assert [c.name for c, _ in children_of("GLBATCH", only_lines)] == ["GLENTRY"]


def test_gl_detail_is_never_read_unfiltered_nor_swept_and_budget_lines_are_read_in_full():
    detail = CATALOG["GLDETAIL"]
    assert detail.full_read_slice and not detail.sweep
    assert detail.parents[0].object == "GLBATCH"
    budget = CATALOG["GLBUDGETITEM"]
    assert budget.cursor is None and budget.read_in_full
    assert CATALOG["GLACCTGRP"].every == timedelta(days=1)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    edges = slice_bounds(start, start + timedelta(days=800), timedelta(days=366))
    assert edges == [start, start + timedelta(days=366), start + timedelta(days=732)]


def test_a_standard_object_is_inferred_from_its_lookup():
    spec = infer_spec(
        "EEXPENSES",
        fields(("RECORDNO", F.INTEGER), ("WHENMODIFIED", F.TIMESTAMP), ("WHENCREATED", F.DATE),
               ("AUWHENCREATED", F.TIMESTAMP), ("TOTALENTERED", F.DECIMAL), ("STATE", F.TEXT)),
    )  # fmt: skip
    assert (spec.table, spec.key, spec.cursor, spec.created) == (
        "eexpenses", "RECORDNO", "WHENMODIFIED", "AUWHENCREATED"
    )  # fmt: skip
    assert spec.deletes is DeleteStrategy.AUDIT and spec.money_fields == ("TOTALENTERED",)
    assert spec.inferred and not spec.read_in_full


def test_an_object_without_cursor_is_read_in_full_and_swept_platform_objects_by_id():
    cursorless = infer_spec("ALLOCATION", fields(("RECORDNO", F.INTEGER), ("NAME", F.TEXT)))
    assert cursorless.cursor is None and cursorless.read_in_full
    assert cursorless.deletes is DeleteStrategy.SWEEP
    platform = infer_spec("ASSET", fields(("id", F.INTEGER), ("updatedAt", F.TIMESTAMP)))
    assert (platform.key, platform.read_function) == ("id", ReadFunction.READ_BY_QUERY)
    with pytest.raises(CannotInfer, match="neither RECORDNO nor id"):
        infer_spec("ODD", fields(("NAME", F.TEXT)))


def test_tables_mapping_and_prefix_are_validated_and_applied():
    settings = Settings(tables={"ARINVOICE": "invoices"}, table_prefix="intacct_")
    assert settings.table_for(CATALOG["ARINVOICE"]) == "intacct_invoices"
    assert settings.table_for(CATALOG["APBILL"]) == "intacct_ap_bill"
    from_env = load_settings(env={"INTACCT_SYNC_TABLES": "ARINVOICE:invoices"})
    assert from_env.tables == {"ARINVOICE": "invoices"}
    for bad in ({"ARINVOICE": "in voices"}, {"ARINVOICE": "_hidden"}):
        with pytest.raises(ConfigError, match="table name"):
            Settings(tables=bad)
    with pytest.raises(ConfigError, match="table_prefix"):
        Settings(table_prefix="x;")
