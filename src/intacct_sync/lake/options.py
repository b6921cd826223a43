"""How a table is written: the frozen writer options, checked once, here (no Spark import)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["merge", "history"]
Transfer = Literal["arrow", "parquet"]


@dataclass(frozen=True)
class WriterOptions:
    mode: Mode = "merge"  # merge: one row per key; history: one row per version (key, cursor)
    hard_delete: bool = False  # DELETE rows gone from the source instead of _deleted = true
    chunk_rows: int = 100_000  # Arrow rows handed to Spark at a time (bounded driver memory)
    transfer: Transfer | None = None  # None: parquet where Spark can read the staging dir
    staging_dir: str | None = None  # a directory the Spark workers see (a UC volume path)
    staging_schema: str | None = None  # where Arrow staging tables go (None: the table's own)
    retry_attempts: int = 5  # reruns of an operation that met a concurrent Delta commit

    def __post_init__(self) -> None:
        if self.mode not in ("merge", "history"):
            raise ValueError(f"mode must be 'merge' or 'history', not {self.mode!r}")
        if self.chunk_rows < 1:
            raise ValueError("chunk_rows must be at least 1")
        if self.transfer not in (None, "arrow", "parquet"):
            raise ValueError(f"transfer must be 'arrow' or 'parquet', not {self.transfer!r}")
        if self.retry_attempts < 1:
            raise ValueError("retry_attempts must be at least 1")
