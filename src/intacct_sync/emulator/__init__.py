"""A faithful local Sage Intacct XML gateway: server, synthetic company, faults, mutations.

Decisions where the real gateway is UNCONFIRMED (docs/protocol.md §16) -- a client must not depend
on them beyond what docs/protocol.md says:

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

Production behaviours (docs/protocol.md §17), each ON by default with a switch in
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
  (rows on the page x selected columns, default 100,000) answers the Cloudflare 524 page after
  ``heavy_seconds`` (default 0; reported ~100 s). CHOICE: the measure, query only.
* ``in_process``: a function whose controlid an earlier, unfinished request carries is refused
  at result level, errorno XL03000011 (CHOICE), "A request's function with the control ID X is
  in process." plus a Support ID (wording as reported).
* Billing (always counted): ``stats.transactions`` per object -- query, readByQuery and each
  readMore page that ran (CHOICE: failures that ran included).
* A session is accepted at the endpoint getAPISession returned and at the main URL
  /ia/xml/xmlgw.phtml (§17); ``Stats.session_paths`` counts session requests per path.

The synthetic company (catalog*.py, generate*.py) holds:

* Master data: DEPARTMENT, LOCATION, CLASS, PROJECT, CUSTOMER, EMPLOYEE, ITEM, VENDOR, CONTACT
  (the contacts that VENDOR.DISPLAYCONTACTKEY/PAYTOKEY/RETURNTOKEY, CUSTOMER.DISPLAYCONTACTKEY/
  BILLTOKEY/SHIPTOKEY, EMPLOYEE.CONTACTKEY and LOCATIONENTITY.CONTACTKEY point at; their fields
  are repeated under DISPLAYCONTACT.*, PAYTOCONTACT.*, ...), CHECKINGACCOUNT, LOCATIONENTITY,
  GLACCOUNT, APTERM and ARTERM (APBILL/VENDOR.TERMNAME/TERMKEY -> APTERM; ARINVOICE/CUSTOMER
  -> ARTERM), the UDDs FUND and GRANT_PROGRAM.
* AP: APBILL + APBILLITEM, APPYMT + APPYMTDETAIL, APADJUSTMENT + APADJUSTMENTITEM.
* AR: ARINVOICE + ARINVOICEITEM (RECORDKEY -> ARINVOICE), ARPYMT + ARPYMTDETAIL (PAYMENTKEY ->
  ARPYMT, RECORDKEY -> ARINVOICE, ENTRYKEY -> ARINVOICEITEM), ARADJUSTMENT + ARADJUSTMENTITEM.
  Open invoices fall in every aging bucket on timeline.AS_OF.
* GL: GLBATCH + GLENTRY (manual entries, and one summary entry per month, document type and
  entity for every subledger: APJ bills/AP adjustments, CDJ AP payments, ARJ invoices/AR
  adjustments, CRJ receipts, EEJ expense reports; MODULE 3.AP/4.AR/6.EE; every batch
  balances), GLDETAIL (a VIEW over GLENTRY + GLBATCH + GLACCOUNT; see gldetail.py), GLACCTGRP +
  GLACCTGRPMEMBER + GLACCTRANGE (account groups), REPORTINGPERIOD (months, quarters, years over
  every generated date), GLBUDGETHEADER + GLBUDGETITEM (no WHENMODIFIED: read in full, §9).
* EEXPENSES, the **uncatalogued object**: employee expense reports with RECORDNO, WHENMODIFIED,
  money fields and audited creates/deletes, left out of the sync's curated catalog on purpose so
  the "infer the spec from lookup" path can be tested.
* AUDITHISTORY: C rows for every generated header and master record (not for lines, group
  members, ranges, budget items or GLDETAIL), C/M/D rows for every mutation.

Flattening the account groups: a GLACCTGRP with MEMBERTYPE ``Groups`` has its child groups in
GLACCTGRPMEMBER (PARENTKEY -> parent GLACCTGRP.RECORDNO, CHILDNAME -> child GLACCTGRP.NAME,
SORTORD the order); one with MEMBERTYPE ``Accounts`` has GLACCTRANGE rows (PARENTKEY -> the
group, RANGEFROM/RANGETO): its accounts are the GLACCOUNTs with RANGEFROM <= ACCOUNTNO <=
RANGETO compared as text. The roots (groups no member names) are "Balance Sheet" and "Income
Statement"; walking down from a root, every balance-sheet (resp. income-statement) account
falls in exactly one range, e.g. 1010 in Balance Sheet > Assets > Current Assets > Cash and
Cash Equivalents (1000..1099). GLACCTGRPHIERARCHY (a view, glhierarchy.py) is that walk done:
one row per group and every account anywhere below it.

More CHOICEs (UNCONFIRMED in Intacct):

* GLACCTRANGE is how the emulator names the account-range object (Intacct's REST API calls it
  general-ledger/account-range, Fivetran's table is acct_range; the XML object name is not
  documented where we looked).
* Subledger summaries are monthly per document type and entity; their GL lines carry the
  document (GLENTRY.DOCUMENT = RECORDID) and, at scale small, one line per document line; at
  medium and large a summary posts one line per account (generate_post). A summary's
  BATCH_DATE is the month's last day, each line's ENTRY_DATE its document's date.
* GLDETAIL: AMOUNT unsigned (sign in TR_TYPE), WHENMODIFIED the line's (a batch title edit does
  not move it), every state shown, BOOKID ACCRUAL; source-document fields looked up live.
* Mutations change the record named and cascade to lines; they do not re-post a document to the
  GL nor recompute header totals or VENDOR/CUSTOMER.TOTALDUE (Intacct would).
* RECORD_URL is computed from RECORDNO (read-only).
"""

from .clock import Clock
from .company import Company
from .emulator import Emulator
from .faults import Fault, FaultPlan

__all__ = ["Clock", "Company", "Emulator", "Fault", "FaultPlan"]
