"""Where Intacct credentials come from: a Databricks secret scope, or the environment.

Values are wrapped in :class:`Secret` at once, so they never reach a log line, an exception
message or a repr. databricks-sdk is imported lazily: nothing Databricks-specific runs at import
time or in local runs.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass

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
    fetch: Callable[[str, str], str | None] | None = None,
) -> IntacctSecrets:
    """Credentials from the secret scope on Databricks, else from the environment.

    ``fetch(scope, key)`` reads one secret; the default uses databricks-sdk. Tests pass their own.
    """
    if fetch is None and on_databricks and scope:
        fetch = _sdk_fetch()
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


def _sdk_fetch() -> Callable[[str, str], str | None]:
    from databricks.sdk import WorkspaceClient  # lazy: only on Databricks
    from databricks.sdk.errors import NotFound, PermissionDenied

    client = WorkspaceClient()

    def fetch(scope: str, key: str) -> str | None:
        try:
            response = client.secrets.get_secret(scope=scope, key=key)
        except NotFound:
            return None
        except PermissionDenied:
            raise ConfigError(
                f"no permission to read secret scope {scope!r}: grant the job's identity READ "
                f"on it (`databricks secrets put-acl {scope} <principal> READ`)."
            ) from None
        return base64.b64decode(response.value).decode("utf-8") if response.value else None

    return fetch
