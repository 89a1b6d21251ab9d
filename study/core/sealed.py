"""Sealed bytes: AES-256-GCM with a fresh 96-bit nonce per seal, for job inputs at rest.

An uploaded case archive still holds the identifying DICOM header until it is imported. When
the import runs on a worker, the archive waits in the storage: sealed, under a key derived from
the site's secret and the job's id, which is never stored. Anyone with the storage but not the
secret reads nothing; a tampered file fails to open rather than importing altered data."""

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
FORMAT = b"TLS1"  # the sealed file's first bytes: format and version


class SealError(ValueError):
    """The sealed bytes are not ours, were changed, or belong to another key."""


def key_derive(secret: str, purpose: str) -> bytes:
    """A 256-bit key for ``purpose`` (a job id) from the site's secret."""
    return hmac.new(secret.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).digest()


def seal(data: bytes, key: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT + nonce + AESGCM(key).encrypt(nonce, data, FORMAT)


def unseal(sealed: bytes, key: bytes) -> bytes:
    if not sealed.startswith(FORMAT) or len(sealed) < len(FORMAT) + NONCE_BYTES + 16:
        raise SealError("not a sealed job input")
    nonce = sealed[len(FORMAT) : len(FORMAT) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, sealed[len(FORMAT) + NONCE_BYTES :], FORMAT)
    except InvalidTag as error:
        raise SealError("the job input was changed or sealed under another key") from error
