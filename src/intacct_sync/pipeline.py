"""One object's sync from state to state, and the run over all configured objects.

This is the only module that knows both halves: ``intacct/`` (XML, HTTP) and ``lake/`` (Spark,
Delta). For each object: read the watermark, read pages from Intacct in the window
``[watermark - lookback, now - lag]`` (everything on the first run or a full refresh), load them
with one MERGE, apply deletes, reconcile, and only then advance the watermark and write the run
row. A failure anywhere leaves that object's watermark where it was; the other objects go on.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import TYPE_CHECKING

from intacct_sync.config import ConfigError, Settings
from intacct_sync.events import NoEvents, RunEvents
from intacct_sync.intacct.objects import CATALOG, ObjectSpec, udd_spec
from intacct_sync.lake.runlog import RunRecord
from intacct_sync.lake.state import StateStore, SyncState
from intacct_sync.sync_object import ObjectSync, utcnow

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from intacct_sync.intacct.client import IntacctClient

log = logging.getLogger("intacct_sync.pipeline")


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


@dataclass
class RunSummary:
    run_id: str
    results: list[RunRecord] = field(default_factory=list)

    @property
    def failed(self) -> list[RunRecord]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    @property
    def api_calls(self) -> int:
        return sum(r.api_calls for r in self.results)


class Pipeline:
    """The run over all configured objects, in dependency order, within Intacct's limit."""

    def __init__(
        self,
        settings: Settings,
        client: IntacctClient,
        spark: SparkSession,
        *,
        now: Callable[[], datetime] = utcnow,
        run_id: str | None = None,
        events: RunEvents | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.spark = spark
        self.now = now
        self.run_id = run_id or new_run_id(now())
        self.names = settings.table_names()
        self.events = events or NoEvents()
        self._state: StateStore | None = None
        self._watermarks: dict[tuple[str, str], SyncState] = {}
        self._state_factory = lambda: StateStore(spark, self.names)

    @property
    def state(self) -> StateStore:
        if self._state is None:
            self.names.ensure_schema(self.spark)
            store = self._state_factory()
            store.ensure()  # once, before the object threads could race to create them
            self._watermarks = {(s.object, s.entity): s for s in store.states()}  # one read a run
            self._state = store
        return self._state

    def resolve_objects(self) -> list[ObjectSpec]:
        return self.resolve_objects_for(self.settings, self.client)

    @staticmethod
    def resolve_objects_for(settings: Settings, client: IntacctClient) -> list[ObjectSpec]:
        """The catalog objects chosen, plus user-defined dimensions found with getDimensions.

        Unknown names fail here, before anything is read or written.
        """
        wanted = settings.selected_objects
        specs = {name: CATALOG[name] for name in wanted if name in CATALOG}
        unknown = [name for name in wanted if name not in CATALOG]
        if settings.discover_udds or unknown:
            udds = {
                d.object_name.upper(): d.object_name for d in client.dimensions() if d.user_defined
            }
            for name in unknown:
                if name in udds:
                    specs[name] = udd_spec(udds[name])
            if settings.discover_udds and not settings.objects:
                for upper, original in udds.items():
                    if upper not in settings.exclude:
                        specs.setdefault(upper, udd_spec(original))
        missing = [name for name in unknown if name not in specs]
        if missing:
            known = ", ".join(sorted(CATALOG))
            raise ConfigError(
                f"unknown Intacct object(s) {', '.join(missing)}: choose from {known} "
                "or a user-defined dimension listed by getDimensions."
            )
        return sorted(specs.values(), key=lambda s: (s.tier, s.name))

    def run(self, specs: list[ObjectSpec] | None = None) -> RunSummary:
        specs = specs if specs is not None else self.resolve_objects()
        self.state  # noqa: B018 - state tables and watermarks, once, before the threads start
        summary = RunSummary(self.run_id)
        targets = [(spec, entity) for spec in specs for entity in (self.settings.entities or ("",))]
        log.info(
            "run %s: %d objects, %d entities",
            self.run_id,
            len(specs),
            len(self.settings.entities) or 1,
        )
        with self.events, ThreadPoolExecutor(self.settings.max_in_flight, "sync") as pool:
            for _tier, group in groupby(targets, key=lambda t: t[0].tier):
                futures = [pool.submit(self.sync_one, spec, entity) for spec, entity in group]
                summary.results.extend(f.result() for f in futures)
        return summary

    def sync_one(self, spec: ObjectSpec, entity: str) -> RunRecord:
        client = self.client.for_entity(entity) if entity else self.client
        job = ObjectSync(
            spec=spec,
            entity=entity,
            settings=self.settings,
            client=client,
            spark=self.spark,
            names=self.names,
            state=self.state,
            current=self._watermarks.get((spec.name, entity)),
            run_id=self.run_id,
            now=self.now,
            events=self.events,
        )
        return job.run()
