"""Response bytes -> tree: forbidden control characters stripped, bombs and XXE refused."""

from __future__ import annotations

import pytest

from intacct_sync.intacct.errors import MalformedResponse, UnsafeResponse
from intacct_sync.intacct.xmlsafe import parse_xml, strip_control_chars

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<response>&lol3;</response>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><response>&xxe;</response>"""
XXE_PARAM = b"""<!doctype r [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]><response/>"""


@pytest.mark.parametrize("body", [BOMB, XXE, XXE_PARAM], ids=["bomb", "xxe", "xxe-param"])
def test_doctype_and_entities_are_refused(body: bytes) -> None:
    with pytest.raises(UnsafeResponse, match="DOCTYPE"):
        parse_xml(body)


def test_raw_and_referenced_control_characters_are_stripped() -> None:
    body = (
        b"<response><MEMO>a\x00b\x01c\x08d\x0be\x0cf\x0eg\x1fh&#1;&#x1F;&#0011;&#x0b;i"
        b"\t&#9;&#10;&#13;j</MEMO></response>"
    )
    root = parse_xml(body)
    assert root.findtext("MEMO") == "abcdefghi\t\t\n\rj"


def test_allowed_references_and_text_are_kept() -> None:
    assert strip_control_chars(b"&#32;&#x20;&#65;&#039;&#127;") == b"&#32;&#x20;&#65;&#039;&#127;"


def test_unparsable_xml_is_a_retryable_malformed_response() -> None:
    with pytest.raises(MalformedResponse, match="not well-formed"):
        parse_xml(b"<response><control></response>")
