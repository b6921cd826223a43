"""intacct-sync benchmarks: ``python -m benchmarks`` (``make bench``); figures in BENCHMARKS.md."""
