"""Turning response bytes into an lxml tree, safely.

Two defences (docs/protocol.md §11):

* control characters XML 1.0 forbids (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F), raw or as
  ``&#N;``/``&#xN;`` references, are stripped first: user-entered memos may carry them and one
  bad character would otherwise fail a whole page;
* the parser never resolves entities, never loads a DTD, never touches the network and keeps
  lxml's size limits; any DOCTYPE is refused outright, so an entity bomb or an XXE payload is
  an ``UnsafeResponse`` and never expands.
"""

from __future__ import annotations

import re

from lxml import etree

from intacct_sync.intacct.errors import MalformedResponse, UnsafeResponse

_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
# &#0;-&#8;, &#11;, &#12;, &#14;-&#31; in decimal (with leading zeros) or hex.
_REF_CONTROL = re.compile(
    rb"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01])|[xX]0*(?:[0-8]|[bBcC]|[eEfF]|1[0-9a-fA-F]));"
)
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def strip_control_chars(body: bytes) -> bytes:
    """Remove the characters XML 1.0 forbids, raw and as character references."""
    # bytes.translate runs in C about 7x faster than the regex scan on a 2.5 MB page; a page
    # without control characters (nearly all) keeps its length and skips the regex entirely.
    stripped = body.translate(None, _CONTROL_BYTES)
    if len(stripped) != len(body):
        body = stripped
    if b"&#" in body:
        body = _REF_CONTROL.sub(b"", body)
    return body


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes) -> etree._Element:
    """Parse a response body into its root element, refusing anything unsafe."""
    if _DOCTYPE.search(body):
        raise UnsafeResponse(
            "The Intacct response contains a DOCTYPE or ENTITY declaration, which the gateway "
            "never sends; it was refused unparsed (possible XML bomb or XXE). Check the "
            "endpoint URL points at Intacct."
        )
    cleaned = strip_control_chars(body)
    try:
        root = etree.fromstring(cleaned, _parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedResponse(
            f"The Intacct response is not well-formed XML ({exc}); the client retries."
        ) from None
    if root is None:
        raise MalformedResponse("The Intacct response body is empty; the client retries.")
    if root.getroottree().docinfo.doctype:
        raise UnsafeResponse("The Intacct response carries a DOCTYPE; refused.")
    return root
