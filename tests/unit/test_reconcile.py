"""Reconciliation figures and the key-sweep cadence, without Spark or HTTP."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.lake.runlog import Reconciliation, RunRecord
from intacct_sync.reconcile import FiguresOutOfDate, _complete, _label, target_after_changes

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def figures(**changes) -> Reconciliation:
    base = dict(
        object="APBILL",
        source_count=300,
        target_count=300,
        source_sums={"TOTALDUE": Decimal("10.10"), "TOTALENTERED": Decimal("20.00")},
        target_sums={"TOTALDUE": Decimal("10.1000000000"), "TOTALENTERED": Decimal("20")},
    )
    return Reconciliation(**{**base, **changes})


def test_equal_figures_match_whatever_the_decimal_scale():
    check = figures()
    assert check.matched and check.warning() is None and check.differences() == []


def test_a_mismatch_names_the_object_and_each_difference():
    check = figures(
        target_count=299, target_sums={"TOTALDUE": Decimal("9.10"), "TOTALENTERED": Decimal("20")}
    )
    assert not check.matched
    assert check.differences() == [
        "rows: Intacct 300, table 299 (-1)",
        "sum TOTALDUE: Intacct 10.10, table 9.10 (-1.00)",
    ]
    assert check.warning().startswith("APBILL does not reconcile with Intacct: rows:")


def test_late_changes_are_named_in_the_warning():
    check = figures(target_count=299, changed_after_window=1)
    assert "1 record(s) changed in Intacct after this run's window end" in check.warning()


def test_run_row_fields_keep_exact_decimal_strings():
    record = RunRecord("r1", "APBILL", "", NOW, reconciliation=figures(api_calls=2))
    fields = record.row()
    assert fields["reconciled"] is True and fields["reconcile_api_calls"] == 2
    assert json.loads(fields["source_sums"]) == {"TOTALDUE": "10.10", "TOTALENTERED": "20.00"}
    assert (fields["source_count"], fields["target_count"]) == (300, 300)


def test_grouped_sums_are_labelled_by_group_text_and_empty_groups_dropped():
    glentry = CATALOG["GLENTRY"]
    assert (
        _label("AMOUNT", "TR_TYPE", -1) == _label("AMOUNT", "TR_TYPE", "-1") == "AMOUNT[TR_TYPE=-1]"
    )
    sums = {"AMOUNT[TR_TYPE=1]": Decimal(5), "AMOUNT[TR_TYPE=-1]": Decimal(0)}
    assert _complete(glentry, sums) == {"AMOUNT[TR_TYPE=1]": Decimal(5)}
    assert _complete(CATALOG["APBILL"], {}) == {"TOTALENTERED": Decimal(0), "TOTALDUE": Decimal(0)}


class FeedRead(Exception):
    """Raised by the stand-in feed: the figures were judged fit, and the feed was asked for."""


def feed():
    raise FeedRead


def after_changes(spec, sums, summed=frozenset()):
    return target_after_changes(spec, (3, sums, feed), "", summed)


def test_figures_about_other_money_fields_are_not_carried_forward_from_the_feed():
    # Ungrouped: the earlier figures name every money field, zeros too; one missing (a field
    # new to the object) or one too many (no longer summed) sends the run to a scan.
    apbill = CATALOG["APBILL"]
    with pytest.raises(FeedRead):
        after_changes(apbill, {"TOTALENTERED": Decimal(0), "TOTALDUE": Decimal(2)})
    with pytest.raises(FiguresOutOfDate, match="TOTALDUE"):
        after_changes(apbill, {"TOTALENTERED": Decimal(1)})
    widened = replace(apbill, money_fields=(*apbill.money_fields, "TRX_TOTALDUE"))
    with pytest.raises(FiguresOutOfDate, match="TRX_TOTALDUE"):
        after_changes(widened, {"TOTALENTERED": Decimal(1), "TOTALDUE": Decimal(2)})
    # Grouped: zero groups are dropped, so a field counts as new to the figures when Intacct's
    # figures name it and the earlier ones do not; a field no longer summed shows as ever.
    glentry = CATALOG["GLENTRY"]
    with pytest.raises(FeedRead):
        after_changes(glentry, {"AMOUNT[TR_TYPE=1]": Decimal(5)}, {"AMOUNT"})
    with pytest.raises(FiguresOutOfDate, match="AMOUNT"):
        after_changes(glentry, {}, {"AMOUNT"})
    with pytest.raises(FiguresOutOfDate, match="TRX_AMOUNT"):
        after_changes(glentry, {"AMOUNT[TR_TYPE=1]": Decimal(5), "TRX_AMOUNT[TR_TYPE=1]": 1})
