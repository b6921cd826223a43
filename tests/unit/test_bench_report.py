"""What ``make bench`` says about the cost-follows-change runs (benchmarks/interpret.py and
benchmarks/report.py), from made-up figures: the goals judged, and the bare MERGE floor set
against the goal it leaves room for or rules out."""

from __future__ import annotations

import pytest
from benchmarks.interpret import _floor_words, goals
from benchmarks.report import change_section


def run(seconds: float, jvm: float, commits: int = 1, transactions: int = 18) -> dict:
    return {
        "seconds": seconds, "cpu_s": {"driver": 0.0, "jvm": jvm}, "delta_commits": commits,
        "transactions": transactions, "rows_read": 0, "rows_written": 0, "api_calls": 0,
        "spark_jobs": 0, "sql_executions": 0, "commits_by_table": {"ap_bill": commits},
    }  # fmt: skip


def scale(one_s: float, floor_s: float, floor_cpu: float) -> dict:
    tables = {"ap_bill": {"rows": 100, "table_rows": 10_000, "seconds": floor_s,
                          "jvm_cpu_s": floor_cpu}}  # fmt: skip
    return {
        "scale": "medium", "bills": None, "label": "medium", "rows": 100_000,
        "runs": {"full": run(100.0, 150.0, 50), "no-change": run(4.0, 4.0),
                 "1%": run(one_s, 90.0, 20)},
        "changed": {"APBILL": {"updated": 60, "inserted": 20, "deleted": 20}},
        "floor": {"tables": tables, "seconds": floor_s, "jvm_cpu_s": floor_cpu},
    }  # fmt: skip


def test_the_change_goal_is_judged_against_the_full_sync():
    judged = {g.text: (g.measured, g.met) for g in goals([scale(19.0, 10.0, 10.0)])}
    assert judged["1% run <= 20% of full"] == ("19.0%", True)
    judged = {g.text: (g.measured, g.met) for g in goals([scale(61.0, 10.0, 10.0)])}
    assert judged["1% run <= 20% of full"] == ("61.0%", False)
    assert judged["no-change run <= 10% of full"] == ("4.0%", True)


def test_a_floor_over_the_goal_on_every_core_rules_the_goal_out():
    sc = scale(61.0, 30.0, 50.0)  # 50 CPU-s over 2 cores: 25 s, a quarter of the full sync
    words = _floor_words(sc, sc["floor"], sc["runs"]["full"], sc["runs"]["1%"], cores=2)
    assert "at least 25.0 s, 25% of the full sync" in words
    assert "no 1% run that keeps each changed table in step with a MERGE can meet it" in words


@pytest.mark.parametrize(("cores", "left"), [(2, "10.0"), (4, "15.0")])
def test_a_floor_under_the_goal_says_what_it_leaves(cores, left):
    sc = scale(61.0, 15.0, 20.0)  # 20 CPU-s: 10 s on 2 cores, 5 s on 4; the goal allows 20 s
    words = _floor_words(sc, sc["floor"], sc["runs"]["full"], sc["runs"]["1%"], cores=cores)
    assert f"would have {left} s left for everything else" in words
    assert "can meet it" not in words


def test_the_section_tables_the_floor_beside_the_runs():
    text = change_section([scale(61.0, 30.0, 45.0)])
    row = next(line for line in text.splitlines() if line.startswith("| medium | 1 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells == ["medium", "1", "100", "30.0", "45", "30.0%", "30.0%", "61.0 / 90"]
