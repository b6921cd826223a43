"""The synthetic company: its objects in SQLite, its configuration, and the mutation API.

Mutations stamp WHENMODIFIED from the clock in the company time zone and write AUDITHISTORY rows
(ACCESSTIME in UTC, OBJECTKEY = RECORDNO; docs/protocol.md §7, §9). Cascaded line deletes are not
audited separately: the audit trail records the document (header) operation. GLDETAIL and
GLACCTGRPHIERARCHY are views: they cannot be changed themselves, they follow their tables.
Mutations change only the record named: a header's totals, a vendor's TOTALDUE and the GL
postings of a subledger document are not recomputed (Intacct would; a test that needs them
consistent after a change makes the matching changes itself).
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timezone
from typing import Any
from zoneinfo import ZoneInfo

from . import unqueryable
from .catalog import build_objects
from .clock import Clock
from .generate_master import ENTITIES
from .quirks import Quirks
from .schema import FieldDef, ObjectDef
from .store import generated, q
from .templates import company_store
from .values import formatter, to_storage

CASCADE = {
    "APBILL": (("APBILLITEM", "RECORDKEY"), ("APPYMTDETAIL", "RECORDKEY")),
    "APPYMT": (("APPYMTDETAIL", "PAYMENTKEY"),),
    "APADJUSTMENT": (("APADJUSTMENTITEM", "RECORDKEY"),),
    "ARINVOICE": (("ARINVOICEITEM", "RECORDKEY"), ("ARPYMTDETAIL", "RECORDKEY")),
    "ARPYMT": (("ARPYMTDETAIL", "PAYMENTKEY"),),
    "ARADJUSTMENT": (("ARADJUSTMENTITEM", "RECORDKEY"),),
    "GLBATCH": (("GLENTRY", "BATCHNO"),),  # and so its GLDETAIL rows
    "GLACCTGRP": (("GLACCTGRPMEMBER", "PARENTKEY"), ("GLACCTRANGE", "PARENTKEY")),
    "GLBUDGETHEADER": (("GLBUDGETITEM", "BUDGETKEY"),),
}


@dataclass(frozen=True)
class Entity:
    key: int
    id: str
    name: str
    private: bool


@dataclass
class User:
    password: str
    entity: str | None = None  # restricted to this entity (docs/protocol.md §10)


@dataclass
class Settings:
    company_id: str = "EMUCO"
    sender_id: str = "emu_sender"
    sender_password: str = "emu-sender-secret"  # noqa: S105 - emulator fake
    users: dict[str, User] = field(default_factory=lambda: {"xml_gateway": User("emu-user-secret")})
    unauthorized_senders: set[str] = field(default_factory=set)
    demo_expired: bool = False
    forbidden: set[str] = field(default_factory=set)  # objects the user may not read
    policies: set[str] = field(default_factory=lambda: {"emu_policy"})
    quirks: Quirks = field(default_factory=Quirks)  # production behaviours (docs/protocol.md §17)


class Company:
    def __init__(
        self,
        seed: int = 7,
        scale: str = "small",
        timezone_name: str = "America/Los_Angeles",
        clock: Clock | None = None,
        bills: int | None = None,
    ) -> None:
        self.clock = clock or Clock()
        self.zone = ZoneInfo(timezone_name)
        self.settings = Settings()
        self.entities = {e[1]: Entity(int(e[0]), e[1], e[2], e[4]) for e in ENTITIES}
        self.seed = seed
        self.objects: dict[str, ObjectDef] = build_objects()
        unqueryable.declare(self.objects, self.settings.quirks.unqueryable_fields)
        started = time.perf_counter()
        self.store, self._audit_id = company_store(self.objects, seed, scale, timezone_name, bills)
        self.generation_seconds = time.perf_counter() - started
        self.lock = self.store.lock
        # Record numbers issued so far per object: a sequence, never reused after a delete.
        self._last_keys: dict[str, int] = {
            name: self.store.execute(f"SELECT MAX({q(obj.key)}) FROM {q(name)}")[0][0] or 0
            for name, obj in self.objects.items()
        }

    # ----- inspection -------------------------------------------------------------------
    def definition(self, name: str) -> ObjectDef:
        try:
            return self.objects[name.upper() if name.upper() in self.objects else name]
        except KeyError:
            raise KeyError(f"unknown object {name!r}; known: {', '.join(sorted(self.objects))}")

    def count(self, name: str) -> int:
        obj = self.definition(name)
        return self.store.execute(f"SELECT COUNT(*) FROM {q(obj.name)}")[0][0]

    def rows(self, name: str, include_private: bool = True) -> list[dict[str, str]]:
        """Every row as the gateway prints it ('' for empty), ordered by key."""
        obj = self.definition(name)
        where = ""
        if not include_private and obj.has_entity:
            private = [e.key for e in self.entities.values() if e.private]
            keys = ",".join(map(str, private))
            where = f" WHERE MEGAENTITYKEY IS NULL OR MEGAENTITYKEY NOT IN ({keys})"
        fmts = [formatter(f) for f in obj.fields]
        data = self.store.execute(
            f"SELECT {', '.join(q(n) for n in obj.names)} FROM {q(obj.name)}"
            f"{where} ORDER BY {q(obj.key)}"
        )
        return [
            {
                n: ("" if v is None else fmt(v))
                for n, fmt, v in zip(obj.names, fmts, row, strict=False)
            }
            for row in data
        ]

    # ----- mutations --------------------------------------------------------------------
    def _changeable(self, name: str) -> ObjectDef:
        obj = self.definition(name)
        if obj.view is not None:
            raise ValueError(f"{obj.name} is a read-only view: change the records it is made of")
        return obj

    def _now_local(self) -> str:
        return self.clock.now().astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def _now_utc(self) -> str:
        return self.clock.now().astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

    def _stamp_fields(self, obj: ObjectDef, creating: bool) -> dict[str, Any]:
        if obj.udd:
            out = {"updatedAt": self._now_local()}
            return {**out, "createdAt": out["updatedAt"]} if creating else out
        out = {"WHENMODIFIED": self._now_local()} if obj.field("WHENMODIFIED") else {}
        if creating and obj.field("AUWHENCREATED"):
            out["AUWHENCREATED"] = self._now_utc()
        elif creating and obj.field("WHENCREATED") and obj.field("WHENCREATED").type == "TIMESTAMP":
            out["WHENCREATED"] = out.get("WHENMODIFIED", self._now_local())
        return out

    def _storage(self, obj: ObjectDef, values: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in values.items():
            fdef = obj.field(name)
            if fdef is None:
                raise KeyError(f"{obj.name} has no field {name!r}")
            if generated(obj, name):
                raise ValueError(f"{obj.name}.{name} is read-only (made from the record number)")
            out[name] = to_storage(fdef, value)
        return out

    def _audit(self, obj: ObjectDef, key: int, mode: str) -> None:
        if obj.name == "AUDITHISTORY":
            return
        self._audit_id += 1
        self.store.insert_many(
            self.objects["AUDITHISTORY"],
            [
                {
                    "ID": self._audit_id,
                    "OBJECTTYPE": obj.name.lower(),
                    "OBJECTKEY": str(key),
                    "USERID": "xml_gateway",
                    "ACCESSTIME": self._now_utc(),
                    "ACCESSMODE": mode,
                    "SOURCE": "api",
                }
            ],
        )

    def insert(self, name: str, values: dict[str, Any]) -> int:
        obj = self._changeable(name)
        with self.lock:
            row = self._storage(obj, values)
            for fdef in obj.fields:  # as in Intacct, a custom field's default fills new records
                if fdef.default is not None and row.get(fdef.name) is None:
                    row[fdef.name] = fdef.default
            if row.get(obj.key) is None:
                row[obj.key] = self.next_key(obj.name)
            when = obj.field("WHENCREATED")
            if when is not None and when.type == "DATE" and row.get("WHENCREATED") is None:
                # a transaction's WHENCREATED is its date (docs/protocol.md §7): today by default
                row["WHENCREATED"] = self.clock.now().astimezone(self.zone).strftime("%Y-%m-%d")
            row = {**row, **self._stamp_fields(obj, creating=True)}
            self.store.insert_many(obj, [row])
            self._audit(obj, row[obj.key], "C")
            return row[obj.key]

    def next_key(self, name: str) -> int:
        """The next record number of ``name``: a sequence, so a deleted record's key is never
        issued again (Intacct's RECORDNOs are never reused)."""
        obj = self.definition(name)
        with self.lock:
            self._last_keys[obj.name] = int(self._last_keys.get(obj.name) or 0) + 1
            return self._last_keys[obj.name]

    def update(self, name: str, recordno: int, values: dict[str, Any]) -> None:
        obj = self._changeable(name)
        with self.lock:
            row = {**self._storage(obj, values), **self._stamp_fields(obj, creating=False)}
            sets = ", ".join(f"{q(k)} = ?" for k in row)
            cur = self.store.conn.execute(
                f"UPDATE {q(obj.name)} SET {sets} WHERE {q(obj.key)} = ?", (*row.values(), recordno)
            )
            if cur.rowcount == 0:
                raise KeyError(f"{obj.name} {recordno} does not exist")
            self._audit(obj, recordno, "M")

    def delete(self, name: str, recordno: int) -> None:
        """Delete a record; its lines go with it, as in Intacct (docs/protocol.md §8)."""
        obj = self._changeable(name)
        with self.lock:
            cur = self.store.conn.execute(
                f"DELETE FROM {q(obj.name)} WHERE {q(obj.key)} = ?", (recordno,)
            )
            if cur.rowcount == 0:
                raise KeyError(f"{obj.name} {recordno} does not exist")
            for child, parent_key in CASCADE.get(obj.name, ()):
                self.store.execute(f"DELETE FROM {q(child)} WHERE {q(parent_key)} = ?", (recordno,))
            self._audit(obj, recordno, "D")

    def set_null_cursor(self, name: str, recordno: int) -> None:
        obj = self._changeable(name)
        cursor = "updatedAt" if obj.udd else "WHENMODIFIED"
        self.store.execute(
            f"UPDATE {q(obj.name)} SET {q(cursor)} = NULL WHERE {q(obj.key)} = ?", (recordno,)
        )

    def add_custom_field(
        self, name: str, field_name: str, datatype: str, default: Any = None
    ) -> None:
        """A new custom field; as in Intacct its default applies to new records only, existing
        ones stay empty (and keep their WHENMODIFIED) until someone edits them."""
        obj = self._changeable(name)
        with self.lock:
            fdef = FieldDef(field_name, datatype.upper(), custom=True)
            fdef.default = to_storage(fdef, default)
            obj.add_field(fdef)
            self.store.add_column(obj, field_name)

    def recreate_bill(self, recordno: int) -> int:
        """A Purchasing-sourced bill is deleted and re-created with a new RECORDNO (§8)."""
        from .recreate import recreate_bill

        return recreate_bill(self, recordno)
