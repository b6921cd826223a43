"""Metadata and session functions: lookup, inspect, getDimensions, getAPISession (§3, §6)."""

from __future__ import annotations

from .catalog import STANDARD_DIMENSIONS
from .context import Ctx, child_text
from .errors import SIGN_IN, Err, FunctionFailure
from .schema import ObjectDef
from .xmlout import E, leaf

EXTERNAL = {
    "INTEGER": "integer",
    "TEXT": "string",
    "ENUM": "string",
    "DECIMAL": "number",
    "CURRENCY": "currency",
    "PERCENT": "number",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "datetime",
}
DATA_NAMES = {
    "INTEGER": "Pt_FieldInt",
    "DATE": "Pt_FieldDate",
    "TIMESTAMP": "Pt_FieldDateTime",
    "BOOLEAN": "Pt_FieldBoolean",
}


def _bool(value: bool) -> str:
    return "true" if value else "false"


def lookup(ctx: Ctx, el) -> E:
    obj = ctx.object(child_text(el, "object") or child_text(el, "name"), "lookup")
    fields = E("Fields")
    for f in obj.fields:
        field = fields.add(
            E(
                "Field",
                children=[
                    leaf("ID", f.name),
                    leaf("LABEL", f.label),
                    leaf("DESCRIPTION", f.label),
                    leaf("REQUIRED", _bool(f.name == obj.key)),
                    leaf("READONLY", _bool(f.name == obj.key)),
                    leaf("DATATYPE", f.type),
                ],
            )
        )
        if f.valid:
            field.add(E("VALIDVALUES", children=[leaf("VALIDVALUE", v) for v in f.valid]))
        field.add(leaf("ISCUSTOM", _bool(f.custom)))
    rels = E(
        "Relationships",
        children=[
            E(
                "Relationship",
                children=[
                    leaf("OBJECTPATH", r.path),
                    leaf("OBJECTNAME", r.object),
                    leaf("LABEL", ""),
                    leaf("RELATIONSHIPTYPE", "MANY2ONE"),
                    leaf("RELATEDBY", r.related_by),
                ],
            )
            for r in obj.relationships
        ],
    )
    return E(
        "data",
        children=[E("Type", attrs={"Name": obj.name, "DocumentType": ""}, children=[fields, rels])],
    )


def _inspect_field(obj: ObjectDef, n: int, f) -> E:
    return E(
        "Field",
        children=[
            leaf("Name", f.name),
            leaf("GroupName", ""),
            leaf("dataName", DATA_NAMES.get(f.type, "Pt_FieldString")),
            leaf("externalDataName", EXTERNAL[f.type]),
            leaf("isRequired", _bool(f.name == obj.key)),
            leaf("isReadOnly", _bool(f.name == obj.key)),
            leaf("maxLength", "8" if f.type == "INTEGER" else "100"),
            leaf("DisplayLabel", f.label),
            leaf("Description", f.label),
            leaf("id", str(999500400000900 + n)),
        ],
    )


def inspect(ctx: Ctx, el) -> E:
    data = E("data", attrs={"listtype": "All", "count": "1"})
    name = child_text(el, "object") or child_text(el, "name")
    if name == "*":
        for obj in ctx.company.objects.values():
            data.add(E("type", obj.label, attrs={"typename": obj.name}))
        return data
    obj = ctx.object(name, "inspect")
    if (el.get("detail") or "0") == "1":
        attrs = E(
            "Attributes",
            children=[
                leaf("SingularName", obj.label),
                leaf("PluralName", obj.label + "s"),
                leaf("Description", ""),
            ],
        )
        fields = E("Fields", children=[_inspect_field(obj, n, f) for n, f in enumerate(obj.fields)])
        data.add(E("Type", attrs={"Name": obj.name}, children=[attrs, fields]))
    else:
        data.add(
            E(
                "Type",
                attrs={"Name": obj.name},
                children=[E("Fields", children=[leaf("Field", f.name) for f in obj.fields])],
            )
        )
    return data


def get_dimensions(ctx: Ctx, el) -> E:
    dims = E("dimensions")
    for name in STANDARD_DIMENSIONS:
        obj = ctx.company.objects[name]
        dims.add(_dimension(name, obj.label, False, name != "EMPLOYEE"))
    for obj in ctx.company.objects.values():
        if obj.udd:
            dims.add(_dimension(obj.name, obj.label, True, True))
    return E("data", children=[dims])


def _dimension(name: str, label: str, udd: bool, gl: bool) -> E:
    return E(
        "dimension",
        children=[
            leaf("objectName", name),
            leaf("objectLabel", label),
            leaf("termLabel", label),
            leaf("userDefinedDimension", _bool(udd)),
            leaf("enabledInGL", _bool(gl)),
        ],
    )


def get_api_session(ctx: Ctx, el) -> E:
    """A session for the requested entity (or the caller's), issued for the data endpoint (§3.1)."""
    loc_el = el.find("locationid")
    location = ctx.location if loc_el is None else (loc_el.text or "").strip()
    user = ctx.company.settings.users[ctx.user_id]
    if user.entity and not location:  # an entity-restricted user cannot go top level (§10)
        location = user.entity
    if location and (
        location not in ctx.company.entities or (user.entity and location != user.entity)
    ):
        raise FunctionFailure(Err(SIGN_IN[0], SIGN_IN[1]))
    if location == ctx.location and ctx.session_id and ctx.endpoint_path == _path(ctx.endpoint_url):
        sid = ctx.session_id
    else:
        sid = ctx.sessions.create(
            ctx.user_id, ctx.company.settings.company_id, location, _path(ctx.endpoint_url)
        ).id
    return E(
        "data",
        children=[
            E(
                "api",
                children=[
                    leaf("sessionid", sid),
                    leaf("endpoint", ctx.endpoint_url),
                    leaf("locationid", location),
                ],
            )
        ],
    )


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[1]
