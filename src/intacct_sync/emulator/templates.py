"""Generated companies, kept per process so a test suite's many small emulators are copies.

Generation is deterministic (seed, scale, time zone, bills), so the second company with the
same inputs is byte for byte the first: for scale ``small`` the generated store is kept as a
template and each Company gets a copy (SQLite online backup, a few milliseconds) it may then
change at will. Larger scales are generated each time (their size makes a kept copy costly).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from . import shapes, unqueryable
from .generate import populate
from .schema import ObjectDef
from .store import Store

CACHED_SCALES = ("small",)
KEEP = 8  # templates kept per process (a small company is a few MB)
_LOCK = threading.Lock()
_TEMPLATES: OrderedDict[tuple, tuple[Store, int]] = OrderedDict()


def generate_store(
    objects: dict[str, ObjectDef], seed: int, scale: str, tz: str, bills: int | None
) -> tuple[Store, int]:
    """A store holding the generated company (tables, then views, then indexes) and the last
    AUDITHISTORY ID used."""
    store = Store()
    for obj in sorted(objects.values(), key=lambda o: o.view is not None):
        store.create(obj)
    audit_id = populate(store, objects, seed, scale, tz, bills)
    unqueryable.fill(store, objects)  # the fields query refuses hold values too (§17)
    shapes.prepare(store, objects, seed)  # date-only timestamps stored at midnight
    for obj in objects.values():
        store.index(obj)
    return store, audit_id


def company_store(
    objects: dict[str, ObjectDef], seed: int, scale: str, tz: str, bills: int | None
) -> tuple[Store, int]:
    """The generated company for ``objects`` (as declared, quirk fields included)."""
    if scale not in CACHED_SCALES:
        return generate_store(objects, seed, scale, tz, bills)
    layout = tuple((name, tuple(obj.names)) for name, obj in sorted(objects.items()))
    key = (seed, scale, tz, bills, layout)
    with _LOCK:
        found = _TEMPLATES.get(key)
        if found is None:
            found = generate_store(objects, seed, scale, tz, bills)
            _TEMPLATES[key] = found
            while len(_TEMPLATES) > KEEP:
                _TEMPLATES.popitem(last=False)
        _TEMPLATES.move_to_end(key)
        template, audit_id = found
        return template.copy(), audit_id
