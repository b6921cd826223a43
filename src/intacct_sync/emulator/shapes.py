"""Values that do not match their declared type (docs/protocol.md §7, §17 "value shapes").

Production clients meet INTEGER fields printed as ``12.0`` and TIMESTAMP fields printed as a
date only. The emulator answers both, deterministically per seed, and only in lossless forms:

* an INTEGER of ``quirks.INTEGER_AS_DECIMAL`` gets ``.0`` on the rows chosen by a hash of
  (seed, object, key) -- one row in ``SHAPE_SHARE``; keys (RECORDNO) are never shaped;
* a TIMESTAMP of ``quirks.DATE_ONLY_TIMESTAMPS`` is printed as ``MM/DD/YYYY`` when it is exactly
  midnight; ``prepare`` stores the chosen master rows' WHENCREATED at midnight, so the date-only
  form still means that instant.

Shaping works on the formatted page (any function answering ``<data>`` with records), so the
stored company and ``Company.rows`` stay canonical: a client that normalises both shapes ends
with exactly the emulator's rows. ``plant_lossy`` (fault ``lossy_value``) breaks that on
purpose -- ``12.5`` in an INTEGER, ``00/00/0000 00:00:00`` in a TIMESTAMP -- so a client's
refusal of a value it cannot store exactly can be tested.
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

import zlib

from .quirks import DATE_ONLY_TIMESTAMPS, INTEGER_AS_DECIMAL, SHAPE_SHARE
from .schema import ObjectDef
from .store import Store, q
from .xmlout import E, Rows

GARBAGE = {"TIMESTAMP": "00/00/0000 00:00:00", "DATE": "00/00/0000"}


def chosen(seed: int, obj: str, key: str) -> bool:
    return zlib.crc32(f"{seed}:{obj}:{key}".encode()) % SHAPE_SHARE == 0


def prepare(store: Store, objects: dict[str, ObjectDef], seed: int) -> None:
    """Store the chosen rows' date-only timestamps at midnight (build time, after generation)."""
    for name, field_names in DATE_ONLY_TIMESTAMPS.items():
        obj = objects.get(name)
        for field_name in field_names if obj is not None else ():
            fdef = obj.field(field_name)
            if fdef is None or fdef.type != "TIMESTAMP":
                continue
            rows = store.execute(
                f"SELECT {q(obj.key)}, {q(field_name)} FROM {q(name)} "
                f"WHERE {q(field_name)} IS NOT NULL"
            )
            midnight = [
                (value[:10] + " 00:00:00", key)
                for key, value in rows
                if chosen(seed, name, str(key))
            ]
            with store.lock:
                store.conn.executemany(
                    f"UPDATE {q(name)} SET {q(field_name)} = ? WHERE {q(obj.key)} = ?", midnight
                )


def _records(objects: dict[str, ObjectDef], data: E | None):
    """(object, Rows) for each block of records in a function's <data>."""
    for child in data.children if data is not None else ():
        if isinstance(child, Rows) and child.rows:
            obj = objects.get(child.tag.upper())
            if obj is not None:
                yield obj, child


def _columns(obj: ObjectDef, names: list[str], wanted: tuple[str, ...], kind: str) -> list[int]:
    out = []
    for i, name in enumerate(names):
        fdef = obj.field(name)
        if name in wanted and name != obj.key and fdef is not None and fdef.type == kind:
            out.append(i)
    return out


def shape(objects: dict[str, ObjectDef], seed: int, data: E | None) -> None:
    """Rewrite a page's formatted values in place into the off-type (lossless) shapes."""
    for obj, rows in _records(objects, data):
        ints = _columns(obj, rows.names, INTEGER_AS_DECIMAL.get(obj.name, ()), "INTEGER")
        stamps = _columns(obj, rows.names, DATE_ONLY_TIMESTAMPS.get(obj.name, ()), "TIMESTAMP")
        if not ints and not stamps:
            continue
        key_at = rows.names.index(obj.key) if obj.key in rows.names else None
        for row in rows.rows:
            key = row[key_at] if key_at is not None else "|".join(row)
            if ints and chosen(seed, obj.name, key):
                for i in ints:
                    if row[i].lstrip("-").isdigit():
                        row[i] += ".0"
            for i in stamps:
                if row[i].endswith(" 00:00:00"):
                    row[i] = row[i][:10]


def plant_lossy(objects: dict[str, ObjectDef], data: E | None, variant: str | None) -> bool:
    """Put one value no type-faithful client may accept into the first record of the page:
    ``N.5`` in an INTEGER (variant ``integer``) or a zero date in a TIMESTAMP/DATE (variant
    ``timestamp``); without a variant the first INTEGER, else the first date. True if planted."""
    for obj, rows in _records(objects, data):
        row = rows.rows[0]
        candidates = []
        for i, name in enumerate(rows.names):
            fdef = obj.field(name)
            if fdef is None or name == obj.key or not row[i]:
                continue
            if fdef.type == "INTEGER" and variant != "timestamp":
                candidates.append((0, i, row[i].split(".")[0] + ".5"))
            elif fdef.type in GARBAGE and variant != "integer":
                candidates.append((1, i, GARBAGE[fdef.type]))
        if candidates:
            _, i, value = min(candidates)
            row[i] = value
            return True
    return False
