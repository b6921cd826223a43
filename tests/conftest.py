"""Shared fixtures. Each area keeps its fixtures in its own plugin module."""

pytest_plugins = [
    "tests.fixtures.emulator",
    "tests.fixtures.spark",
    "tests.fixtures.reliability_counts",
]
