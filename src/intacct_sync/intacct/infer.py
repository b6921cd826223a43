"""Any Intacct object by name: its spec inferred from what ``lookup`` says (docs/protocol.md §6.1).

* **Key**: ``RECORDNO`` (standard objects), else ``id`` (platform objects, read with
  readByQuery like user-defined dimensions).
* **Cursor**: ``WHENMODIFIED`` (``updatedAt`` on platform objects) when the object has one;
  without one the object is read in full every run, compared with the last run's content and
  written only when it changed, and its deletes are found by the key comparison of that read.
* **Deletes**: standard objects are audited (AUDITHISTORY, with the weekly key sweep as a safety
  net for an object the company does not audit); platform objects by a key sweep every run.
* **Creation field** for rows whose cursor is empty: ``AUWHENCREATED`` when present (a
  transaction, §7), else a ``WHENCREATED`` timestamp (master data), else ``createdAt``.
* **Money for reconciliation**: the header totals or the line amount, where the object has them.

Curated specs (``catalog.py``) always win over inference.
"""

from __future__ import annotations

import re

from intacct_sync.intacct.fields import Field, FieldType
from intacct_sync.intacct.objects import DeleteStrategy, ObjectSpec, ReadFunction

_MONEY = ("TOTALENTERED", "TOTALDUE", "AMOUNT")
_MONEY_TYPES = (FieldType.DECIMAL, FieldType.CURRENCY)


class CannotInfer(ValueError):
    """lookup answered, but without a field that can serve as a key."""


def table_name(object_name: str) -> str:
    """The default table of an inferred object: its name in lower case (``EEXPENSES`` ->
    ``eexpenses``); set ``tables`` to name it otherwise."""
    return re.sub(r"[^a-z0-9_]", "_", object_name.lower())


def infer_spec(object_name: str, fields: list[Field], label: str = "") -> ObjectSpec:
    types = {f.name: f.type for f in fields}
    if "RECORDNO" in types:
        key, read, deletes = "RECORDNO", ReadFunction.QUERY, DeleteStrategy.AUDIT
        cursor = "WHENMODIFIED" if "WHENMODIFIED" in types else None
    elif "id" in types:
        key, read, deletes = "id", ReadFunction.READ_BY_QUERY, DeleteStrategy.SWEEP
        cursor = "updatedAt" if "updatedAt" in types else None
    else:
        raise CannotInfer(
            f"{object_name}: lookup lists neither RECORDNO nor id, so no key to merge on; "
            "this object cannot be synced by name."
        )
    created = next(
        (
            name
            for name, kind in (
                ("AUWHENCREATED", None),
                ("WHENCREATED", FieldType.TIMESTAMP),
                ("createdAt", None),
            )
            if name in types and (kind is None or types[name] is kind)
        ),
        None,
    )
    money = tuple(name for name in _MONEY if types.get(name) in _MONEY_TYPES)
    return ObjectSpec(
        name=object_name,
        table=table_name(object_name),
        key=key,
        cursor=cursor,  # type: ignore[arg-type]
        created=created if cursor else None,
        money_fields=money if key == "RECORDNO" else (),
        deletes=deletes if cursor else DeleteStrategy.SWEEP,
        tier=2,
        read_function=read,
        read_in_full=cursor is None or read is ReadFunction.READ_BY_QUERY,
        label=label,
        inferred=True,
    )
