"""``lookup`` and ``getDimensions`` answers as Python values (docs/protocol.md §6.1, §6.3)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from intacct_sync.intacct.errors import UnexpectedResponse
from intacct_sync.intacct.fields import Field, FieldType


@dataclass(frozen=True)
class Dimension:
    object_name: str
    label: str
    user_defined: bool
    enabled_in_gl: bool


def _flag(element: etree._Element, tag: str) -> bool:
    return (element.findtext(tag) or "").strip().lower() in ("true", "t")


def parse_lookup(type_element: etree._Element | None) -> list[Field]:
    """``data/Type/Fields/Field`` into ``Field``s; custom fields marked (ISCUSTOM)."""
    if type_element is None:
        raise UnexpectedResponse("lookup answered without a <Type> element.")
    return [
        Field(
            name=(f.findtext("ID") or "").strip(),
            type=FieldType.parse(f.findtext("DATATYPE")),
            is_custom=_flag(f, "ISCUSTOM"),
            label=(f.findtext("LABEL") or "").strip(),
        )
        for f in type_element.iterfind("Fields/Field")
        if (f.findtext("ID") or "").strip()
    ]


def parse_dimensions(data: etree._Element | None) -> list[Dimension]:
    if data is None:
        raise UnexpectedResponse("getDimensions answered without <data>.")
    return [
        Dimension(
            object_name=(d.findtext("objectName") or "").strip(),
            label=(d.findtext("termLabel") or d.findtext("objectLabel") or "").strip(),
            user_defined=_flag(d, "userDefinedDimension"),
            enabled_in_gl=_flag(d, "enabledInGL"),
        )
        for d in data.iterfind("dimensions/dimension")
    ]
