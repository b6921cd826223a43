"""Request XML: control block, authentication and read-only functions (docs/protocol.md §2).

Only the read functions in ``READ_FUNCTIONS`` can be built; anything else raises
``WriteRefused`` before a byte is produced. Every value goes through lxml, so a hostile value
(``</password><delete>``) is escaped text, never markup.

**uniqueid = false.** With ``true`` (Intacct's default) the gateway refuses to run a function
whose ``controlid`` it has already executed (docs/protocol.md §2). That protects writes from
replays, but intacct-sync only reads, and its retry policy re-sends the *same* function
controlids after a lost answer (a timeout or a 5xx after the server ran the query): with
``true`` that retry would be refused instead of answered. So reads send ``false``, and the
stable controlids still let a log line be matched to the server's records.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Union

from lxml import etree

from intacct_sync.intacct.errors import WriteRefused
from intacct_sync.intacct.filters import Filter

READ_FUNCTIONS = frozenset(
    {
        "getAPISession",
        "query",
        "readByQuery",
        "readMore",
        "read",
        "lookup",
        "inspect",
        "getDimensions",
    }
)
DTD_VERSION = "3.0"
QUERY_MAX_PAGE = 2000  # docs/protocol.md §5.2
READ_BY_QUERY_MAX_PAGE = 1000  # docs/protocol.md §5.1


@dataclass(frozen=True)
class Function:
    """One ``<function controlid=…>`` holding ``<name>`` with (tag, text-or-children) items."""

    name: str
    body: tuple = ()
    attributes: tuple[tuple[str, str], ...] = ()
    controlid: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        if self.name not in READ_FUNCTIONS:
            raise WriteRefused(
                f"intacct-sync is read-only and refuses to build the function {self.name!r}; "
                f"only {', '.join(sorted(READ_FUNCTIONS))} can be sent."
            )
        if not 1 <= len(self.controlid) <= 256:
            raise ValueError("a function controlid must be 1..256 characters (docs/protocol.md §2)")

    def element(self) -> etree._Element:
        wrapper = etree.Element("function", controlid=self.controlid)
        inner = etree.SubElement(wrapper, self.name, dict(self.attributes))
        _append(inner, self.body)
        return wrapper


Body = tuple[tuple[str, Union[str, None, "Body", etree._Element]], ...]


def _append(parent: etree._Element, body: tuple) -> None:
    for tag, value in body:
        if isinstance(value, etree._Element):
            parent.append(copy.deepcopy(value))  # appending moves an element; keep ours intact
            continue
        child = etree.SubElement(parent, tag)
        if isinstance(value, tuple):
            _append(child, value)
        elif value is not None:
            child.text = str(value)


@dataclass(frozen=True)
class Login:
    userid: str
    companyid: str
    password: str = field(repr=False)
    locationid: str | None = None


@dataclass(frozen=True)
class SessionAuth:
    sessionid: str = field(repr=False)


def build_request(
    *,
    sender_id: str,
    sender_password: str,
    auth: Login | SessionAuth,
    functions: list[Function],
    controlid: str,
) -> bytes:
    """The whole ``<request>`` document as UTF-8 bytes (control order as the SDKs write it)."""
    if not functions:
        raise ValueError("a request needs at least one function")
    request = etree.Element("request")
    control = etree.SubElement(request, "control")
    for tag, value in (
        ("senderid", sender_id),
        ("password", sender_password),
        ("controlid", controlid),
        ("uniqueid", "false"),
        ("dtdversion", DTD_VERSION),
        ("includewhitespace", "false"),
    ):
        etree.SubElement(control, tag).text = value
    operation = etree.SubElement(request, "operation", transaction="false")
    authentication = etree.SubElement(operation, "authentication")
    if isinstance(auth, SessionAuth):
        etree.SubElement(authentication, "sessionid").text = auth.sessionid
    else:
        login = etree.SubElement(authentication, "login")
        etree.SubElement(login, "userid").text = auth.userid
        etree.SubElement(login, "companyid").text = auth.companyid
        etree.SubElement(login, "password").text = auth.password
        if auth.locationid:
            etree.SubElement(login, "locationid").text = auth.locationid
    content = etree.SubElement(operation, "content")
    for function in functions:
        content.append(function.element())
    return etree.tostring(request, xml_declaration=True, encoding="UTF-8")


# --- the read functions -----------------------------------------------------------------------


def get_api_session(locationid: str | None = None) -> Function:
    """``<getAPISession><locationid>E</locationid>`` (empty for the top level, §3.1)."""
    return Function("getAPISession", (("locationid", locationid or None),))


def query(
    object_name: str,
    select: list[str],
    *,
    filter: Filter | None = None,  # noqa: A002 - the XSD's word
    orderby: list[tuple[str, bool]] = (),  # type: ignore[assignment]
    aggregates: list[tuple[str, str]] = (),  # type: ignore[assignment]  (func, field)
    pagesize: int = QUERY_MAX_PAGE,
    offset: int = 0,
    showprivate: bool = True,
) -> Function:
    """``query`` with an explicit select list; ``*`` is refused (docs/protocol.md §5.2)."""
    if not select and not aggregates:
        raise ValueError("query needs an explicit select list")
    if "*" in select:
        raise ValueError("query cannot select '*'; list the fields (docs/protocol.md §5.2)")
    if not 1 <= pagesize <= QUERY_MAX_PAGE:
        raise ValueError(f"query pagesize must be 1..{QUERY_MAX_PAGE}, got {pagesize}")
    body: list = [
        ("select", tuple(("field", f) for f in select) + tuple(aggregates)),
        ("object", object_name),
    ]
    if filter is not None:
        body.append(("filter", filter.element()))
    if orderby:
        orders = tuple(
            ("order", (("field", f), ("ascending" if asc else "descending", None)))
            for f, asc in orderby
        )
        body.append(("orderby", orders))
    if showprivate:
        body.append(("options", (("showprivate", "true"),)))
    body += [("pagesize", str(pagesize)), ("offset", str(offset))]
    return Function("query", _wrap_filter(tuple(body)))


def _wrap_filter(body: tuple) -> tuple:
    # A filter element goes inside <filter>; _append appends elements as-is, so wrap it here.
    out = []
    for tag, value in body:
        if tag == "filter":
            holder = etree.Element("filter")
            holder.append(value)
            value = holder
        out.append((tag, value))
    return tuple(out)


def read_by_query(object_name: str, fields: list[str], query_text: str, pagesize: int) -> Function:
    if not 1 <= pagesize <= READ_BY_QUERY_MAX_PAGE:
        raise ValueError(f"readByQuery pagesize must be 1..{READ_BY_QUERY_MAX_PAGE}")
    return Function(
        "readByQuery",
        (
            ("object", object_name),
            ("query", query_text or None),
            ("fields", ",".join(fields)),
            ("pagesize", str(pagesize)),
            ("returnFormat", "xml"),
        ),
    )


def read_more(result_id: str) -> Function:
    return Function("readMore", (("resultId", result_id),))


def read(object_name: str, keys: list[str], fields: list[str] | None = None) -> Function:
    if not 1 <= len(keys) <= 100:
        raise ValueError("read takes 1..100 keys (docs/protocol.md §5.3)")
    return Function(
        "read",
        (
            ("object", object_name),
            ("keys", ",".join(keys)),
            ("fields", ",".join(fields) if fields else "*"),
            ("returnFormat", "xml"),
        ),
    )


def lookup(object_name: str) -> Function:
    return Function("lookup", (("object", object_name),))


def inspect(object_name: str, detail: bool = False) -> Function:
    return Function("inspect", (("object", object_name),), (("detail", "1" if detail else "0"),))


def get_dimensions() -> Function:
    return Function("getDimensions")
