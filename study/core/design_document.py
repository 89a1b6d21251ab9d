"""The canonical design document and its hash: what a pre-registration cites (pure, no Django).

Rule: the document covers everything a participant sees or is allocated by (every text, the
arms, diagnoses, cases, advice, images, scales and the design fields) and nothing else. Left
out, because they decide who may still join or how the team runs recruitment, not what anyone
sees: stratum quotas, the self-enrolment token, pilot mode, the abandonment threshold and the
reissue of abandoned slots (EXCLUDED_SETTINGS).

The same design always hashes the same: before hashing, every text is normalised (Unicode NFC,
CRLF and CR to LF, trailing whitespace at the end stripped), then the document is written as
JSON with sorted keys and no spaces, and its sha256 hex digest is the design hash.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Mapping
from typing import Any

DOCUMENT_FORMAT = "trustlab.design-document/1"
# Study settings that are not part of the design (recruitment and operations), never hashed.
EXCLUDED_SETTINGS = (
    "stratum_quotas",
    "self_enrolment_token",
    "pilot_mode",
    "abandon_after_minutes",
    "reissue_after_minutes",
)


class DocumentError(ValueError):
    """A document that cannot be written as canonical JSON; the message names the path."""


def text_normalise(text: str) -> str:
    """One spelling of a text: NFC, LF line endings, no trailing whitespace at the end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).rstrip()


# Any: a design document is JSON of mixed values (texts, numbers, flags, lists and maps).
def document_normalise(document: Any, *, path: str = "document") -> Any:
    """A copy of ``document`` with every text (keys too) normalised and tuples as lists."""
    if isinstance(document, str):
        return text_normalise(document)
    if document is None or isinstance(document, bool | int):
        return document
    if isinstance(document, float):
        if not math.isfinite(document):
            raise DocumentError(f"{path}: {document!r} is not a JSON number")
        return document
    if isinstance(document, list | tuple):
        return [document_normalise(item, path=f"{path}[{i}]") for i, item in enumerate(document)]
    if isinstance(document, Mapping):
        normalised: dict[str, Any] = {}
        for key, value in document.items():
            if not isinstance(key, str):
                raise DocumentError(f"{path}: key {key!r} is not a text")
            name = text_normalise(key)
            if name in normalised:
                raise DocumentError(f"{path}: keys {key!r} and another normalise to {name!r}")
            normalised[name] = document_normalise(value, path=f"{path}.{name}")
        return normalised
    raise DocumentError(f"{path}: {type(document).__name__} is not JSON data")


def document_canonical_json(document: Mapping[str, Any]) -> str:
    """The canonical JSON text of a design document: normalised, sorted keys, ASCII."""
    return json.dumps(
        document_normalise(document),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=False,
    )


def document_hash(document: Mapping[str, Any]) -> str:
    """sha256 hex digest of ``document_canonical_json(document)``: the design hash."""
    return hashlib.sha256(document_canonical_json(document).encode("ascii")).hexdigest()
