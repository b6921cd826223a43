"""Purchasing-sourced bills are deleted and re-created with new keys (docs/protocol.md §8).

The new bill keeps every value but gets a new RECORDNO (and new line RECORDNOs) and MODULEKEY
9.PO; payment details that pointed at the old bill follow it to the new keys.
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

from typing import TYPE_CHECKING

from .store import q

if TYPE_CHECKING:
    from .company import Company


def _raw(company: Company, obj: str, where: str, params: tuple) -> list[dict]:
    names = company.objects[obj].names
    rows = company.store.execute(
        f"SELECT {', '.join(q(n) for n in names)} FROM {q(obj)} WHERE {where}", params
    )
    return [dict(zip(names, r, strict=False)) for r in rows]


def recreate_bill(company: Company, recordno: int) -> int:
    with company.lock:
        bills = _raw(company, "APBILL", "RECORDNO = ?", (recordno,))
        if not bills:
            raise KeyError(f"APBILL {recordno} does not exist")
        lines = _raw(company, "APBILLITEM", "RECORDKEY = ? ORDER BY RECORDNO", (recordno,))
        details = _raw(company, "APPYMTDETAIL", "RECORDKEY = ?", (recordno,))
        company.delete("APBILL", recordno)
        bill = {**bills[0], "RECORDNO": company.next_key("APBILL"), "MODULEKEY": "9.PO"}
        stamps = company._stamp_fields(company.objects["APBILL"], creating=True)
        company.store.insert_many(company.objects["APBILL"], [{**bill, **stamps}])
        company._audit(company.objects["APBILL"], bill["RECORDNO"], "C")
        moved = {}
        line_stamps = company._stamp_fields(company.objects["APBILLITEM"], creating=True)
        for line in lines:
            key = company.next_key("APBILLITEM")
            new = {**line, "RECORDNO": key, "RECORDKEY": bill["RECORDNO"]}
            moved[line["RECORDNO"]] = new["RECORDNO"]
            company.store.insert_many(company.objects["APBILLITEM"], [{**new, **line_stamps}])
        detail_stamps = company._stamp_fields(company.objects["APPYMTDETAIL"], creating=False)
        for detail in details:
            new = {
                **detail,
                "RECORDKEY": bill["RECORDNO"],
                "ENTRYKEY": moved.get(detail["ENTRYKEY"], detail["ENTRYKEY"]),
                **detail_stamps,
            }
            company.store.insert_many(company.objects["APPYMTDETAIL"], [new])
        return bill["RECORDNO"]
