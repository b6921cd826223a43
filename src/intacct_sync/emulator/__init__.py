"""A faithful local Sage Intacct XML gateway: server, synthetic company, faults, mutations.

Decisions where the real gateway is UNCONFIRMED (PROTOCOL.md §16) -- a client must not depend
on them beyond what PROTOCOL.md says:

* Out-of-range pagesize (readByQuery 1..1000, query 1..2000) is refused with a result failure
  BL01001973 ("Invalid pagesize N: it must be between 1 and M."), not clamped.
* Unknown object: result failure BL01001973 "Object definition X not found [Support ID: ...]".
* Unknown field in select/fields/filter/query: BL01001973 "Invalid field(s) X for object Y".
* Unparsable readByQuery query string: DL02000001 "There was an error processing the request."
* Malformed query filter structure (not exactly one top operator, and/or with < 2 children):
  result failure BL01001973 "Invalid query: ...".
* Permission denied (objects in ``company.settings.forbidden``) and every write function:
  BL01001973 "You do not have permission for API operation READ_BY_QUERY on objects of type x".
* Duplicate function controlid under uniqueid=true (the default): result failure XL03000010.
* readMore: expired/unknown resultId -> errorno "readMore failed"; cursors live 30 min idle;
  after the last page readMore answers an empty page. readByQuery never sees private-entity
  rows at the top level (use an entity session); query does with options/showprivate=true.
* Offline: errorno PL04000050 "The Service is Temporarily Off-line", correction
  "Please Try Again Later" (control level by default).
* Concurrency above ``max_in_flight``: HTTP 429 with a GW-0010 body in the GW-0011 shape.
"""

from .clock import Clock
from .company import Company
from .emulator import Emulator
from .faults import Fault, FaultPlan

__all__ = ["Clock", "Company", "Emulator", "Fault", "FaultPlan"]
