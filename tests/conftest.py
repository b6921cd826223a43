"""Shared fixtures. Each area keeps its fixtures in its own plugin module."""

pytest_plugins = [
    "tests.fixtures.emulator",
    "tests.fixtures.spark",
    "tests.fixtures.reliability_counts",
]

# The longest modules first (about 200, 120 and 90 s of make test's 1,000 test-seconds):
# `--dist loadfile --no-loadscope-reorder` hands whole files to the workers in collection order,
# so a long module collected late cannot leave the other worker idle at the end of the run.
# (Without that flag xdist orders files by their number of tests, and the one-test scenario
# file, the longest of all, went last.)
LONGEST_FIRST = ("test_analytics.py", "test_spark_connect.py", "test_incremental_scenarios.py")


def pytest_collection_modifyitems(items: list) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest as found
