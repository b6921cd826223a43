"""Field and object definitions of the synthetic company, as ``lookup``/``inspect`` show them.

Fields are declared as compact ``NAME:type`` tokens so each object reads as one list
(types: i INTEGER, t TEXT, e ENUM, d DECIMAL, c CURRENCY, p PERCENT, b BOOLEAN true/false,
tf BOOLEAN shown as legacy T/F, date DATE, ts TIMESTAMP; ``(a|b)`` adds VALIDVALUES).
docs/protocol.md §6.1 (lookup), §7 (formats) and §8 (objects) are the sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

TYPES = {
    "i": "INTEGER",
    "t": "TEXT",
    "e": "ENUM",
    "d": "DECIMAL",
    "c": "CURRENCY",
    "p": "PERCENT",
    "b": "BOOLEAN",
    "tf": "BOOLEAN",
    "date": "DATE",
    "ts": "TIMESTAMP",
}
MONEY_TYPES = ("DECIMAL", "CURRENCY", "PERCENT")


@dataclass
class FieldDef:
    name: str
    type: str
    valid: tuple[str, ...] = ()
    tf: bool = False  # legacy T/F boolean (SYSTEMGENERATED, ADJ, STATISTICAL; docs/protocol.md §7)
    custom: bool = False
    default: Any = None  # storage form; a custom field's default fills new records only
    codes: dict[str, str] = field(default_factory=dict)  # readByQuery codes, e.g. STATE 'A'

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").replace(".", " ").title()

    @property
    def money(self) -> bool:
        return self.type in MONEY_TYPES


@dataclass(frozen=True)
class Relationship:
    path: str  # dot prefix usable in query select, e.g. VENDOR
    object: str
    related_by: str  # local field
    target: str = "RECORDNO"  # field of the related object


@dataclass
class ObjectDef:
    name: str
    label: str
    fields: list[FieldDef]
    key: str = "RECORDNO"
    relationships: tuple[Relationship, ...] = ()
    udd: bool = False
    # A read-only SQL view instead of a table (GLDETAIL): the SELECT that defines it.
    view: str | None = None
    # Storage-only columns that no function shows (e.g. GLENTRY's link to its source
    # document, which Intacct keeps in a separate table): stored, never selectable.
    internal: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._index = {f.name: f for f in self.fields}
        if len(self._index) != len(self.fields):
            dupes = sorted({f.name for f in self.fields if self.names.count(f.name) > 1})
            raise ValueError(f"{self.name} declares fields twice: {', '.join(dupes)}")

    def field(self, name: str) -> FieldDef | None:
        return self._index.get(name)

    def add_field(self, fdef: FieldDef) -> None:
        self.fields.append(fdef)
        self._index[fdef.name] = fdef

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def has_entity(self) -> bool:
        return self.field("MEGAENTITYKEY") is not None


_TOKEN = re.compile(r"([A-Za-z0-9_.]+):([a-z]+)(?:\(([^)]*)\))?")


def parse_fields(spec: str, custom: tuple[str, ...] = ()) -> list[FieldDef]:
    """Tokens in order; a name seen again is skipped, so shared blocks (contact, dimension
    fields) can be appended to an object that already declares some of their fields."""
    out, seen = [], set()
    for name, code, valid in _TOKEN.findall(spec):
        if name in seen:
            continue
        seen.add(name)
        out.append(
            FieldDef(
                name,
                TYPES[code],
                tuple(valid.split("|")) if valid else (),
                tf=code == "tf",
                custom=name in custom,
            )
        )
    return out
