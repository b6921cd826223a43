"""Reliability suites: the counts every test reports are summed and printed at the end."""

from __future__ import annotations

from collections import Counter

_TOTALS: Counter = Counter()


def pytest_runtest_logreport(report) -> None:
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if isinstance(key, str) and key.startswith("reliability:") and isinstance(value, int):
            _TOTALS[key.removeprefix("reliability:")] += value


def pytest_terminal_summary(terminalreporter) -> None:
    if not _TOTALS:
        return
    terminalreporter.section("reliability counts")
    for key in sorted(_TOTALS):
        terminalreporter.write_line(f"{key:>24}: {_TOTALS[key]:,}")
