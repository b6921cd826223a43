"""What the new subledger generators share: key counters, dates, line dimensions, posting.

Each generator gets its own RNG and Timeline (seeded from the company seed and its own name),
so adding or changing one never moves the values of another.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .generate_master import Master, entity_of
from .generate_post import Dims, Doc, Poster, make_doc
from .timeline import Timeline
from .values import cents_text

Sink = Callable[[str, dict], None]


@dataclass
class Kit:
    rng: random.Random
    tl: Timeline
    m: Master
    sink: Sink
    poster: Poster
    keys: dict[str, int] = field(default_factory=dict)

    @classmethod
    def make(cls, seed: int, name: str, tz: str, m: Master, sink: Sink, poster: Poster) -> Kit:
        rng = random.Random(f"{seed}:{name}")
        return cls(rng, Timeline(rng, tz), m, sink, poster)

    def key(self, obj: str, start: int) -> int:
        self.keys[obj] = self.keys.get(obj, start) + 1
        return self.keys[obj]

    def entity(self) -> dict:
        return entity_of(self.rng)

    def stamps(self, created: int, *later: int) -> dict:
        """AUWHENCREATED (UTC) and WHENMODIFIED (company zone) of a document."""
        return {
            "AUWHENCREATED": self.tl.utc(created),
            "WHENMODIFIED": self.tl.local(max((created, *later))),
            "CREATEDBY": 1,
            "MODIFIEDBY": 1,
        }

    def line_stamps(self, created: int, *later: int) -> dict:
        return {
            "WHENCREATED": self.tl.local(created),
            "WHENMODIFIED": self.tl.local(max((created, *later))),
            "CREATEDBY": 1,
            "MODIFIEDBY": 1,
        }

    def dims(self, project: float = 0.2, klass: float = 0.3) -> tuple[dict, Dims]:
        """Random department/location (always), class and project (sometimes): the line
        fields and the dimension keys a posting carries."""
        rng, m = self.rng, self.m
        dept, loc = rng.choice(m.of("DEPARTMENT")), rng.choice(m.of("LOCATION"))
        fields = {
            "DEPARTMENTKEY": dept["RECORDNO"],
            "DEPARTMENTID": dept["DEPARTMENTID"],
            "DEPARTMENTNAME": dept["TITLE"],
            "LOCATIONKEY": loc["RECORDNO"],
            "LOCATIONID": loc["LOCATIONID"],
            "LOCATIONNAME": loc["NAME"],
        }
        dims: list = [("DEPARTMENT", dept["RECORDNO"]), ("LOCATION", loc["RECORDNO"])]
        if rng.random() < klass:
            c = rng.choice(m.of("CLASS"))
            fields.update(
                {"CLASSDIMKEY": c["RECORDNO"], "CLASSID": c["CLASSID"], "CLASSNAME": c["NAME"]}
            )
            dims.append(("CLASS", c["RECORDNO"]))
        if rng.random() < project:
            p = rng.choice(m.of("PROJECT"))
            fields.update(
                {
                    "PROJECTDIMKEY": p["RECORDNO"],
                    "PROJECTID": p["PROJECTID"],
                    "PROJECTNAME": p["NAME"],
                }
            )
            dims.append(("PROJECT", p["RECORDNO"]))
        return fields, tuple(dims)

    def doc(self, rtype: str, head: dict, created: int, day: str) -> Doc:
        return make_doc(rtype, head, created, day, self.tl)


def money(cents: int) -> str:
    return cents_text(cents)


def totals(total: int, paid: int) -> dict:
    """The header money fields of a base-currency (USD) document."""
    fields = {
        "TOTALENTERED": money(total),
        "TOTALPAID": money(paid),
        "TOTALDUE": money(total - paid),
        "TOTALSELECTED": "0",
    }
    return {**fields, **{f"TRX_{k}": v for k, v in fields.items()}, "BASECURR": "USD"}
