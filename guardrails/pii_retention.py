"""Which originals of masked personal data a turn keeps, and for what purpose (pure logic).

The policy is data (``policy/pii_retention.yaml``): purposes name the kinds they need and the
hand-off situations they serve; every other kind is never kept. With no matching purpose the
original is dropped, as it always was: masking stays the default.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, model_validator

from guardrails.pii import find_pii

RETENTION_FILE = Path(__file__).parent / "policy" / "pii_retention.yaml"
PiiKind = Literal["id_number", "bank_card", "account_number", "mobile", "email"]
NOTE = "原文已加密留存（用途：{purposes}）"


class Purpose(BaseModel):
    label: str
    description: str
    kinds: list[PiiKind]
    on_leads: list[str]


class RetentionPolicy(BaseModel):
    version: str
    purposes: dict[str, Purpose]
    never_kept: dict[PiiKind, str]

    @model_validator(mode="after")
    def _every_kind_decided_once(self) -> RetentionPolicy:
        kept = {k for p in self.purposes.values() for k in p.kinds}
        clash = kept & set(self.never_kept)
        if clash:
            raise ValueError(f"kinds both kept and never kept: {sorted(clash)}")
        undecided = set(get_args(PiiKind)) - kept - set(self.never_kept)
        if undecided:
            raise ValueError(f"kinds the retention policy does not decide: {sorted(undecided)}")
        return self

    def label(self, purpose: str) -> str:
        return self.purposes[purpose].label if purpose in self.purposes else purpose


class KeptOriginal(BaseModel):
    """One original to encrypt and keep: what it is, why, and the value itself."""

    kind: PiiKind
    purpose: str
    value: str


@lru_cache(maxsize=4)
def load_retention_policy(path: Path = RETENTION_FILE) -> RetentionPolicy:
    return RetentionPolicy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def originals_to_keep(text: str, lead_reasons: Iterable[str], policy: RetentionPolicy) -> list[KeptOriginal]:
    """The personal data in the client's ``text`` that a purpose needs, given the hand-offs the
    turn opens (``lead_reasons``); each value once."""
    reasons = set(lead_reasons)
    wanted = [(pid, p) for pid, p in policy.purposes.items() if reasons & set(p.on_leads)]
    out: list[KeptOriginal] = []
    seen: set[tuple[str, str]] = set()
    for finding in find_pii(text):
        value = text[finding.start : finding.end]
        for purpose_id, purpose in wanted:
            if finding.kind in purpose.kinds and (finding.kind, value) not in seen:
                seen.add((finding.kind, value))
                out.append(KeptOriginal(kind=finding.kind, purpose=purpose_id, value=value))
    return out


def retention_note(purposes: Iterable[str], policy: RetentionPolicy) -> str:
    """The line the compliance view shows beside the masked text: "原文已加密留存（用途：回电联系）"."""
    return NOTE.format(purposes="、".join(dict.fromkeys(policy.label(p) for p in purposes)))
