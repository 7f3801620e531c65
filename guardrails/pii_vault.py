"""Encryption of the originals of masked personal data (Fernet: AES-128-CBC with HMAC-SHA256).

Pure: the keys are passed in (see ``records/pii_keys.py`` for where they come from). Each entry
records the id of the key that sealed it, so keys rotate by putting the new key first and
keeping the old ones after it; an entry names the key it needs, and a missing or wrong key is a
clear error rather than garbage. The sealed payload carries the entry's identity (id, turn,
client, kind, purpose), so a ciphertext copied to another row does not open there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken

from guardrails.errors import MalformedPiiKey, PiiDecryptionFailed, PiiEntryMismatch, UnknownPiiKey


def key_id(key: str) -> str:
    """A short public fingerprint of a key (a hash: it reveals nothing of the key)."""
    return "k-" + hashlib.sha256(key.encode("ascii")).hexdigest()[:12]


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


@dataclass(frozen=True)
class Sealed:
    ciphertext: str
    key_id: str


class PiiCipher:
    """Seals with the first key, opens with whichever configured key sealed the entry."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise MalformedPiiKey("no personal-data key configured")
        self._fernets: dict[str, Fernet] = {}
        for key in keys:
            try:
                self._fernets[key_id(key)] = Fernet(key.encode("ascii"))
            except (ValueError, UnicodeEncodeError) as exc:
                raise MalformedPiiKey(f"a configured personal-data key is not a Fernet key: {exc}") from None
        self.primary_key_id = key_id(keys[0])

    @property
    def key_ids(self) -> list[str]:
        return list(self._fernets)

    def seal(self, value: str, binding: Mapping[str, str]) -> Sealed:
        """``value`` encrypted with the primary key, bound to the entry described by ``binding``."""
        payload = json.dumps({"binding": dict(binding), "value": value}, ensure_ascii=False, sort_keys=True)
        token = self._fernets[self.primary_key_id].encrypt(payload.encode("utf-8"))
        return Sealed(ciphertext=token.decode("ascii"), key_id=self.primary_key_id)

    def open(self, sealed: Sealed, binding: Mapping[str, str]) -> str:
        """The original value; :class:`guardrails.errors.PiiKeyError` when it cannot be had."""
        fernet = self._fernets.get(sealed.key_id)
        if fernet is None:
            raise UnknownPiiKey(f"entry sealed with key {sealed.key_id}, which is not configured (configured: {', '.join(self.key_ids)})")
        try:
            payload = json.loads(fernet.decrypt(sealed.ciphertext.encode("ascii")))
        except InvalidToken:
            raise PiiDecryptionFailed(f"entry does not open with key {sealed.key_id}: a wrong key or altered ciphertext") from None
        if payload.get("binding") != dict(binding):
            raise PiiEntryMismatch("ciphertext belongs to another entry")
        return str(payload["value"])
