"""The credentials envelope: round trip, key rotation, clear errors."""

from __future__ import annotations

import base64
import os

import pytest

from partsiq.credentials import Keyring, new_key
from partsiq.errors import CredentialsError

OLD, NEW = new_key(), new_key()


def test_credentials_round_trip_through_the_envelope():
    keyring = Keyring.parse(f"k1:{OLD}")

    envelope = keyring.encrypt_json({"refresh_token": "1//secret"}, "org_1/GMAIL")

    version, key_id, nonce, ciphertext = envelope.split(".")
    assert (version, key_id) == ("v1", "k1")
    assert "secret" not in envelope
    assert keyring.decrypt_json(envelope, "org_1/GMAIL") == {"refresh_token": "1//secret"}


def test_after_rotation_old_envelopes_decrypt_and_new_ones_use_the_first_key():
    old_envelope = Keyring.parse(f"k1:{OLD}").encrypt(b"token", "org_1/GMAIL")
    rotated = Keyring.parse(f"k2:{NEW},k1:{OLD}")

    assert rotated.decrypt(old_envelope, "org_1/GMAIL") == b"token"
    assert rotated.needs_rotation(old_envelope)
    new_envelope = rotated.encrypt(b"token", "org_1/GMAIL")
    assert new_envelope.startswith("v1.k2.")
    assert not rotated.needs_rotation(new_envelope)


def test_a_wrong_key_fails_with_a_clear_error():
    envelope = Keyring.parse(f"k1:{OLD}").encrypt(b"token", "org_1/GMAIL")

    with pytest.raises(CredentialsError, match="do not decrypt with key 'k1': wrong key material"):
        Keyring.parse(f"k1:{NEW}").decrypt(envelope, "org_1/GMAIL")


def test_an_envelope_from_an_unknown_key_names_the_keys_held():
    envelope = Keyring.parse(f"k9:{OLD}").encrypt(b"token", "org_1/GMAIL")

    with pytest.raises(CredentialsError, match="encrypted with key 'k9'.*it has: k1"):
        Keyring.parse(f"k1:{OLD}").decrypt(envelope, "org_1/GMAIL")


def test_an_envelope_copied_to_another_organization_does_not_decrypt():
    keyring = Keyring.parse(f"k1:{OLD}")
    envelope = keyring.encrypt(b"token", "org_1/GMAIL")

    with pytest.raises(CredentialsError):
        keyring.decrypt(envelope, "org_2/GMAIL")


def test_keys_may_be_hex_or_standard_base64_and_a_bare_key_is_called_default():
    raw = os.urandom(32)

    hex_ring = Keyring.parse(raw.hex())
    b64_ring = Keyring.parse(f"default:{base64.b64encode(raw).decode()}")

    assert hex_ring.keys == (("default", raw),)
    assert b64_ring.decrypt(hex_ring.encrypt(b"x", "c"), "c") == b"x"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "CREDENTIALS_ENCRYPTION_KEY is empty"),
        ("k1:c2hvcnQ", "must be 32 bytes"),
        ("bad id:" + NEW, "invalid key id"),
    ],
)
def test_a_malformed_key_setting_is_refused_with_the_reason(spec, message):
    with pytest.raises(CredentialsError, match=message):
        Keyring.parse(spec)


def test_a_malformed_envelope_is_refused_with_its_expected_shape():
    with pytest.raises(CredentialsError, match=r"not 'v1.<keyId>.<nonce>.<ciphertext>'"):
        Keyring.parse(f"k1:{OLD}").decrypt("plaintext-token", "org_1/GMAIL")


def test_an_envelope_written_by_the_web_app_s_snippet_opens_here():
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "docs/examples/seal-credentials.mjs"
    env = {**os.environ, "CREDENTIALS_ENCRYPTION_KEY": f"k2:{NEW},k1:{OLD}"}

    result = subprocess.run(
        ["node", str(script), "org_1", "GMAIL", '{"refresh_token": "1//abc"}'],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    envelope = result.stdout.strip()
    assert envelope.startswith("v1.k2.")
    assert Keyring.parse(f"k2:{NEW},k1:{OLD}").decrypt_json(envelope, "org_1/GMAIL") == {"refresh_token": "1//abc"}
