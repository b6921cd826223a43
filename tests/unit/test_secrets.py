"""Credentials come from the secret scope on Databricks, the environment locally, never shown."""

import logging

import pytest

from intacct_sync.config import ConfigError
from intacct_sync.secrets import KEYS, Secret, load_secrets

ENV = {
    "INTACCT_SENDER_ID": "snd",
    "INTACCT_SENDER_PASSWORD": "canary-sender-pw",
    "INTACCT_COMPANY_ID": "co",
    "INTACCT_USER_ID": "usr",
    "INTACCT_USER_PASSWORD": "canary-user-pw",
}


def test_environment_credentials_are_wrapped_and_never_shown(caplog):
    s = load_secrets("intacct", env=ENV)
    assert s.sender_password.reveal() == "canary-sender-pw"
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("t").info("loaded %s %r", s, s)
    for text in (repr(s), str(s), f"{s.user_password}", caplog.text):
        assert "canary" not in text


def test_missing_environment_credentials_name_the_variables_not_values():
    env = dict(ENV)
    del env["INTACCT_USER_PASSWORD"]
    with pytest.raises(ConfigError, match="INTACCT_USER_PASSWORD") as info:
        load_secrets("intacct", env=env)
    assert "canary" not in str(info.value)


def test_secret_scope_is_read_key_by_key():
    # The Databricks secret API itself cannot run here: a fetch function stands in for it.
    store = {("intacct", k): f"value-{k}" for k in KEYS}
    s = load_secrets("intacct", env={}, fetch=lambda scope, key: store.get((scope, key)))
    assert s.company_id.reveal() == "value-company-id"
    assert s.source == "secret scope 'intacct'"


def test_missing_scope_keys_say_how_to_add_them():
    with pytest.raises(ConfigError, match=r"lacks the keys .*user-password.*put-secret"):
        load_secrets(
            "intacct", env={}, fetch=lambda scope, key: None if key == "user-password" else "x"
        )


def test_secret_cannot_be_pickled():
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(Secret("x"))
