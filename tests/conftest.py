"""Shared fixtures. Each area keeps its fixtures in its own plugin module."""

pytest_plugins = [
    "tests.fixtures.emulator",
    "tests.fixtures.spark",
    "tests.fixtures.reliability_counts",
]

# `--dist loadfile --no-loadscope-reorder` hands whole files to the workers in collection order,
# each worker holding the next file or two in its queue. The longest modules go first (about
# 250, 150 and 130 s of make test's 1,200 test-seconds), so a long module collected late cannot
# leave the other worker idle at the end of the run. (Without that flag xdist orders files by
# their number of tests, and the one-test scenario file, the longest of all, went last.)
LONGEST_FIRST = ("test_analytics.py", "test_spark_connect.py", "test_incremental_scenarios.py")


def pytest_collection_modifyitems(items: list) -> None:
    """The longest modules, then every module with Spark tests, then the rest (seconds each):
    the files a worker already holds when the other runs out of work are short ones. With the
    Spark modules spread through the run, one worker took the wheel task, crash and limits
    files (67 s) as its last while the other finished the unit tests and stood idle for 49 s."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    spark_files = {item.path for item in items if item.get_closest_marker("spark")}
    items.sort(  # stable: within each group, as collected
        key=lambda item: (rank.get(item.path.name, len(rank)), item.path not in spark_files)
    )
