"""Every way writing to the lake can fail, grouped by what the caller should do.

::

    LakeError                     base
    +-- LakeConfigError           fix the configuration
    |   +-- SparkUnavailableError no Java, no Delta jars: a local session cannot start
    |   +-- StagingNotConfigured  Parquet staging on Databricks without a volume path
    |   +-- InvalidName           a catalog, schema, table or column name that is not plain
    +-- NeedsAttention            a person must look; nothing was written
    |   +-- EmptyKeySet           a key sweep got no keys (it would delete the whole table)
    |   +-- MissingKeys           rows without a key, or a key column the fields lack
    |   +-- SchemaChangeError     a column changed type in a way that would lose data
    |   +-- TableCreateError      a table's location is taken by something that is not Delta
    +-- CommitConflict            retry: other writers kept committing first

``intacct_sync.errors.what_to_do`` maps these, and the Intacct client's, to the action.
"""

from __future__ import annotations


class LakeError(Exception):
    """Base of every error raised by the lake half."""


class LakeConfigError(LakeError):
    """A setting or the environment must change before a rerun can succeed."""


class SparkUnavailableError(LakeConfigError):
    """A local SparkSession cannot start (no Java, no Delta jars)."""


class StagingNotConfigured(LakeConfigError):
    """Parquet staging needs a directory every Spark worker sees."""


class InvalidName(LakeConfigError, ValueError):
    """A name that could escape its quotes; only plain identifiers are used in SQL."""


class NeedsAttention(LakeError):
    """The data or the table is not as expected; a person must look. Nothing was written."""


class EmptyKeySet(NeedsAttention):
    """A key sweep was handed no keys at all."""


class MissingKeys(NeedsAttention):
    """Rows without a key, or a key field missing from the fields."""


class SchemaChangeError(NeedsAttention):
    """A field changed type in a way the table cannot take without losing data."""


class TableCreateError(NeedsAttention):
    """A table could not be created because its location is taken by something not Delta."""


class CommitConflict(LakeError):
    """Other writers kept committing first; the operation gave up after its retries."""
