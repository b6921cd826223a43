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
* HTTP 429 GW-0010 (body in the GW-0011 shape) is the rate-limit fault ``http_429``, and the
  answer to concurrency only with the ``company_busy`` quirk off (below).

Production behaviours (PROTOCOL.md §17), each ON by default with a switch in
``company.settings.quirks`` (quirks.py; ``POST /admin/quirks``, CLI ``--quirk KEY=VALUE``):

* ``unqueryable``: ``query`` selecting APBILL PAYTOCONTACTNAME/RETURNTOCONTACTNAME, APBILLITEM
  GLACCOUNTNO, ITEM BASEUOM or PROJECT CFDA/AGENCY answers result failure XL03000006 "The
  following fields cannot be queried: [ apbill: [PAYTOCONTACTNAME, RETURNTOCONTACTNAME] ]"
  plus a Support ID; lookup lists them and readByQuery returns them. CHOICE: one line (the
  public capture breaks the line after the first ``[``), several objects joined with ", ".
* ``company_busy``: the allowance (``max_in_flight``, default 2) is shared with other
  integrations (``company_load``, fault ``busy_company``, ``POST /admin/load``); a request
  beyond it is held ``hold_seconds`` (default 1; reported 30 s), then refused: control failure
  in HTTP 200, errorno 200024, "There are too many operations running for this company."
  (CHOICE: level, no Support ID, no correction).
* ``value_shapes``: some INTEGERs print as ``12.0``, some master WHENCREATED as a date only
  (stored at midnight): lossless, per seed (CHOICE: which fields, one row in five).
* ``heavy_timeout``: a ``query`` page on GLENTRY/GLDETAIL costing more than ``heavy_budget``
  (rows on the page x selected columns, default 60,000) answers the Cloudflare 524 page after
  ``heavy_seconds`` (default 0; reported ~100 s). CHOICE: the measure, query only.
* ``in_process``: a function whose controlid an earlier, unfinished request carries is refused
  at result level, errorno XL03000011 (CHOICE), "A request's function with the control ID X is
  in process." plus a Support ID (wording as reported).
* Billing (always counted): ``stats.transactions`` per object -- query, readByQuery and each
  readMore page that ran (CHOICE: failures that ran included).
"""

from .clock import Clock
from .company import Company
from .emulator import Emulator
from .faults import Fault, FaultPlan

__all__ = ["Clock", "Company", "Emulator", "Fault", "FaultPlan"]
