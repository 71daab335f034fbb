"""Encrypted provider credentials (the Integration table's ``credentials`` column).

Envelope, a single ASCII string the web app can write too::

    v1.<keyId>.<nonce>.<ciphertext>

- ``v1``: envelope version. AES-256-GCM, 12-byte random nonce.
- ``keyId``: which key encrypted it (``[A-Za-z0-9_-]+``), so keys can rotate.
- ``nonce``, ``ciphertext``: base64url without padding; ``ciphertext`` ends with the
  16-byte GCM tag (what both ``cryptography`` and WebCrypto produce).
- Additional authenticated data: ``v1.<keyId>.<context>`` where ``context`` is
  ``<organizationId>/<provider>``, so an envelope copied to another organisation
  or provider fails to decrypt.

Keys come from ``CREDENTIALS_ENCRYPTION_KEY``: ``keyId:base64key[,keyId:base64key...]``
(32-byte keys, standard or url-safe base64, or 64 hex characters). The first key
encrypts; every listed key decrypts. A single bare key is accepted with key id ``default``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from partsiq.errors import CredentialsError

VERSION = "v1"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))


def _parse_key(text: str) -> bytes:
    text = text.strip()
    try:
        key = bytes.fromhex(text) if re.fullmatch(r"[0-9a-fA-F]{64}", text) else _b64decode(text)
    except (ValueError, binascii.Error) as error:
        raise CredentialsError("CREDENTIALS_ENCRYPTION_KEY holds a key that is not base64 or hex") from error
    if len(key) != 32:
        raise CredentialsError(f"CREDENTIALS_ENCRYPTION_KEY keys must be 32 bytes (got {len(key)})")
    return key


@dataclass(frozen=True)
class Keyring:
    """The ordered keys from CREDENTIALS_ENCRYPTION_KEY: ``keys[0]`` encrypts."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        """Read ``keyId:key,keyId:key`` (or one bare key)."""
        entries = [part.strip() for part in spec.split(",") if part.strip()]
        if not entries:
            raise CredentialsError(
                "CREDENTIALS_ENCRYPTION_KEY is empty: set it to 'keyId:<32-byte base64 key>' "
                "(generate one with `partsiq credentials new-key`)"
            )
        keys = []
        for entry in entries:
            key_id, sep, material = entry.partition(":")
            if not sep:
                key_id, material = "default", entry
            if not _KEY_ID.match(key_id):
                raise CredentialsError(f"invalid key id {key_id!r} in CREDENTIALS_ENCRYPTION_KEY")
            keys.append((key_id, _parse_key(material)))
        return cls(tuple(keys))

    def encrypt(self, plaintext: bytes, context: str) -> str:
        """Seal ``plaintext`` with the first key, bound to ``context``."""
        key_id, key = self.keys[0]
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, plaintext, f"{VERSION}.{key_id}.{context}".encode())
        return f"{VERSION}.{key_id}.{_b64encode(nonce)}.{_b64encode(sealed)}"

    def decrypt(self, envelope: str, context: str) -> bytes:
        """Open an envelope written with any of the keys; errors say which part is wrong."""
        parts = envelope.split(".")
        if len(parts) != 4 or parts[0] != VERSION:
            raise CredentialsError("credentials envelope is not 'v1.<keyId>.<nonce>.<ciphertext>'")
        _, key_id, nonce_text, sealed_text = parts
        key = dict(self.keys).get(key_id)
        if key is None:
            raise CredentialsError(
                f"credentials were encrypted with key {key_id!r}, which CREDENTIALS_ENCRYPTION_KEY "
                f"does not hold (it has: {', '.join(k for k, _ in self.keys)})"
            )
        try:
            nonce, sealed = _b64decode(nonce_text), _b64decode(sealed_text)
            return AESGCM(key).decrypt(nonce, sealed, f"{VERSION}.{key_id}.{context}".encode())
        except (InvalidTag, ValueError, binascii.Error) as error:
            raise CredentialsError(
                f"credentials do not decrypt with key {key_id!r}: wrong key material, "
                "a different organisation/provider, or a corrupted envelope"
            ) from error

    def needs_rotation(self, envelope: str) -> bool:
        """True when ``envelope`` was not written with the current (first) key."""
        return envelope.split(".")[1:2] != [self.keys[0][0]]

    def encrypt_json(self, value: dict[str, Any], context: str) -> str:
        """Seal a JSON object (provider credentials are JSON)."""
        return self.encrypt(json.dumps(value, separators=(",", ":")).encode(), context)

    def decrypt_json(self, envelope: str, context: str) -> dict[str, Any]:
        """Open an envelope holding a JSON object."""
        value = json.loads(self.decrypt(envelope, context))
        if not isinstance(value, dict):
            raise CredentialsError("credentials envelope does not hold a JSON object")
        return value


def new_key() -> str:
    """A fresh 32-byte key, base64url, for CREDENTIALS_ENCRYPTION_KEY."""
    return _b64encode(os.urandom(32))
