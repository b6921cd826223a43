"""Where Intacct credentials come from: a Databricks secret scope, or the environment.

* Inside a Databricks job: the runtime's own dbutils (``WorkspaceClient().dbutils`` returns it
  there). The REST call behind ``secrets.get_secret`` is, in the SDK's words, "only callable
  through DBUtils", and a job's identity is refused with BAD_REQUEST when it tries it directly.
* Outside a workspace (``--databricks``): the environment's ``INTACCT_*`` variables when all are
  set, else the scope through the REST API (``GET /api/2.0/secrets/get``), for identities the
  workspace lets read secret values that way.
* Locally: the environment.

Values are wrapped in :class:`Secret` at once, so they never reach a log line, an exception
message or a repr. Every refusal becomes a :class:`ConfigError` (exit 2) naming the scope and
key, never a value, and the grant that fixes it. databricks-sdk is imported lazily: nothing
Databricks-specific runs at import time or in local runs.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from intacct_sync.config import ConfigError
from intacct_sync.intacct.session import Secret  # the one secret wrapper

# secret-scope key -> environment variable (local runs)
KEYS: dict[str, str] = {
    "sender-id": "INTACCT_SENDER_ID",
    "sender-password": "INTACCT_SENDER_PASSWORD",
    "company-id": "INTACCT_COMPANY_ID",
    "user-id": "INTACCT_USER_ID",
    "user-password": "INTACCT_USER_PASSWORD",
}
OPTIONAL_KEYS: dict[str, str] = {"endpoint-url": "INTACCT_ENDPOINT_URL"}

Fetch = Callable[[str, str], "str | None"]  # (scope, key) -> value, None when the key is absent


@dataclass(frozen=True)
class IntacctSecrets:
    sender_id: Secret
    sender_password: Secret
    company_id: Secret
    user_id: Secret
    user_password: Secret
    endpoint_url: str | None = None
    source: str = "environment"

    @classmethod
    def from_mapping(cls, values: Mapping[str, str], source: str = "settings") -> IntacctSecrets:
        """From the keys sender_id, sender_password, company_id, user_id, user_password."""
        names = ("sender_id", "sender_password", "company_id", "user_id", "user_password")
        return cls(**{name: Secret(values[name]) for name in names}, source=source)


def load_secrets(
    scope: str | None,
    *,
    env: Mapping[str, str],
    on_databricks: bool = False,
    fetch: Fetch | None = None,
    workspace: Callable[[], Any] | None = None,
) -> IntacctSecrets:
    """Credentials from the secret scope on Databricks, else from the environment.

    ``fetch(scope, key)`` reads one secret (tests pass their own). Without it: the runtime's
    dbutils on Databricks; outside, ``workspace()`` (a databricks-sdk ``WorkspaceClient``
    factory, given for ``--databricks`` runs) reads the scope through REST when the environment
    does not hold every ``INTACCT_*`` credential.
    """
    if fetch is None and scope:
        if on_databricks:
            fetch = dbutils_fetch(_runtime_dbutils(), via="dbutils")
        elif workspace is not None and not all(env.get(var) for var in KEYS.values()):
            fetch = rest_fetch(workspace())
    if fetch is not None and scope:
        values = {key: fetch(scope, key) for key in (*KEYS, *OPTIONAL_KEYS)}
        where = f"secret scope {scope!r}"
        missing = [f"{key}" for key in KEYS if not values.get(key)]
        if missing:
            raise ConfigError(
                f"the {where} lacks the keys {', '.join(missing)}: add them with "
                f"`databricks secrets put-secret {scope} <key>`."
            )
    else:
        values = {key: env.get(var) for key, var in {**KEYS, **OPTIONAL_KEYS}.items()}
        where = "environment"
        missing = [var for key, var in KEYS.items() if not values.get(key)]
        if missing:
            raise ConfigError(
                f"Intacct credentials are missing from the environment: set {', '.join(missing)} "
                "(on Databricks they come from the secret scope)."
            )
    return IntacctSecrets(
        sender_id=Secret(values["sender-id"]),
        sender_password=Secret(values["sender-password"]),
        company_id=Secret(values["company-id"]),
        user_id=Secret(values["user-id"]),
        user_password=Secret(values["user-password"]),
        endpoint_url=values.get("endpoint-url") or None,
        source=where,
    )


# --- the two readers ----------------------------------------------------------------------------


def dbutils_fetch(dbutils: Any, via: str = "dbutils") -> Fetch:
    """Read through a dbutils object: ``secrets.get`` returns the decoded string."""
    return _Reader(
        get=lambda scope, key: dbutils.secrets.get(scope, key),
        scopes=lambda: (s.name for s in dbutils.secrets.listScopes()),
        via=via,
    )


def rest_fetch(workspace: Any) -> Fetch:
    """Read through the REST API of a databricks-sdk ``WorkspaceClient``."""

    def get(scope: str, key: str) -> str:
        response = workspace.secrets.get_secret(scope=scope, key=key)
        try:  # the API answers base64; the secret is text
            return base64.b64decode(response.value or "", validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ConfigError(
                f"secret {scope}/{key} is not UTF-8 text: store it again with "
                f"`databricks secrets put-secret {scope} {key}`."
            ) from None

    return _Reader(
        get=get, scopes=lambda: (s.name for s in workspace.secrets.list_scopes()), via="REST API"
    )


def _runtime_dbutils() -> Any:
    """The runtime's dbutils. ``WorkspaceClient().dbutils`` is it inside Databricks (the SDK
    hands back the notebook namespace's own object when ``dbruntime`` imports)."""
    from databricks.sdk import WorkspaceClient  # lazy: only on Databricks

    try:
        return WorkspaceClient().dbutils
    except ValueError as exc:  # the SDK's "cannot configure default credentials"
        raise ConfigError(
            f"cannot reach the workspace's secrets: databricks-sdk found no credentials "
            f"({_first_line(exc)})."
        ) from None


# --- refusals -----------------------------------------------------------------------------------

MISSING, DENIED, BAD_REQUEST, UNAUTHENTICATED = "missing", "denied", "bad request", "unauth"

# The runtime's dbutils raises its own exceptions (Py4J / Spark Connect wrappers) whose only
# stable part is the text; databricks-sdk raises typed errors. Both are read here.
_TEXT = (
    (MISSING, ("RESOURCE_DOES_NOT_EXIST", "does not exist")),
    (DENIED, ("PERMISSION_DENIED", "does not have READ permission", "permission denied")),
    (UNAUTHENTICATED, ("UNAUTHENTICATED", "invalid access token")),
    (BAD_REQUEST, ("BAD_REQUEST", "INVALID_PARAMETER_VALUE", "only callable through DBUtils")),
)


def refusal(exc: BaseException) -> str | None:
    """What a failed read means: MISSING, DENIED, BAD_REQUEST, UNAUTHENTICATED, or None."""
    try:
        from databricks.sdk import errors
    except ImportError:  # pragma: no cover - databricks-sdk is a runtime requirement
        errors = None
    if errors is not None:
        for kind, cls in (
            (MISSING, errors.NotFound),
            (DENIED, errors.PermissionDenied),
            (UNAUTHENTICATED, errors.Unauthenticated),
            (BAD_REQUEST, errors.BadRequest),
        ):
            if isinstance(exc, cls):
                return kind
    text = f"{type(exc).__name__}: {exc}".lower()
    for kind, needles in _TEXT:
        if any(needle.lower() in text for needle in needles):
            return kind
    return None


_GRANT = "`databricks secrets put-acl {scope} <principal> READ`"
_PRINCIPAL = (
    "<principal> is the identity the run uses: the service principal's application ID, "
    "or the user or group"
)


class _Reader:
    """One key at a time, with every refusal turned into a ConfigError that says what to do.

    A missing key is ``None`` (load_secrets lists them all); a missing scope is told apart from
    a missing key by listing the scopes once, only after a read came back "does not exist".
    """

    def __init__(
        self, get: Callable[[str, str], str], scopes: Callable[[], Iterable[str]], via: str
    ):
        self._get, self._scopes, self.via = get, scopes, via
        self._known: dict[str, bool] = {}

    def __call__(self, scope: str, key: str) -> str | None:
        try:
            return self._get(scope, key)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified below; the rest is re-raised
            kind = refusal(exc)
            if kind is None:
                raise
            if kind == MISSING and self._scope_exists(scope) is not False:
                return None  # the scope is there (or unknown): a missing key, listed later
            raise ConfigError(self._message(kind, scope, key)) from None

    def _scope_exists(self, scope: str) -> bool | None:
        if scope not in self._known:
            try:
                self._known[scope] = scope in set(self._scopes())
            except Exception:  # noqa: BLE001 - listing is only a hint for the message
                return None
        return self._known[scope]

    def _message(self, kind: str, scope: str, key: str) -> str:
        grant = _GRANT.format(scope=scope)
        what = f"secret {scope}/{key} ({self.via})"
        if kind == MISSING:
            return (
                f"secret scope {scope!r} does not exist (or this identity cannot see it): create "
                f"it with `databricks secrets create-scope {scope}`, add the keys "
                f"{', '.join(KEYS)} with `databricks secrets put-secret {scope} <key>`, and "
                f"grant READ to the identity the run uses: {grant}."
            )
        if kind == DENIED:
            return (
                f"permission denied reading {what}: grant the run's identity READ on the "
                f"scope: {grant} ({_PRINCIPAL} the job runs as)."
            )
        if kind == UNAUTHENTICATED:
            return (
                f"Databricks did not accept this process's credentials reading {what}: check "
                "DATABRICKS_HOST, DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (an OAuth "
                f"secret of the service principal), and that the principal has READ: {grant}."
            )
        return (  # BAD_REQUEST: the identity may not read values through this route
            f"Databricks refused to hand out {what} (BAD_REQUEST: secret values are served "
            "through dbutils in a workspace; the REST API serves them only to identities the "
            "workspace allows). Run it as a Databricks job, or put the Intacct credentials in "
            f"the environment (INTACCT_SENDER_ID ...), or grant READ: {grant}."
        )


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]
