"""Error numbers and texts the emulated gateway answers with (docs/protocol.md §4.4).

Copied from docs/protocol.md and the samples in tests/fixtures/intacct where the real text is
known. Emulator choices, where the real
gateway's errorno or text is UNCONFIRMED (docs/protocol.md §16), are marked CHOICE.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import quote

from .xmlout import E, leaf

BAD_SENDER = ("XL03000006", "Incorrect Intacct XML Partner ID or password.")
PARSE = "XL03000003"
DEMO_EXPIRED = ("PL04000055", "This company is a demo company and has expired.")
NOT_AUTHORIZED = (
    "XL03000006",
    "Invalid Web Services Authorization",
    "The sender ID '{sender}' is not authorized to make Web Services requests to "
    "company ID '{company}'.",
    "Contact the company administrator to grant Web Services authorization to this sender ID.",
)
SIGN_IN = ("XL03000006", "Sign-in information is incorrect")  # bad entity at login (§10)
# CHOICE: §3.3 only shows the start "Invalid session"; the rest of the sentence is ours.
INVALID_SESSION = ("XL03000006", "Invalid session. Log in again to get a new session.")
ROLLED_BACK = (
    "XL03000009",
    "The entire transaction in this operation has been rolled back due to an error.",
)
BAD_QUERY = ("DL02000001", "Error", "There was an error processing the request.")
READMORE_FAILED = (
    "readMore failed",
    "Attempt to readMore with an invalid or expired resultId: {rid}",
)
# CHOICE: the generic business-logic errorno BL01001973 for emulator-detected request problems
# (unknown object, invalid fields, bad pagesize, permission, writes) -- real numbers UNCONFIRMED.
GENERIC = "BL01001973"
# CHOICE (§16.1): duplicate function controlid under uniqueid=true, result level.
DUPLICATE_CONTROLID = (
    "XL03000010",
    "A function with control ID '{cid}' has already been "
    "executed. Use a new control ID or send uniqueid false.",
)
# CHOICE: offline errorno; the text is what FY matches (§4.4).
OFFLINE = ("PL04000050", "The Service is Temporarily Off-line", "Please Try Again Later")
GATEWAY = {
    400: ("GW-0011", "Invalid Request [Request ID: {rid}]"),
    401: ("XMLGW_JPP0002", "Sign-in information is incorrect. Please check your request."),
    429: ("GW-0010", "Rate limit exceeded: too many concurrent requests [Request ID: {rid}]"),
}


@dataclass
class Err:
    errorno: str
    description2: str = ""
    description: str = ""
    correction: str = ""

    def element(self) -> E:
        return E(
            "error",
            children=[
                leaf("errorno", self.errorno),
                leaf("description", self.description),
                leaf("description2", self.description2),
                leaf("correction", self.correction),
            ],
        )


class FunctionFailure(Exception):
    def __init__(self, *errors: Err) -> None:
        super().__init__(errors[0].description2 if errors else "failure")
        self.errors = list(errors)


def support_id() -> str:
    """' [Support ID: ...]' with the id URL-encoded, as the real gateway appends (§4.1)."""
    raw = secrets.token_urlsafe(8) + "~" + secrets.token_urlsafe(16)
    return f" [Support ID: {quote(raw, safe='')}]"


def request_id() -> str:
    h = secrets.token_hex
    return f"{h(4).upper()}:{h(2).upper()}_{h(4).upper()}.59"


def generic(description2: str, correction: str = "") -> FunctionFailure:
    return FunctionFailure(Err(GENERIC, description2 + support_id(), "", correction))


def errormessage(errors: list[Err]) -> E:
    return E("errormessage", children=[e.element() for e in errors])
