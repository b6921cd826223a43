"""Shared fixtures. Each area keeps its fixtures in its own plugin module."""

from pathlib import Path

pytest_plugins = [
    "tests.fixtures.emulator",
    "tests.fixtures.spark",
    "tests.fixtures.reliability_counts",
]

# `--dist loadfile --no-loadscope-reorder` hands whole files to the workers in collection order,
# each worker holding the next file or two in its queue. The longest modules go first (in make
# test the analysis and Spark Connect modules; in make stress the scenario seeds), so a long
# module collected late cannot leave the other worker idle at the end of the run. (Without that
# flag xdist orders files by their number of tests, and the scenario file went last.)
LONGEST_FIRST = (
    "integration/test_analytics.py",
    "integration/test_spark_connect.py",
    "integration/test_incremental_scenarios.py",
)  # by folder and name: tests/unit has a test_analytics.py of its own, milliseconds long


def pytest_collection_modifyitems(items: list) -> None:
    """The longest modules first; then the modules with Spark tests with the others (seconds
    each, many of them waiting on sockets and retry pauses) spread evenly between them.

    A worker holds the next file or two in its queue, so the files it holds when the other runs
    out of work must be short: with Spark modules late in the order, one worker took the wheel
    task, crash and limits files (67 s) as its last while the other finished the unit tests and
    stood idle for 49 s. And a worker waiting in an emulator test leaves its core to the other's
    JVM: with all of them at the end, both workers waited at once and the cores were half idle
    for the run's last minute."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}

    def module(path: Path) -> str:
        return "/".join(path.parts[-2:])

    files = list(dict.fromkeys(item.path for item in items))  # in collection order
    spark = {item.path for item in items if item.get_closest_marker("spark")}
    rest = [f for f in files if module(f) not in rank]
    position: dict[Path, float] = {}
    # The Spark modules spread over the first four fifths, the others over the whole: the last
    # files handed out are unit tests of a second or less.
    for group, span in (
        ([f for f in rest if f in spark], 0.8),
        ([f for f in rest if f not in spark], 1.0),
    ):
        for i, path in enumerate(group):
            position[path] = span * i / len(group)
    items.sort(  # stable: a file's tests stay in their order
        key=lambda item: (rank.get(module(item.path), len(rank)), position.get(item.path, 0.0))
    )
