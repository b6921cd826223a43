"""Cost follows change: full, no-change and 1% runs of every default object, one after another.

Per emulator scale, one child process (``benchmarks.change_child``) keeps a Spark session and a
warehouse; this process keeps the emulator and between the runs moves its clock and changes its
company through the emulator's own mutation API (``Company.insert/update/delete``):

1. **full**: the first sync, into an empty schema;
2. **no-change**: the clock five minutes on, nothing changed in Intacct;
3. **1%**: about 1% of the rows of every object a run reads (updates, inserts and deletes,
   spread over the objects; a deleted header takes its lines with it), then a sync;
4. **bare MERGE floor**: for each table the 1% run changed, a bare MERGE of as many random rows
   as it wrote there (``change_child.merge_floor``): what one MERGE per changed table costs
   before anything the product adds, the floor of a 1% run that keeps the tables in step with
   a MERGE each.

Each run's wall time is also given as a ratio to the full run's: the machine is shared.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.e2e import CHILD_PATH, CHILD_TIMEOUT_S, ROOT, ChildFailed
from intacct_sync.emulator import Emulator
from intacct_sync.emulator.store import generated, q
from intacct_sync.emulator.values import formatter
from intacct_sync.intacct.catalog import CATALOG, DEFAULT

# (emulator scale, bills): medium is the yardstick (about 100k rows); large with 25,000
# bills is about 260k rows. The large scale's own 250,000 bills (about 2M rows of the default
# objects) would take this section well past 15 minutes on a 2-core machine.
SCALES = (("medium", None), ("large", 25_000))
QUICK_SCALES = (("medium", None),)
KINDS = ("full", "no-change", "1%")
SHARE = 0.01  # of every object's rows, for the 1% run
STEP = timedelta(minutes=5)  # the clock between runs
# Goals of issue 11 (and issue 13's for a no-change run's billed transactions).
GOALS = {"no_change_ratio": 0.10, "no_change_commits": 2, "change_ratio": 0.20,
         "no_change_transactions": 20}  # fmt: skip
EDITED = ("DESCRIPTION", "MEMO", "NAME", "TITLE")  # a text field to edit, in this order
# Spark's default keeps 1,000 SQL executions in its status store; count them all.
SUBMIT_ARGS = "--conf spark.sql.ui.retainedExecutions=1000000 pyspark-shell"


class Child:
    """``benchmarks.change_child`` as a process that answers one line per request."""

    def __init__(self, job: dict, tmp: str) -> None:
        self.log_path = Path(tmp) / "stderr.log"
        env = {**os.environ, "TMPDIR": tmp, "PYTHONPATH": CHILD_PATH,
               "PYSPARK_SUBMIT_ARGS": SUBMIT_ARGS}  # fmt: skip
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "benchmarks.change_child"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            cwd=ROOT, env=env, text=True,
        )  # fmt: skip
        self.phases = self._send(job, "READY ")

    def run(self, kind: str, offset: timedelta) -> dict:
        return self._send({"kind": kind, "offset_s": offset.total_seconds()}, "RESULT ")

    def merge_floor(self, run: dict) -> dict:
        written = {o: r["written"] for o, r in run["objects"].items()}
        return self._send({"kind": "merge floor", "written": written}, "RESULT ")

    def _send(self, request: dict, prefix: str) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + CHILD_TIMEOUT_S
        for line in self.proc.stdout:
            if line.startswith(prefix):
                return json.loads(line.removeprefix(prefix))
            if time.monotonic() > deadline:
                break
        self.close()
        tail = self.log_path.read_text(errors="replace")[-4000:]
        raise ChildFailed(f"change_child exited {self.proc.returncode}; its log ends with:\n{tail}")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"kind": "quit"}) + "\n")  # type: ignore[union-attr]
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(timeout=120)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
        self._log.close()


def changed_objects() -> list[str]:
    """The default objects every run reads (reference data, read daily, is left alone)."""
    return [name for name in DEFAULT if CATALOG[name].every is None]


def change_share(company, share: float, rng: random.Random) -> dict[str, dict[str, int]]:
    """Update, insert and delete about ``share`` of the rows of each changed object (60/20/20)."""
    done: dict[str, dict[str, int]] = {}
    for name in changed_objects():
        obj = company.definition(name)
        every = f"SELECT {q(obj.key)} FROM {q(obj.name)}"  # noqa: S608 - quoted identifiers
        keys = [k for (k,) in company.store.execute(every)]
        total = max(1, round(len(keys) * share))
        inserts = deletes = total // 5
        updates = total - inserts - deletes
        # Distinct records to edit, to delete, and to copy as new ones (never a deleted one).
        picked = rng.sample(keys, min(len(keys), total + inserts))
        field = _edited_field(obj)
        for i, key in enumerate(picked[:updates]):
            company.update(name, key, {field: f"edited in the bench {i}"} if field else {})
        for key in picked[updates:total]:
            company.delete(name, key)
        for key in picked[total:]:
            company.insert(name, _copy_of(company, obj, key))
        done[name] = {"rows": len(keys), "updated": updates,
                      "deleted": deletes, "inserted": inserts}  # fmt: skip
    return done


def _edited_field(obj) -> str | None:
    names = {f.name: f for f in obj.fields}
    for name in EDITED:
        if name in names:
            return name
    texts = [f.name for f in obj.fields if f.type == "TEXT" and f.name != obj.key]
    return next((n for n in texts if not n.endswith("ID") and not generated(obj, n)), None)


def _copy_of(company, obj, key) -> dict[str, str]:
    """A record's values as the gateway prints them, without its key: a new record like it."""
    fields = [f for f in obj.fields if f.name != obj.key and not generated(obj, f.name)]
    columns = ", ".join(q(f.name) for f in fields)
    row = company.store.execute(
        f"SELECT {columns} FROM {q(obj.name)} WHERE {q(obj.key)} = ?",  # noqa: S608
        (key,),
    )
    if not row:
        return {}
    return {f.name: formatter(f)(v) for f, v in zip(fields, row[0], strict=True) if v is not None}


def label(scale: str, bills: int | None) -> str:
    return scale if bills is None else f"{scale}, {bills:,} bills"


def measure(scale: str, bills: int | None = None, log=print) -> dict:
    """The three runs at one scale, with the figures of each."""
    began = time.perf_counter()
    rng = random.Random(11)
    name = label(scale, bills)
    with (
        Emulator(seed=7, scale=scale, bills=bills) as emu,
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
    ):
        generated_s = time.perf_counter() - began
        rows = sum(emu.company.count(n) for n in DEFAULT)
        log(f"[change {name}] company generated in {generated_s:.0f} s; full sync ...")
        job = {"url": emu.url, "credentials": emu.credentials,
               "warehouse": str(Path(tmp) / "lake"), "max_in_flight": 2}  # fmt: skip
        child = Child(job, tmp)
        offset, runs = timedelta(0), {}
        try:
            for kind in KINDS:
                if kind != "full":
                    offset += STEP
                    emu.clock.advance(STEP)
                if kind == "1%":
                    changed = change_share(emu.company, SHARE, rng)
                    offset += timedelta(minutes=1)  # the run starts after the edits
                    emu.clock.advance(timedelta(minutes=1))
                runs[kind] = child.run(kind, offset)
                log(f"[change {name}] {kind}: " + _brief(runs[kind]))
            floor = child.merge_floor(runs["1%"])
            log(f"[change {name}] bare MERGE floor: {floor['seconds']:.1f} s")
        finally:
            child.close()
    return {"scale": scale, "bills": bills, "label": name, "rows": rows, "runs": runs,
            "generate_s": generated_s, "phases": child.phases, "changed": changed,
            "floor": floor}  # fmt: skip


def _brief(r: dict) -> str:
    return (
        f"{r['seconds']:.1f} s, {r['delta_commits']} commits, {r['spark_jobs']} Spark jobs, "
        f"{r['transactions']} transactions"
    )


def run(quick: bool, log=print) -> list[dict]:
    return [measure(scale, bills, log) for scale, bills in (QUICK_SCALES if quick else SCALES)]


if __name__ == "__main__":  # one scale on its own: python -m benchmarks.change medium [bills]
    scale, bills = sys.argv[1] if len(sys.argv) > 1 else "medium", sys.argv[2:3]
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    print(json.dumps(measure(scale, int(bills[0]) if bills else None, say), indent=1))
