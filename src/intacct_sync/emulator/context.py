"""What a function handler needs: the company, the caller's session scope, shared helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import GENERIC, Err, FunctionFailure, generic, support_id
from .schema import FieldDef, ObjectDef
from .sessions import SessionStore
from .values import formatter

if TYPE_CHECKING:
    from .company import Company

OPERATION = {
    "query": "QUERY",
    "readByQuery": "READ_BY_QUERY",
    "readMore": "READ_MORE",
    "read": "READ",
    "readByName": "READ_BY_NAME",
}


@dataclass
class Ctx:
    company: Company
    sessions: SessionStore
    user_id: str
    location: str  # '' = top level
    session_id: str
    endpoint_url: str  # data endpoint returned by getAPISession
    endpoint_path: str

    def object(self, name: str | None, function: str) -> ObjectDef:
        name = (name or "").strip()
        obj = self.company.objects.get(name.upper()) or self.company.objects.get(name)
        if obj is None:
            # CHOICE: errorno UNCONFIRMED (§16.6); the text is the PHP fixture's.
            raise FunctionFailure(
                Err(GENERIC, f"Object definition {name} not found" + support_id())
            )
        if obj.name in self.company.settings.forbidden and function in OPERATION:
            raise generic(
                f"You do not have permission for API operation {OPERATION[function]} "
                f"on objects of type {obj.name.lower()}"
            )
        return obj

    def visibility(self, obj: ObjectDef, showprivate: bool) -> tuple[str, list[object]]:
        """Entity sessions see their entity's rows and shared rows; the top level sees private
        entities' rows only with showprivate (query only; docs/protocol.md §10)."""
        if not obj.has_entity:
            return "1 = 1", []
        if self.location:
            return "(t.MEGAENTITYKEY IS NULL OR t.MEGAENTITYKEY = ?)", [
                self.company.entities[self.location].key
            ]
        private = [e.key for e in self.company.entities.values() if e.private]
        if showprivate or not private:
            return "1 = 1", []
        if len(private) == 1:  # one comparison keeps counts on the covering index cheap
            return "t.MEGAENTITYKEY IS NOT ?", private
        marks = ", ".join("?" * len(private))
        return f"(t.MEGAENTITYKEY IS NULL OR t.MEGAENTITYKEY NOT IN ({marks}))", private


def format_rows(fdefs: list[FieldDef], rows: list[tuple]) -> list[list[str]]:
    fmts = [formatter(f) for f in fdefs]
    return [
        ["" if v is None else fmt(v) for fmt, v in zip(fmts, row, strict=False)] for row in rows
    ]


def child_text(el, tag: str, default: str | None = None) -> str | None:
    found = el.find(tag)
    if found is None:
        return default
    return (found.text or "").strip()


def page_size(text: str | None, default: int, limit: int) -> int:
    """CHOICE (§16.10): an out-of-range pagesize is refused, not clamped."""
    if text in (None, ""):
        return default
    try:
        size = int(text)
    except ValueError:
        size = -1
    if not 1 <= size <= limit:
        raise generic(
            f"Invalid pagesize {text}: it must be between 1 and {limit}.",
            f"Send a pagesize from 1 to {limit}.",
        )
    return size
