"""One paragraph reading the figures, written from the figures (so it stays true on a re-run)."""

from __future__ import annotations

from dataclasses import dataclass

_STAGE = {
    "tree": "building the checked tree (safety scan, lxml parse, status checks)",
    "walk": "walking records into per-column string lists",
    "arrow": "the typed Arrow conversion",
}


def _parse(p: dict) -> str:
    r = p["rows_per_s"]
    stages = p["ours_stage_seconds"]
    total = sum(stages.values())
    biggest = max(stages, key=stages.get)
    return (
        f"Our parser turns a 2000-row page into a typed Arrow batch at {r['ours']:,.0f} rows/s, "
        f"{r['ours'] / r['lxml']:.2f}x the speed of merely walking the lxml tree and "
        f"{r['ours'] / r['xmltodict']:.1f}x xmltodict (which yields untyped strings); its "
        f"largest stage is {_STAGE[biggest]} ({stages[biggest] / total:.0%} of its time). "
        f"A page costs {p['seconds']['ours'] * 1000:.0f} ms to parse against about a second "
        "to fetch from Intacct, so parsing is not what bounds a real run."
    )


def _e2e(sizes: list[dict]) -> str:
    parts = []
    for s in sizes:
        sync, bare = s["sync"], s["bare_load"]
        rate = sync["rows_read"] / sync["seconds"]
        ratio = rate / (bare["rows"] / bare["seconds"])
        busy = sync["produce_s"] / sync["seconds"]
        parts.append(
            f"at {sync['rows_read']:,} rows the sync reaches {rate:,.0f} rows/s, {ratio:.2f}x the "
            f"bare Spark load of the same rows; producing pages (HTTP + parse, in the prefetch "
            f"thread) took {busy:.0%} of the wall time, "
            f"{sync['first_page_after_s']:.0f} s passed before the first page (lookup, state "
            "tables, target table creation: no page is fetched until the writer asks) and "
            f"{sync['tail_s']:.0f} s after the last (staging flush, MERGE, run records)"
        )
    big = sizes[-1]["sync"]
    budget = "within" if big["seconds"] <= 600 else "over"
    return (
        "End to end, " + "; ".join(parts) + f". The largest run ({big['rows_read']:,} rows) took "
        f"{big['seconds'] / 60:.1f} minutes, {budget} the 10-minute budget on this machine."
    )


@dataclass(frozen=True)
class LatencyRun:
    """One size's run with simulated latency, and the figures derived from it."""

    label: str
    sync: dict  # the latency run's sync figures
    plain: dict  # the same sync without latency
    latency: float
    slots: int  # most requests in flight the emulator saw
    bare_s: float  # the bare Spark load of the same rows (the size's baseline)

    @property
    def floor(self) -> float:
        return self.sync["pages"] * self.latency / 2

    @property
    def floor_with_load(self) -> float:
        """Pages x latency / slots, plus the bare Delta load of the same rows (issue 11)."""
        return self.floor + self.bare_s

    @property
    def paging(self) -> float:
        return self.sync["seconds"] - self.sync["first_page_after_s"] - self.sync["tail_s"]


def latency_runs(sizes: list[dict]) -> list[LatencyRun]:
    return [
        LatencyRun(
            s["label"], s["latency"]["sync"], s["sync"], s["latency"]["latency_s"],
            s["latency"]["emulator_max_in_flight"], s["bare_load"]["seconds"],
        )
        for s in sizes
        if s.get("latency")
    ]  # fmt: skip


def _latency(sizes: list[dict]) -> str:
    for run in latency_runs(sizes)[-1:]:  # the largest
        sync, latency, floor, slots, paging = (
            run.sync, run.latency, run.floor, run.slots, run.paging
        )  # fmt: skip
        return (
            f"With {latency} s of latency per request the {run.label} run took "
            f"{sync['seconds']:.0f} s against a floor of {floor:.1f} s (pages x latency / 2 "
            f"slots), {floor / sync['seconds']:.0%} of the way there; with the bare Delta load "
            f"of the same rows added the floor is {run.floor_with_load:.0f} s, "
            f"{run.floor_with_load / sync['seconds']:.0%} of the measured time. Pages arrived over "
            f"{paging:.0f} s, during which the prefetch thread was busy fetching and parsing for "
            f"{sync['produce_s']:.0f} s ({_bound(sync['produce_s'], paging)}); "
            f"{sync['first_page_after_s'] + sync['tail_s']:.0f} s went to Spark work before the "
            "first and after the last page. "
            + (
                f"The emulator saw {slots} requests in flight at once: the full read was split "
                "into key ranges, one per request slot."
                if slots > 1
                else "The emulator never saw more than 1 request in flight: the pages were "
                "read one after another."
            )
        )
    return ""


def _bound(producing: float, paging: float) -> str:
    if producing >= 0.9 * paging:
        return "so loading kept up and fetching was the bottleneck"
    return "so the consumer (staging into the lake) held the fetching back part of the time"


def _memory_calls(sizes: list[dict]) -> str:
    mem = ", ".join(
        f"{s['rss_kib']['peak'] / 1024:,.0f} MiB at {s['sync']['rows_read']:,} rows" for s in sizes
    )
    calls = ", ".join(
        f"{1000 * s['sync']['api_calls'] / s['sync']['rows_read']:.3f}" for s in sizes
    )
    small, large = sizes[0], sizes[-1]
    growth = large["rss_kib"]["peak"] / small["rss_kib"]["peak"]
    scale = large["sync"]["rows_read"] / small["sync"]["rows_read"]
    verdict = (
        "so memory is bounded by the staging chunk, not by the size of the read"
        if growth < 1 + scale / 10
        else "so memory grows with the size of the read"
    )
    return (
        f"The driver's peak RSS is {mem} ({growth:.2f}x for {scale:.0f}x the rows), {verdict}. "
        f"API calls per 1,000 rows are {calls} (the floor with 2000-row "
        "pages is 0.5; the extra calls are the login, the lookup, the max-key query and the "
        "last part-filled page of each extra key range of a split read, and the "
        "reconciliation's one aggregate query)."
    )


def _lake(lake: dict, default: dict) -> str:
    r = {t: lake["rows"] / lake["seconds"][f"initial_{t}"] for t in ("arrow", "parquet")}
    names = {"arrow": "createDataFrame(Arrow)", "parquet": "Parquet staging"}
    fast, slow = sorted(("arrow", "parquet"), key=lambda t: -r[t])
    return (
        f"In the lake load alone, {names[fast]} is {r[fast] / r[slow]:.1f}x as fast as "
        f"{names[slow]}; the writer keeps `{default['local']}` for local runs."
    )


@dataclass(frozen=True)
class Goal:
    scale: str
    text: str
    measured: str
    met: bool


def goals(scales: list[dict]) -> list[Goal]:
    """Issue 11's goals (and issue 13's transactions goal) at every scale measured."""
    from benchmarks.change import GOALS

    out = []
    for sc in scales:
        full, quiet, one = (sc["runs"][k] for k in ("full", "no-change", "1%"))
        q, c = quiet["seconds"] / full["seconds"], one["seconds"] / full["seconds"]
        out += [
            Goal(sc["label"], f"no-change run <= {GOALS['no_change_ratio']:.0%} of full",
                 f"{q:.1%}", q <= GOALS["no_change_ratio"]),
            Goal(sc["label"], f"no-change run <= {GOALS['no_change_commits']} Delta commits",
                 str(quiet["delta_commits"]),
                 quiet["delta_commits"] <= GOALS["no_change_commits"]),
            Goal(sc["label"], f"1% run <= {GOALS['change_ratio']:.0%} of full", f"{c:.1%}",
                 c <= GOALS["change_ratio"]),
            Goal(sc["label"], f"no-change run <= {GOALS['no_change_transactions']} billed "
                 "transactions", str(quiet["transactions"]),
                 quiet["transactions"] <= GOALS["no_change_transactions"]),
        ]  # fmt: skip
    return out


def _change(scales: list[dict], cores: int) -> str:
    """The change runs in words; ``cores``: the measuring machine's (``machine()['nproc']``)."""
    parts = []
    for sc in scales:
        full, quiet, one = (sc["runs"][k] for k in ("full", "no-change", "1%"))
        changed = sc["changed"]
        edits = {k: sum(v[k] for v in changed.values()) for k in ("updated", "inserted", "deleted")}
        touched = [t for t, n in one["commits_by_table"].items() if not t.startswith("_")]
        per_commit = one["cpu_s"]["jvm"] / max(one["delta_commits"], 1)
        parts.append(
            f"At {sc['label']} scale ({sc['rows']:,} rows of the default objects) the full sync "
            f"took {full['seconds']:.0f} s. Rerun with nothing changed it took "
            f"{quiet['seconds']:.1f} s ({quiet['seconds'] / full['seconds']:.1%} of the full "
            f"run) with {quiet['delta_commits']} Delta commit(s), {quiet['spark_jobs']} Spark "
            f"jobs and {quiet['transactions']} billed transactions. With 1% of the rows changed "
            f"({edits['updated']:,} updates, {edits['inserted']:,} inserts, "
            f"{edits['deleted']:,} deletes) it took {one['seconds']:.0f} s "
            f"({one['seconds'] / full['seconds']:.0%} of the full run): "
            f"{one['delta_commits']} Delta commits over {len(touched)} tables, "
            f"{one['spark_jobs']} Spark jobs against the full run's {full['spark_jobs']}, and "
            f"{one['cpu_s']['jvm']:.0f} s of Spark CPU against {full['cpu_s']['jvm']:.0f} s, "
            f"about {per_commit:.0f} s per commit."
        )
        floor = sc.get("floor")
        if floor:
            parts.append(_floor_words(sc, floor, full, one, cores))
    failed = [g for g in goals(scales) if not g.met]
    verdict = (
        "Every goal holds."
        if not failed
        else "Goals not met: "
        + "; ".join(f"{g.text} at {g.scale} ({g.measured})" for g in failed)
        + ". A change costs per table touched, not per row: the full run writes each new table "
        "with a plain append, while a changed table takes one MERGE of its changed rows and "
        "its deletes (its deleted headers' lines too), and its reconciliation reads the "
        "rows its commits changed (the change data feed). On a "
        "local session a MERGE into a wide table costs seconds whatever the rows (planning "
        "over some 80-140 columns, and copying every row of the files it touches: without "
        "deletion vectors every commit rewrites them, so at larger scale a commit costs in "
        "proportion to the table, not to the change; with them, measured, the runs planned "
        "more Spark jobs and used more CPU)."
    )
    return " ".join(parts) + " " + verdict


def _floor_words(sc: dict, floor: dict, full: dict, one: dict, cores: int) -> str:
    """The bare MERGE floor against the full sync, and what it leaves of the 1% goal."""
    from benchmarks.change import GOALS

    goal = GOALS["change_ratio"]
    share, cpu = floor["seconds"] / full["seconds"], floor["jvm_cpu_s"] / full["cpu_s"]["jvm"]
    least = floor["jvm_cpu_s"] / cores  # the MERGEs' CPU, every core busy throughout
    left = goal * full["seconds"] - least
    words = (
        f"The bare MERGE of each of the {len(floor['tables'])} tables the 1% run changed, "
        f"one after the other, took {floor['seconds']:.1f} s and {floor['jvm_cpu_s']:.0f} "
        f"JVM CPU-s: {share:.0%} of the full sync's wall time and {cpu:.0%} of its CPU (the 1% "
        f"run: {one['seconds'] / full['seconds']:.0%} and "
        f"{one['cpu_s']['jvm'] / full['cpu_s']['jvm']:.0%}). With all {cores} cores busy "
        f"throughout, those MERGEs alone would take at least {least:.1f} s, "
        f"{least / full['seconds']:.0%} of the full sync: "
    )
    if left <= 0:
        return words + (
            f"more than the goal of {goal:.0%} allows, so at {sc['label']} scale no 1% run that "
            "keeps each changed table in step with a MERGE can meet it on this machine."
        )
    return words + (
        f"a 1% run meeting the goal of {goal:.0%} would have {left:.1f} s left for everything "
        "else (reading Intacct, deletes, reconciliation, run records, views)."
    )


def interpretation(results: dict) -> str:
    sizes = results["sizes"]
    return " ".join(
        part
        for part in (
            _parse(results["parse"]),
            _e2e(sizes),
            _latency(sizes),
            _memory_calls(sizes),
            _lake(results["lake"], results["default_transfer"]),
            _change(results["change"], results["machine"]["nproc"])
            if results.get("change")
            else "",
        )
        if part
    )
