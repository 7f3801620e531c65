"""Sealing and opening originals: a round trip, key rotation, and clean errors for a wrong key,
an unknown key, altered ciphertext and a ciphertext moved to another entry."""

from __future__ import annotations

import pytest

from guardrails.errors import MalformedPiiKey, PiiDecryptionFailed, PiiEntryMismatch, PiiKeyError, UnknownPiiKey
from guardrails.pii_vault import PiiCipher, Sealed, key_id, new_key

ENTRY = {"id": "o-1", "turn_id": "t-1", "client_id": "client-002", "kind": "mobile", "purpose": "callback"}
MOBILE = "13912345678"


def test_round_trip() -> None:
    cipher = PiiCipher([new_key()])
    sealed = cipher.seal(MOBILE, ENTRY)
    assert MOBILE not in sealed.ciphertext and sealed.key_id == cipher.primary_key_id
    assert cipher.open(sealed, ENTRY) == MOBILE


def test_a_rotated_key_still_opens_old_entries_and_seals_new_ones_with_the_new_key() -> None:
    old, new = new_key(), new_key()
    before = PiiCipher([old]).seal(MOBILE, ENTRY)
    rotated = PiiCipher([new, old])
    assert rotated.open(before, ENTRY) == MOBILE
    assert rotated.seal(MOBILE, ENTRY).key_id == key_id(new) != before.key_id


def test_an_unknown_key_fails_with_a_clear_error() -> None:
    sealed = PiiCipher([new_key()]).seal(MOBILE, ENTRY)
    with pytest.raises(UnknownPiiKey, match=f"sealed with key {sealed.key_id}, which is not configured"):
        PiiCipher([new_key()]).open(sealed, ENTRY)


def test_a_wrong_key_under_the_same_id_fails_cleanly() -> None:
    sealed = PiiCipher([new_key()]).seal(MOBILE, ENTRY)
    other = PiiCipher([new_key()])
    with pytest.raises(PiiDecryptionFailed, match="wrong key or altered ciphertext") as failed:
        other.open(Sealed(sealed.ciphertext, other.primary_key_id), ENTRY)
    assert isinstance(failed.value, PiiKeyError) and "解密" in failed.value.public_message


def test_altered_ciphertext_fails_cleanly() -> None:
    cipher = PiiCipher([new_key()])
    sealed = cipher.seal(MOBILE, ENTRY)
    flipped = sealed.ciphertext[:-5] + ("A" if sealed.ciphertext[-5] != "A" else "B") + sealed.ciphertext[-4:]
    with pytest.raises(PiiDecryptionFailed):
        cipher.open(Sealed(flipped, sealed.key_id), ENTRY)


def test_a_ciphertext_moved_to_another_entry_does_not_open_there() -> None:
    cipher = PiiCipher([new_key()])
    sealed = cipher.seal(MOBILE, ENTRY)
    with pytest.raises(PiiEntryMismatch):
        cipher.open(sealed, {**ENTRY, "client_id": "client-003"})


@pytest.mark.parametrize("keys", [[], ["not-a-key"], ["密钥"]])
def test_a_malformed_key_is_refused(keys: list[str]) -> None:
    with pytest.raises(MalformedPiiKey):
        PiiCipher(keys)
