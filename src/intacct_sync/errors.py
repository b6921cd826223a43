"""The package's one error tree, grouped by what the caller should do.

Each half keeps its own classes (``intacct/`` and ``lake/`` import nothing of each other), in
the same three groups; this module adds the sync's own and is the one place that maps any of
them to what to do::

    fix the configuration (exit 2; nothing was written)
        ConfigError                          a setting, the secret scope, an unknown object
        EntityScopeError                     the session is not at the entity the settings ask
        intacct.errors.ConfigurationError    credentials, sender authorization, expired company
        lake.errors.LakeConfigError          no Java or Delta jars, no staging volume, bad name
    needs a person (the object fails, exit 1; its table and watermark stay as they were)
        intacct.errors.FatalError            permission, unknown field, bad query, bad value...
        lake.errors.NeedsAttention           empty key set, rows without keys, lossy type change
    retry (transient; the next run converges)
        intacct.errors.RetryableError        429, 5xx, timeouts, malformed answers, off-line
        lake.errors.CommitConflict           other writers kept committing first
"""

from __future__ import annotations

from enum import Enum


class SyncError(Exception):
    """Base of the errors the sync itself raises."""


class ConfigError(SyncError, ValueError):
    """A setting is missing or wrong; the message says which and how to fix it."""


class EntityScopeError(ConfigError):
    """The Intacct session is not at the level the settings ask for."""


class Action(str, Enum):
    CONFIGURE = "fix the configuration"
    PERSON = "needs a person"
    RETRY = "retry"


def what_to_do(exc: BaseException) -> Action:
    """The action an error calls for (the tree in this module's docstring)."""
    from intacct_sync.intacct import errors as intacct_errors
    from intacct_sync.lake import errors as lake_errors

    if isinstance(
        exc, (ConfigError, intacct_errors.ConfigurationError, lake_errors.LakeConfigError)
    ):
        return Action.CONFIGURE
    if isinstance(exc, (intacct_errors.RetryableError, lake_errors.CommitConflict)):
        return Action.RETRY
    return Action.PERSON
